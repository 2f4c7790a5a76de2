# budgetq: the two commands a newcomer needs are `make run` and `make test` (see README.md).
SWIFT ?= swift
DATA ?= datasets

.PHONY: run test deps build release clean bench fuzz test-asan test-tsan

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

## fuzz: run each libFuzzer target (address sanitizer on) for FUZZ_SECONDS (default 600) each
FUZZ_SECONDS ?= 600
FUZZ_TARGETS = FuzzDocuments FuzzLedger FuzzQueryParser FuzzQueryExecution
fuzz:
	cd Fuzz && $(SWIFT) build --sanitize=fuzzer --sanitize=address
	@for t in $(FUZZ_TARGETS); do \
	  corpus=Fuzz/corpus/$$(echo $$t | sed -e 's/Fuzz//' -e 's/\([a-z]\)\([A-Z]\)/\1-\2/g' | tr A-Z a-z); \
	  mkdir -p .build-fuzz/corpus/$$t .build-fuzz/crashes/$$t; \
	  echo "== $$t for $(FUZZ_SECONDS) s (corpus $$corpus)"; \
	  Fuzz/.build/debug/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
	    -artifact_prefix=.build-fuzz/crashes/$$t/ .build-fuzz/corpus/$$t $$corpus || exit 1; \
	done

## test-asan / test-tsan: the whole test suite under the address / thread sanitizer
test-asan: deps
	$(SWIFT) test --sanitize=address --scratch-path .build-asan

test-tsan: deps
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan
