"""Data-parallel speed-up of the fine-tuning script on N GPUs, and QLoRA on the real Gemma 3 270M.

Runs on a machine with two or more GPUs after ``benchmarks/gpu/run_llm_folds.sh`` has carried the GGUF
(see its call list). The three runs use the unchanged ``python -m pricewise.llm.train`` entry point
with the same preset, data (fold 0's training items plus the extras), steps and inner validation split:

1. LoRA, bf16, one GPU;
2. the same under ``torchrun --nproc_per_node N`` (data parallel: N x the items per step, no code change);
3. QLoRA (4-bit nf4 double quant, paged AdamW 32-bit) on one GPU.

Writes ``$OUT/llm_multi_gpu.json``: tokens/s of each run, the speed-up and scaling efficiency of run 2
over run 1, and each run's peak GPU memory, train and validation loss.

    python benchmarks/gpu/multi_gpu_qlora.py --gguf /tmp/gemma.gguf --data .gpu/data --out $OUT
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def train_run(name: str, launcher: list[str], args: argparse.Namespace, extra: list[str], env: dict) -> dict:
    out = Path("/tmp/pw-scale") / name
    command = launcher + [
        "-m", "pricewise.llm.train", "--preset", "gemma-270m", "--fold", "0", "--output_dir", str(out),
        "--max_steps", str(args.steps), "--validation_fraction", "0.05", "--eval_steps", str(args.steps),
        "--logging_steps", "25", "--extras", *args.extras, *extra,
    ]  # fmt: skip
    print("$", " ".join(command), flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    stats = json.loads((out / "train_stats.json").read_text())
    return stats | {"command": " ".join(command[command.index("-m") :]), "wall_seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gguf", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--extras", nargs="*", default=["finetune_pool", "six_categories"])
    parser.add_argument("--skip-qlora", action="store_true")
    args = parser.parse_args()
    env = os.environ | {
        "PRICEWISE_DATA_DIR": str(args.data.resolve()),
        "PRICEWISE_ARTIFACTS_DIR": "/tmp/pw-artifacts",
        "TOKENIZERS_PARALLELISM": "false",
    }
    os.environ.update(env)
    import torch

    from pricewise.config import get_settings
    from pricewise.llm.models import FLOAT_COPY_DIR, convert_gguf

    gpus = torch.cuda.device_count()
    float_dir = get_settings().artifacts_dir / FLOAT_COPY_DIR
    if not (float_dir / "config.json").is_file():
        convert_gguf(args.gguf, float_dir)
    report: dict = {"machine": f"{gpus} x {torch.cuda.get_device_name(0)}", "steps": args.steps,
                    "per_device_batch": 32, "extras": args.extras, "runs": {}}  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        (args.out / "llm_multi_gpu.json").write_text(json.dumps(report, indent=2, default=float))

    one_gpu = env | {"CUDA_VISIBLE_DEVICES": "0"}
    report["runs"]["lora_1gpu"] = train_run("lora1", [sys.executable], args, [], one_gpu)
    save()
    if gpus >= 2:
        torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={gpus}"]
        report["runs"][f"lora_{gpus}gpu"] = train_run(f"lora{gpus}", torchrun, args, [], env)
        base, multi = report["runs"]["lora_1gpu"], report["runs"][f"lora_{gpus}gpu"]
        speedup = multi["tokens_per_second"] / base["tokens_per_second"]
        report["data_parallel"] = {"gpus": gpus, "speedup": speedup, "efficiency": speedup / gpus}
        save()
    if not args.skip_qlora:
        qlora = ["--quantize_4bit", "True", "--optim", "paged_adamw_32bit"]
        report["runs"]["qlora_1gpu"] = train_run("qlora1", [sys.executable], args, qlora, one_gpu)
        save()
    print(json.dumps(report, indent=1, default=float))


if __name__ == "__main__":
    main()
