# budgetq: the two commands a newcomer needs are `make run` and `make test` (see README.md).
SWIFT ?= swift
DATA ?= datasets

.PHONY: run test deps build release clean bench fuzz test-asan test-tsan labels install reference

## run: start budgetq on the bundled datasets
run: deps
	$(SWIFT) build -c release --product budgetq
	./.build/release/budgetq --data $(DATA)

## test: run the whole test suite
test: deps
	$(SWIFT) test

## install: build the release binary and copy it to $(PREFIX)/bin: /usr/local/bin when writable, else ~/.local/bin
PREFIX ?= $(shell [ -w /usr/local/bin ] && echo /usr/local || echo $$HOME/.local)
INSTALL_BINARY ?= .build/release/budgetq
install: deps
	$(SWIFT) build -c release --product budgetq
	install -d "$(PREFIX)/bin"
	install -m 755 "$(INSTALL_BINARY)" "$(PREFIX)/bin/budgetq"
	@echo "installed $(PREFIX)/bin/budgetq"
	@case ":$$PATH:" in *":$(PREFIX)/bin:"*) ;; *) echo "note: $(PREFIX)/bin is not on your PATH; add it with: export PATH=\"$(PREFIX)/bin:\$$PATH\"" ;; esac

## reference: rewrite the README's language reference from `budgetq reference`
reference:
	$(SWIFT) build --product budgetq
	scripts/update-reference.sh

build: deps
	$(SWIFT) build

## deps: install the system library the REPL needs (libedit-dev) when its header is missing
deps:
	@scripts/ensure-deps.sh

## labels: build datasets/labels.tsv (the label synonyms) into budgetq as its default
labels:
	scripts/embed-labels.sh

clean:
	rm -rf .build

## bench: budgetq vs DuckDB on Q1–Q6 at 1k, 100k and 1M projects (data cached in bench-data/)
bench:
	python3 -c "import duckdb" 2>/dev/null || pip install duckdb
	python3 bench/run.py $(BENCH_ARGS)

## fuzz: build the libFuzzer targets (address sanitizer on) and run each for FUZZ_SECONDS (default 600)
FUZZ_SECONDS ?= 600
# The coverage flags: --sanitize=fuzzer alone leaves the Swift modules without counters (cov: 0) on
# this toolchain. The build takes the team's build lock; the runs do not (one target at a time, niced).
FUZZ_COVERAGE = -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table
fuzz:
	cd Fuzz && flock /tmp/swift-build.lock $(SWIFT) build --sanitize=fuzzer --sanitize=address $(FUZZ_COVERAGE)
	nice -n 10 scripts/fuzz-all.sh $(FUZZ_SECONDS)

## test-asan / test-tsan: the whole test suite under the address / thread sanitizer
test-asan: deps
	$(SWIFT) test --sanitize=address --scratch-path .build-asan

test-tsan: deps
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan
