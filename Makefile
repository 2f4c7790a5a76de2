# budgetq: the two commands a newcomer needs are `make run` and `make test` (see README.md).
SWIFT ?= swift
DATA ?= datasets

.PHONY: run test deps build release clean bench

## run: start budgetq on the bundled datasets
run: deps
	$(SWIFT) build -c release --product budgetq
	./.build/release/budgetq --data $(DATA)

## test: run the whole test suite
test: deps
	$(SWIFT) test

build: deps
	$(SWIFT) build

## deps: install the system library the REPL needs (libedit-dev) when its header is missing
deps:
	@scripts/ensure-deps.sh

clean:
	rm -rf .build

## bench: budgetq vs DuckDB on Q1–Q6 at 1k, 100k and 1M projects (data cached in bench-data/)
bench:
	python3 -c "import duckdb" 2>/dev/null || pip install duckdb
	python3 bench/run.py $(BENCH_ARGS)
