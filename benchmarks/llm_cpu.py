"""CPU pricing throughput of the committed LLM adapter (Gemma 3 270M + LoRA, merged) on this machine,
in float32 and int8 (dynamic quantization of the Linear layers), greedy and expected decoding, with
the roofline of the box (measured sgemm and int8 GEMM rates) and the int8-vs-float32 agreement.

    .venv/bin/python benchmarks/llm_cpu.py --items 32   # writes benchmarks/results/llm_cpu.json

The items are dev items 250.. (not test250). The committed adapter was trained on all dev items, so
the MAE against their true prices is in-sample: it only says whether int8 agrees with float32, it is
never a leaderboard figure. The box is shared: the 1-minute load average is recorded with each run.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np


def load() -> float:
    return round(os.getloadavg()[0], 2)


def gemm_rates(threads: int) -> dict[str, float]:
    """GFLOP/s of the prompt pass's largest matrix product (2880 x 640 x 2048) in float32 and int8."""
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    torch.set_num_threads(threads)
    x, layer = torch.randn(16 * 180, 640), torch.nn.Linear(640, 2048, bias=False)
    qlayer = DynamicLinear(640, 2048, bias_=False, dtype=torch.qint8)
    qlayer.set_weight_bias(torch.quantize_per_tensor(layer.weight.detach(), 0.01, 0, torch.qint8), None)
    flop = 2 * x.shape[0] * 640 * 2048
    rates = {}
    with torch.inference_mode():
        for name, fn in (("fp32_gemm_gflops", layer), ("int8_gemm_gops", qlayer)):
            fn(x)
            best = min(_timed(fn, x) for _ in range(5))
            rates[name] = round(flop / best / 1e9, 1)
    rates["gemm_load_average_1m"] = load()
    return rates


def _timed(fn, x) -> float:  # noqa: ANN001
    started = time.perf_counter()
    fn(x)
    return time.perf_counter() - started


def flop_per_item(model, prompt_tokens: float, tree_tokens: float) -> dict[str, float]:  # noqa: ANN001
    """2 x parameters x tokens: the body for the prompt and tree tokens, the LM head for 1 + tree rows."""
    import torch

    embedding = model.get_input_embeddings().weight.numel()
    body = sum(p.numel() for p in model.parameters()) - embedding
    # a quantized Linear's weight is no parameter: count those layers from their weights
    for module in model.modules():
        if isinstance(module, torch.ao.nn.quantized.dynamic.Linear):
            body += module.weight().numel()
    head = embedding  # tied LM head: vocab x hidden
    body -= head if body > head * 1.5 else 0
    return {
        "non_embedding_parameters": body,
        "lm_head_parameters": head,
        "prompt_gflop": 2 * body * prompt_tokens / 1e9,
        "tree_gflop": 2 * (body + head) * tree_tokens / 1e9,
        "head_gflop": 2 * head / 1e9,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", default=None, help="comma list, e.g. 2,1 (default: llm.threads); the first one is the headline")
    parser.add_argument("--precisions", default="float32,int8")
    parser.add_argument("--out", default="benchmarks/results/llm_cpu.json")
    args = parser.parse_args()
    from pricewise.config import get_settings
    from pricewise.data.sources import dev_items
    from pricewise.evaluation.machine import describe_machine
    from pricewise.llm.encoding import prompt_ids
    from pricewise.llm.inference import length_sorted_batches
    from pricewise.llm.pricer import LLMPricer

    cfg = get_settings().llm
    thread_counts = [int(t) for t in args.threads.split(",")] if args.threads else [cfg.threads]
    threads = thread_counts[0]
    items = dev_items()[250 : 250 + args.items]  # not test250: this measures speed and agreement only
    truth = np.array([i.price for i in items])
    result: dict = {
        "machine": describe_machine(),
        "threads": thread_counts,
        "batch_size": args.batch_size,
        "items": len(items),
        "items_from": "dev_items()[250:] (the adapter was trained on them: MAE is in-sample)",
        **gemm_rates(threads),
        "runs": [],
    }
    estimates: dict[tuple[str, str], np.ndarray] = {}
    for precision in args.precisions.split(","):
        pricer = LLMPricer(batch_size=args.batch_size, cpu_int8=precision == "int8")
        started = time.perf_counter()
        pricer.predict(items[:2])  # load, merge (and quantize) before timing
        import torch

        model, tokenizer, _ = pricer._model()
        lengths = [len(prompt_ids(tokenizer, i.text, pricer.max_prompt_tokens)) for i in items]
        padded = sum(max(lengths[k] for k in b) * len(b) for b in length_sorted_batches(lengths, args.batch_size))
        result["prompt_tokens_mean"] = float(np.mean(lengths))
        result["padding_fraction"] = round(1 - sum(lengths) / padded, 4)
        for method, count in ((m, t) for t in thread_counts for m in ("greedy", "expected")):
            torch.set_num_threads(count)
            pricer.decoding = method
            before = load()
            started = time.perf_counter()
            est = pricer.predict(items).estimate
            seconds = time.perf_counter() - started
            if count == threads:
                estimates[precision, method] = est
            tree_tokens = 12 if method == "expected" else 2
            flop = flop_per_item(model, result["prompt_tokens_mean"], tree_tokens)
            result.setdefault("flop_per_item", {})[method] = {k: round(v, 2) for k, v in flop.items()}
            run = {
                "precision": precision,
                "decoding": method,
                "threads": count,
                "items_per_second": round(len(items) / seconds, 3),
                "seconds": round(seconds, 1),
                "load_average_1m_before": before,
                "load_average_1m_after": load(),
                "effective_gflops": round(len(items) * (flop["prompt_gflop"] + flop["tree_gflop"]) / seconds, 1),
                "mae_in_sample": round(float(np.mean(np.abs(est - truth))), 2),
            }
            result["runs"].append(run)
            print(json.dumps(run), flush=True)
        del pricer, model
    for method in ("greedy", "expected"):
        if ("float32", method) in estimates and ("int8", method) in estimates:
            diff = np.abs(estimates["int8", method] - estimates["float32", method])
            result.setdefault("int8_vs_float32", {})[method] = {
                "mean_abs_difference_usd": round(float(diff.mean()), 2),
                "median_abs_difference_usd": round(float(np.median(diff)), 2),
                "max_abs_difference_usd": round(float(diff.max()), 2),
            }
    flop = result["flop_per_item"]["expected"]
    item_gflop = flop["prompt_gflop"] + flop["tree_gflop"]
    result["roofline"] = {
        "gflop_per_item_expected": round(item_gflop, 1),
        "fp32_ceiling_items_per_second": round(result["fp32_gemm_gflops"] / item_gflop, 2),
        "int8_ceiling_items_per_second": round(result["int8_gemm_gops"] / item_gflop, 2),
        "gflops_needed_for_10_items_per_second": round(10 * item_gflop, 0),
    }
    out = Path(args.out)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
