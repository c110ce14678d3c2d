#!/usr/bin/env bash
# A short fuzzing run of every target in fuzz/ (docs/testing.md), for `make test`:
# builds them with clang++ in build-fuzz, then runs each for FUZZ_SECONDS from
# its seed corpus in fuzz/corpus/<target>. Any crash, sanitizer report or broken
# invariant fails that target; its input is kept in test-artifacts/fuzz/.
# Prints node:test-style "# pass N" / "# fail N" lines for scripts/run-tests.sh.
#   FUZZ_SECONDS=300 scripts/fuzz-smoke.sh          # a longer run
#   scripts/fuzz-smoke.sh http_request validators   # some targets only
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build="${FUZZ_BUILD_DIR:-build-fuzz}"
seconds="${FUZZ_SECONDS:-10}"
artifacts="$root/test-artifacts/fuzz"
mkdir -p "$artifacts"

targets=("$@")
if ((${#targets[@]} == 0)); then
  for dir in fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

echo "building the fuzz targets (clang++, libFuzzer, ASan + UBSan) in $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DUSLUGI_FUZZ=ON \
  -DUSLUGI_BUILD_TESTS=OFF -DUSLUGI_BUILD_BENCH=OFF >/dev/null || { echo "# pass 0"; echo "# fail 1"; exit 1; }
start=$(date +%s)
if ! nice -n 10 cmake --build "$build" --target fuzz -j2 -- --no-print-directory >"$artifacts/build.log" 2>&1; then
  grep -vE '^\[' "$artifacts/build.log" | tail -n 40
  echo "# pass 0"; echo "# fail 1"; exit 1
fi
echo "built in $(( $(date +%s) - start ))s"

# Reports print with symbolized stack traces; leaks count as findings.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

passed=0; failed=0
for t in "${targets[@]}"; do
  exe="$build/fuzz/fuzz_$t"
  log="$artifacts/$t.log"
  # New inputs go to a scratch folder: the seed corpus in git stays as written.
  scratch="$(mktemp -d /tmp/uslugi-fuzz-$t.XXXXXX)"
  nice -n 10 "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" "$scratch" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  rm -rf "$scratch"
  stats="$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)"
  runs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')"
  if [[ $rc -eq 0 ]]; then
    passed=$((passed + 1))
    echo "ok   $t: $runs runs in ${seconds}s, $stats"
  else
    failed=$((failed + 1))
    echo "FAIL $t (exit $rc): the input is in $artifacts/, the report follows"
    grep -E 'ERROR|SUMMARY|invariant|runtime error|#[0-9]+ 0x' "$log" | head -n 30
  fi
done
echo "# pass $passed"
echo "# fail $failed"
[[ $failed -eq 0 ]]
