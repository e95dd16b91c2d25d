import subprocess
import sys


def run_cli(*args, env_extra=None):
    import os

    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "pricewise.cli", *args], capture_output=True, text=True, env=env)


def test_bench_help_lists_options():
    result = run_cli("bench", "--help")
    assert result.returncode == 0
    assert "--pricer" in result.stdout and "leaderboard" in result.stdout


def test_unknown_pricer_is_a_one_line_user_error(tmp_path):
    result = run_cli("bench", "--pricer", "no-such-pricer", env_extra={"PRICEWISE_BENCH__RESULTS_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: unknown pricer 'no-such-pricer'")
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = run_cli("--debug", "bench", "--pricer", "no-such-pricer", env_extra={"PRICEWISE_BENCH__RESULTS_DIR": str(tmp_path)})
    assert result.returncode != 0 and "Traceback" in result.stderr
