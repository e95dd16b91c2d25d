# The two commands of the README: `make demo` (set-up + main job) and `make test`.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SHARED  ?= ../shared/data
export PYTHONUNBUFFERED := 1

.PHONY: demo test test-slow venv bench clean

venv: $(STAMP)

# torch first, pinned: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[all,dev]'
	touch $(STAMP)

# The main job, offline: data -> benchmark -> train the default pricer -> price examples -> deal scan.
# Its benchmark rows and leaderboard go to artifacts/demo/, so the committed ones stay as they are.
demo: venv
	$(BIN)/pricewise data build
	$(BIN)/pricewise data stats
	PRICEWISE_BENCH__RESULTS_DIR=artifacts/demo/results $(BIN)/pricewise bench --pricer random --pricer constant
	$(BIN)/pricewise train
	$(BIN)/pricewise price "Samsung 55-Inch Class Crystal UHD 4K Smart TV (UN55TU7000) with HDR and Alexa built-in"
	$(BIN)/pricewise price "EveryDrop by Whirlpool Ice and Water Refrigerator Filter 1, EDR1RXD1, single pack"
	$(BIN)/pricewise price "DEWALT 20V MAX Cordless Drill / Driver Kit, compact, 1/2-inch, two batteries and charger (DCD771C2)"
	$(BIN)/pricewise price --file $(SHARED)/amazon/pricer_test_dev.jsonl --out artifacts/demo/priced_dev.parquet
	$(BIN)/pricewise deals scan --once --serve-snapshots $(SHARED)/feeds
	@echo "Leaderboard of these runs: artifacts/demo/leaderboard.md; of every pricer: benchmarks/leaderboard.md"

test: venv
	$(BIN)/python -m pytest -q

test-slow: venv
	PRICEWISE_SLOW_TESTS=1 $(BIN)/python -m pytest -q

clean:
	rm -rf artifacts .pytest_cache
