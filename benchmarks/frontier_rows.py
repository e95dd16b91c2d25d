"""Leaderboard rows for the frontier and RAG pricers through any OpenAI-compatible endpoint.

Same protocol as ``pricewise bench`` (fold k priced by a pricer fitted on the other folds, so the RAG
index never holds fold k), but it can stop at test250 (a slow local model cannot answer 1,500 prompts
in reasonable time), and it keeps the run's token usage, cost, failures and the model name the server
reported, which go into the row's notes. Replies are cached: a re-run sends no request.

The local endpoint is ``pricewise serve-llm`` (greedy decoding, concurrent requests batched; the base
Gemma 3 270M by default, no adapter: the committed LLM adapter was trained on every dev item, test250
included, so it would leak). Give the client a long timeout, as a CPU answers slowly::

    nice -n 10 pricewise serve-llm --port 8011 &            # answers as "gemma-3-270m"
    export PRICEWISE_FRONTIER__TIMEOUT_SECONDS=900 PRICEWISE_FRONTIER__CONCURRENCY=8
    nice -n 10 .venv/bin/python benchmarks/frontier_rows.py --pricer rag --base-url http://127.0.0.1:8011/v1 \\
        --model gemma-3-270m --label rag-gemma3-270m-base --set test250 [--limit 4 to time it first]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from pricewise.config import get_settings
from pricewise.data.sources import dev_items, extra_items, is_test250
from pricewise.evaluation.benchmark import (
    concat_estimates,
    fold_splits,
    predict_in_batches,
    record_predictions,
)
from pricewise.evaluation.machine import describe_machine
from pricewise.pricers import registry
from pricewise.pricers.chat_client import ChatReport


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pricer", choices=["frontier", "rag"], required=True)
    parser.add_argument("--model", required=True, help="model name sent to the endpoint")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--set", choices=["test250", "dev1500"], default="test250")
    parser.add_argument("--extra", action="append", default=[], help="extra training file key (RAG index)")
    parser.add_argument(
        "--k", type=int, default=None, help="RAG neighbours (default settings.frontier.rag_k)"
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="price only the first N items per fold (timing runs)"
    )
    args = parser.parse_args()
    settings = get_settings()
    dev = dev_items(settings)
    extra = extra_items(args.extra, settings)
    params = {"model": args.model, "base_url": args.base_url} | (
        {"k": args.k} if args.pricer == "rag" and args.k else {}
    )
    ids, parts = [], []
    report = ChatReport(model=args.model)
    fit_seconds = predict_seconds = 0.0
    for k, fold in enumerate(fold_splits(dev, settings.bench.folds)):
        held_out = set(fold.tolist())
        train = [item for i, item in enumerate(dev) if i not in held_out] + extra
        test = [dev[i] for i in fold if args.set == "dev1500" or is_test250(dev[i].id)][: args.limit]
        pricer = registry.create(args.pricer, **params)
        started = time.perf_counter()
        pricer.fit(train)
        fit_seconds += time.perf_counter() - started
        started = time.perf_counter()
        parts.append(
            predict_in_batches(pricer, test, settings.bench.batch_size, f"{args.label}: fold {k + 1}")
        )
        predict_seconds += time.perf_counter() - started
        ids += [item.id for item in test]
        report = report.add(pricer.last_report_)
        print(f"fold {k}: {len(test)} items, {pricer.last_report_.to_dict()}")
    usage = report.to_dict()
    print(json.dumps(usage, indent=2))
    if args.limit:
        print(
            f"timing run: {len(ids)} items in {predict_seconds:.1f} s ({len(ids) / predict_seconds:.3f} items/s)"
        )
        return
    estimates = concat_estimates(parts)
    served = ", ".join(report.served_models) or args.model
    notes = (
        f"answered by {served} at {args.base_url}; requests {report.requests}, cache hits {report.cache_hits}, "
        f"failures {report.failures} (NaN, counted), tokens {report.prompt_tokens} in / {report.completion_tokens} out, "
        f"cost {'unknown (no price for this model)' if report.cost_usd is None else f'${report.cost_usd:.4f}'}; "
        f"throughput measured with cache hits included: {report.cache_hits} of {report.requests}"
    )
    record_predictions(
        args.label,
        ids,
        estimates,
        fit_seconds=fit_seconds,
        items_per_second=len(ids) / predict_seconds if predict_seconds else None,
        machine=describe_machine(),
        notes=notes,
        extras=args.extra,
        pricer=args.pricer,
        params=params,
        settings=settings,
    )
    print(f"recorded {args.label}: {np.isnan(estimates.estimate).sum()} failures of {len(ids)}")


if __name__ == "__main__":
    main()
