"""A minimal OpenAI-compatible ``/v1/chat/completions`` server over a local causal LM, so the
frontier and RAG pricers can be measured end to end on a machine with no frontier model.

A stand-in until ``pricewise serve-llm`` exists: one request at a time, greedy decoding, and the
messages joined as plain text (the offline Gemma 3 270M is a base model with no chat template), so
the pre-filled "Price is $" is what the model continues. The answer names the model it came from.

    nice -n 10 .venv/bin/python benchmarks/local_chat_server.py --port 8011 &
    .venv/bin/python benchmarks/frontier_rows.py --pricer frontier --base-url http://127.0.0.1:8011/v1 \\
        --model gemma-3-270m --label frontier-gemma3-270m --limit 4
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", default="pypi:gemma3-270m", help="HF id/path, or the offline Gemma alias")
    parser.add_argument(
        "--name", default="gemma-3-270m (base, Q4_K_M de-quantized)", help="model name in answers"
    )
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from pricewise.llm.models import resolve_base

    torch.set_num_threads(args.threads)
    path = resolve_base(args.model)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    lock = threading.Lock()

    def complete(body: dict) -> dict:
        text = "\n\n".join(m["content"] for m in body["messages"])
        inputs = tokenizer(text, return_tensors="pt")
        with lock, torch.no_grad():
            output = model.generate(
                **inputs,
                max_new_tokens=int(body.get("max_tokens") or 8),
                do_sample=False,
                pad_token_id=tokenizer.eos_token_id,
            )
        new = output[0, inputs["input_ids"].shape[1] :]
        return {
            "id": f"chatcmpl-{time.time_ns()}",
            "object": "chat.completion",
            "model": args.name,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": tokenizer.decode(new, skip_special_tokens=True),
                    },
                    "finish_reason": "length",
                }
            ],
            "usage": {"prompt_tokens": int(inputs["input_ids"].shape[1]), "completion_tokens": len(new)},
        }

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/v1/chat/completions":
                self.send_error(404)
                return
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                payload, status = json.dumps(complete(body)).encode(), 200
            except (ValueError, KeyError, TypeError) as exc:
                payload, status = json.dumps({"error": {"message": str(exc)}}).encode(), 400
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"serving {args.name} on http://127.0.0.1:{args.port}/v1", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
