#!/usr/bin/env bash
# Runs every libFuzzer target for $1 seconds (default 600) each, one after another, collecting
# crashes in .build-fuzz/crashes/TARGET/ and the grown corpus in .build-fuzz/corpus/TARGET/.
# Fork mode keeps fuzzing after a crash so that one run finds all it can. Leak detection is off:
# LeakSanitizer reports the harness's global store (a Swift global) as leaked at exit.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
for target in FuzzDocuments FuzzLedger FuzzQueryParser FuzzQueryExecution FuzzOffice; do
  corpus=Fuzz/corpus/$(echo "$target" | sed -e 's/Fuzz//' -e 's/\([a-z]\)\([A-Z]\)/\1-\2/g' | tr 'A-Z' 'a-z')
  mkdir -p ".build-fuzz/corpus/$target" ".build-fuzz/crashes/$target"
  echo "== $target for $seconds s (seed corpus $corpus)"
  ASAN_OPTIONS=symbolize=0:detect_leaks=0 "Fuzz/.build/debug/$target" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix=".build-fuzz/crashes/$target/" ".build-fuzz/corpus/$target" "$corpus" 2>&1 | grep -E "^#|INFO: fuzzed|crash|ERROR|DONE" | tail -5
  echo "   crashes: $(ls ".build-fuzz/crashes/$target" | wc -l)"
done
