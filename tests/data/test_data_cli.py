"""``pricewise data``: help, a real build and import through the CLI, and one-line user errors."""

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from pricewise.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["data", "--help"], ["build", "import", "stats"]),
        (["data", "build", "--help"], ["--raw", "--hub", "--extra", "--workers"]),
        (["data", "import", "--help"], ["--map", "--currency", "--out"]),
        (["data", "stats", "--help"], ["shared data files"]),
    ],
)
def test_help(args, expected):
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    for text in expected:
        assert text in result.output


def test_build_raw_then_stats(tmp_path, settings, raw_row, write_jsonl):
    path = write_jsonl(
        tmp_path / "meta_Appliances.jsonl.gz", [raw_row(n, price=20 + n) for n in range(4)] + ["{x"]
    )
    result = runner.invoke(app, ["data", "build", "--raw", str(path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "read 5 rows, kept 4, skipped 1 (malformed_json 1)" in result.output
    assert (settings.artifacts_dir / "data" / "train.parquet").is_file()
    stats = runner.invoke(app, ["data", "stats"])
    assert stats.exit_code == 0, stats.output
    assert "shared: pricer_test_dev.jsonl" in stats.output and "built (raw): train" in stats.output


def test_import_through_the_cli(tmp_path, settings):
    path = tmp_path / "shop.csv"
    path.write_text("product_name,retail_price,description\nLamp,2500,An LED desk lamp with a dimmer\n")
    result = runner.invoke(
        app, ["data", "import", str(path), "--map", "title=name,price=retail_price", "--currency", "INR"]
    )
    assert result.exit_code == 0, result.output
    assert "kept 1" in result.output
    assert (settings.artifacts_dir / "data" / "imported" / "shop.parquet").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["data", "build", "--raw", "no-such-file.jsonl"],
            "error: raw file(s) not found: no-such-file.jsonl",
        ),
        (
            ["data", "build", "--raw", "a.jsonl", "--hub", "Toys"],
            "error: use either --raw or --hub, not both",
        ),
        (["data", "import", "missing.csv"], "error: missing.csv not found"),
    ],
)
def test_user_errors_exit_2_with_one_line(args, message, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pricewise.cli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == message
    assert "Traceback" not in done.stderr


def test_a_usage_error_exits_2_with_usage_not_a_traceback(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pricewise.cli", "data", "build", "--bogus"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert "No such option: --bogus" in done.stderr and "Traceback" not in done.stderr
