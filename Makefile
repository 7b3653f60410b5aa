# One task runner. Every target works on a fresh machine with only Python: it builds .venv itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := demo.db
# The saved 1M runs (`make bench-large`), merged into BENCHMARKS.md beside the full preset's figures.
MERGE_LARGE = $$(for f in bench/large-*.json; do test -f "$$f" && printf -- '--merge %s ' "$$f"; done)

.PHONY: demo test lint eval bench bench-large clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f $(DEMO_DB)
	$(BIN)/accord --db sqlite:///$(DEMO_DB) ingest examples/corpus
	$(BIN)/accord --db sqlite:///$(DEMO_DB) meetings
	$(BIN)/accord --db sqlite:///$(DEMO_DB) audit $$($(BIN)/accord --db sqlite:///$(DEMO_DB) meetings --ids | head -n 1)
	$(BIN)/accord --db sqlite:///$(DEMO_DB) rebuild --check
	$(BIN)/accord --db sqlite:///$(DEMO_DB) verify

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

eval: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/accord eval synthetic -n 1000 --seed 3 --no-baseline   # the full report, worst errors explained
	$(BIN)/python -m bench.quality   # every corpus beside the baseline -> bench/quality.md
	test ! -f bench/last-run.json || $(BIN)/python -m bench.run --out BENCHMARKS.md --render bench/last-run.json $(MERGE_LARGE)

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m bench.run --out BENCHMARKS.md $(MERGE_LARGE)

# The 1M-event rebuild (SQLite), match latency at 1M stored meetings (both databases), and ingest at 100k
# (SQLite) and 10k (PostgreSQL) take longer than `make bench` should (~50-60 min): run them apart;
# `make bench` and `make eval` merge every bench/large-*.json into BENCHMARKS.md.
bench-large: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m bench.run --preset large --only rebuild --backends sqlite --out /tmp/accord-large.md --json bench/large-rebuild.json
	$(BIN)/python -m bench.run --preset large --only match --backends sqlite --out /tmp/accord-large.md --json bench/large-match.json
	$(BIN)/python -m bench.run --preset large --only match --backends postgresql --out /tmp/accord-large.md --json bench/large-match-postgresql.json
	$(BIN)/python -m bench.run --preset large --only ingest --out /tmp/accord-large.md --json bench/large-ingest.json
	$(BIN)/python -m bench.run --out BENCHMARKS.md --render bench/last-run.json $(MERGE_LARGE)

clean:
	rm -rf $(VENV) $(DEMO_DB) .pytest_cache .mypy_cache .ruff_cache
