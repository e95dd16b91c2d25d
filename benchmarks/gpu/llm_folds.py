"""The LLM pricer's GPU procedure: out-of-fold fine-tuning of Gemma 3 270M and its figures.

Runs on the GPU machine (``benchmarks/gpu/run_llm_folds.sh`` carries the model there and calls this):

1. de-quantize the GGUF to a float copy (the same code as on a laptop: ``pricewise.llm.models``);
2. price all 1,500 dev items zero-shot (greedy and expected-value decoding): the base model learns
   nothing from the dev items, so these rows are out of fold as they are;
3. choose the learning rate on an inner validation split of fold 0's training items (never fold 0);
4. for each fold k: fine-tune on the other folds' dev items plus the extras, price fold k both ways;
5. fine-tune on all dev items plus the extras: the adapter served on CPU (``models/``).

Writes into ``--out``: ``oof_<row>.csv`` (id, truth, estimate, low, high), ``llm_gpu.json`` (training
tokens/s, MFU, pricing items/s and roofline ratio, peak memory, per-fold stats) and ``adapter.tar.gz``.

    python benchmarks/gpu/llm_folds.py --gguf /tmp/gemma.gguf --data .gpu/data --out $OUT
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tarfile
import time
from pathlib import Path

import numpy as np

#: bf16 dense matrix-product ceiling measured on the H100 of this workplace (shared/README.md).
PEAK_TFLOPS = {"H100": 790.0, "H200": 790.0}


def write_oof(path: Path, items, estimates) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "truth", "estimate", "low", "high"])
        for k, item in enumerate(items):
            writer.writerow([item.id, item.price, estimates.estimate[k], estimates.low[k], estimates.high[k]])


def timed_predict(pricer, items, batch_size: int):
    import torch

    from pricewise.evaluation.benchmark import predict_in_batches

    torch.cuda.synchronize()
    started = time.perf_counter()
    estimates = predict_in_batches(pricer, items, batch_size)
    torch.cuda.synchronize()
    return estimates, len(items) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gguf", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--extras", nargs="*", default=["finetune_pool", "six_categories"])
    parser.add_argument("--folds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--lrs", type=float, nargs="*", default=[2e-4, 1e-3])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--skip-final", action="store_true")
    parser.add_argument("--skip-zero-shot", action="store_true", help="rows already made by an earlier call")
    parser.add_argument("--lr", type=float, help="skip the sweep: the learning rate an earlier call chose")
    parser.add_argument("--params", type=int, help="parameter count, when --skip-zero-shot")
    parser.add_argument("--prompt-tokens", type=float, help="mean prompt tokens, when --skip-zero-shot")
    args = parser.parse_args()

    os.environ["PRICEWISE_DATA_DIR"] = str(args.data.resolve())
    os.environ["PRICEWISE_ARTIFACTS_DIR"] = "/tmp/pw-artifacts"
    import torch

    from pricewise.config import get_settings
    from pricewise.data.sources import dev_items, fold_of
    from pricewise.evaluation.benchmark import concat_estimates
    from pricewise.llm.models import convert_gguf, offline_gemma_dir
    from pricewise.llm.pricer import LLMPricer, ZeroShotLLMPricer
    from pricewise.llm.train import preset, train, training_items

    settings = get_settings()
    float_dir = settings.artifacts_dir / "llm" / "gemma-3-270m"
    if not (float_dir / "config.json").is_file():
        convert_gguf(args.gguf, float_dir)
    assert offline_gemma_dir(settings) == float_dir
    args.out.mkdir(parents=True, exist_ok=True)
    gpu = torch.cuda.get_device_name(0)
    peak = next((v for k, v in PEAK_TFLOPS.items() if k in gpu), 790.0)
    report: dict = {"machine": gpu, "peak_bf16_tflops": peak, "extras": args.extras, "folds": {}}
    dev = dev_items(settings)

    def save() -> None:
        (args.out / "llm_gpu.json").write_text(json.dumps(report, indent=2, default=float))

    # 2. zero-shot rows, and the pricing throughput of the model
    params, prompt_tokens = args.params, args.prompt_tokens
    if not args.skip_zero_shot:
        zero = ZeroShotLLMPricer(batch_size=args.batch_size)
        for method in ("greedy", "expected"):
            zero.decoding = method
            estimates, rate = timed_predict(zero, dev, args.batch_size)
            write_oof(args.out / f"oof_zero_{method}.csv", dev, estimates)
            report[f"zero_shot_{method}_items_per_second"] = rate
        from pricewise.llm.encoding import prompt_ids

        tokenizer = zero._model()[1]
        prompt_tokens = float(np.mean([len(prompt_ids(tokenizer, i.text, zero.max_prompt_tokens)) for i in dev]))
        params = sum(p.numel() for p in zero._model()[0].parameters())
        del zero
    report.update(prompt_tokens_mean=prompt_tokens, parameters=params)
    save()

    # 3. learning rate by inner validation inside fold 0's training items
    base = preset("gemma-270m", extras=args.extras)
    sweep = {}
    for lr in [] if args.lr else args.lrs:
        cfg = preset("gemma-270m", extras=args.extras, fold=0, learning_rate=lr, validation_fraction=0.1,
                     eval_steps=10**6, output_dir=f"/tmp/sweep-{lr}")
        stats = train(cfg, training_items(cfg, settings), settings, progress=False)
        sweep[str(lr)] = stats["eval_loss"]
    best_lr = args.lr or float(min(sweep, key=sweep.get))
    report.update(lr_sweep_eval_loss=sweep, learning_rate=best_lr, preset={**base.__dict__, "learning_rate": best_lr})
    save()

    # 4. the five folds
    rows = {"greedy": ([], []), "expected": ([], [])}
    for k in args.folds:
        cfg = preset("gemma-270m", extras=args.extras, fold=k, learning_rate=best_lr, output_dir=f"/tmp/fold{k}")
        done = Path(cfg.output_dir) / "train_stats.json"
        # a fold an earlier call trained (the machine stayed warm) is priced, not retrained
        stats = json.loads(done.read_text()) if done.is_file() else train(cfg, training_items(cfg, settings), settings, progress=False)
        held = [i for i in dev if fold_of(i.id) == k]
        pricer = LLMPricer(adapter=cfg.output_dir, batch_size=args.batch_size)
        for method in ("greedy", "expected"):
            pricer.decoding = method
            estimates, rate = timed_predict(pricer, held, args.batch_size)
            rows[method][0].extend(held)
            rows[method][1].append(estimates)
            stats[f"{method}_items_per_second"] = rate
        report["folds"][k] = stats
        for name, (so_far, parts) in rows.items():
            write_oof(args.out / f"oof_finetuned_{name}.csv", so_far, concat_estimates(parts))
        del pricer
        torch.cuda.empty_cache()
        save()

    # 5. the adapter for serving: every dev item plus the extras
    if not args.skip_final:
        cfg = preset("gemma-270m", extras=args.extras, learning_rate=best_lr, output_dir="/tmp/final")
        report["final"] = train(cfg, training_items(cfg, settings), settings, progress=False)
        with tarfile.open(args.out / "adapter.tar.gz", "w:gz") as tar:
            tar.add("/tmp/final", arcname="adapter", filter=lambda m: None if "checkpoint" in m.name else m)

    folds = report["folds"].values()
    tokens_per_s = float(np.mean([f["tokens_per_second"] for f in folds]))
    expected_rate = float(np.mean([f["expected_items_per_second"] for f in folds]))
    greedy_rate = float(np.mean([f["greedy_items_per_second"] for f in folds]))
    report.update(
        train_tokens_per_second=tokens_per_s,
        # 6 x parameters FLOPs per trained token (forward + backward), the usual MFU convention
        mfu=6 * params * tokens_per_s / (peak * 1e12),
        pricing_items_per_second={"greedy": greedy_rate, "expected": expected_rate},
        # the prompt pass alone needs 2 x parameters x prompt tokens FLOPs per item
        roofline_items_per_second=peak * 1e12 / (2 * params * prompt_tokens),
        peak_gpu_memory_gb=max(f["peak_gpu_memory_gb"] for f in folds),
    )
    report["roofline_ratio"] = {m: r / report["roofline_items_per_second"] for m, r in report["pricing_items_per_second"].items()}
    save()
    print(json.dumps({k: v for k, v in report.items() if k != "folds"}, indent=1, default=float))


if __name__ == "__main__":
    main()
