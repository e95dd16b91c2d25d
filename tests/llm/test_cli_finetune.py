"""``pricewise finetune`` and the training script's command line, on a tiny model."""

from __future__ import annotations

import re
import subprocess
import sys

from typer.testing import CliRunner

from pricewise.cli import app
from pricewise.llm.train import PRESETS, config_from_args


def test_only_given_options_override_the_preset():
    course = PRESETS["llama-3.1-8b-course"]
    # 2e-4 is the dataclass default: given explicitly, it must still beat the preset's 1e-4
    config = config_from_args(["--preset", "llama-3.1-8b-course", "--learning_rate", "2e-4", "--fold", "0"])
    assert config.learning_rate == 2e-4 and config.fold == 0
    assert (config.lora_r, config.quantize_4bit, config.optim) == (course["lora_r"], True, course["optim"])
    plain = config_from_args(["--preset", "llama-3.1-8b-course", "--no_bf16"])
    assert plain.learning_rate == course["learning_rate"] and plain.bf16 is False
    assert config_from_args(["--max-steps", "7"]).max_steps == 7  # the hyphenated spelling counts too


def test_finetune_installs_an_adapter_that_prices(tiny_model, tmp_path):
    kind, model_dir = tiny_model
    runner = CliRunner()
    trained = runner.invoke(app, [
        "finetune", "--base-model", str(model_dir), "--max-steps", "2", "--batch-size", "4",
        "--output-dir", str(tmp_path / "adapter"),
    ])  # fmt: skip
    assert trained.exit_code == 0, trained.output
    assert (tmp_path / "adapter" / "adapter_config.json").is_file()
    assert "installed the LLM pricer" in trained.output
    priced = runner.invoke(app, ["price", "--pricer", "llm", "blue widget steel"])
    assert priced.exit_code == 0, priced.output
    assert re.search(r"\$\d+(\.\d+)?", priced.output), priced.output


def test_finetune_refuses_a_folder_without_an_adapter(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pricewise.cli", "finetune", "--adapter", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {tmp_path} holds no LoRA adapter")
    assert "Traceback" not in result.stderr
