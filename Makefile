# The two commands of the README: `make demo` (set-up + main job) and `make test`.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
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

demo: venv
	$(BIN)/pricewise data stats
	$(BIN)/pricewise bench --pricer random --pricer constant

test: venv
	$(BIN)/python -m pytest -q

test-slow: venv
	PRICEWISE_SLOW_TESTS=1 $(BIN)/python -m pytest -q

clean:
	rm -rf artifacts .pytest_cache
