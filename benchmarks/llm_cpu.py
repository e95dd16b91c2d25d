"""CPU pricing throughput of the committed LLM adapter (Gemma 3 270M + LoRA, merged) on this machine.

    .venv/bin/python benchmarks/llm_cpu.py --items 64   # writes benchmarks/results/llm_cpu.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    from pricewise.config import get_settings
    from pricewise.data.sources import dev_items
    from pricewise.evaluation.machine import describe_machine
    from pricewise.llm.encoding import prompt_ids
    from pricewise.llm.pricer import LLMPricer

    items = dev_items()[250 : 250 + args.items]  # not test250: this measures speed only
    pricer = LLMPricer(batch_size=args.batch_size)
    pricer.predict(items[:2])  # load and merge the model before timing
    tokenizer = pricer._model()[1]
    result = {
        "machine": describe_machine(),
        "load_average_1m": os.getloadavg()[0],
        "dtype": get_settings().llm.cpu_dtype,
        "batch_size": args.batch_size,
        "items": len(items),
        "prompt_tokens_mean": sum(len(prompt_ids(tokenizer, i.text, pricer.max_prompt_tokens)) for i in items) / len(items),
    }
    for method in ("greedy", "expected"):
        pricer.decoding = method
        started = time.perf_counter()
        pricer.predict(items)
        result[f"{method}_items_per_second"] = len(items) / (time.perf_counter() - started)
    out = Path("benchmarks/results/llm_cpu.json")
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
