#!/usr/bin/env bash
# `make test`: unit tests (ctest; store tests on SQLite and PostgreSQL),
# integration tests against a real `uslugi serve` on SQLite and on PostgreSQL,
# a short fuzzing run of every parser that sees the network (fuzz/),
# and browser tests in Debian's chromium. A throwaway PostgreSQL runs on a
# loopback port for the duration and is removed afterwards. Ends with one
# summary line and a non-zero exit on any failure.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build="${BUILD_DIR:-build}"
logs="$root/test-artifacts/logs"
rm -rf "$root/test-artifacts"
mkdir -p "$logs"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

pg_dir="$(mktemp -d /tmp/uslugi-pg.XXXXXX)"
cleanup() { scripts/throwaway-postgres.sh stop "$pg_dir"; }
trap cleanup EXIT INT TERM
echo "== starting a throwaway PostgreSQL"
pg_url="$(scripts/throwaway-postgres.sh start "$pg_dir" "$(free_port)")" || { echo "FAILED: could not start PostgreSQL"; exit 1; }
echo "   $pg_url"

passed=0; failed=0; failed_steps=()

# Runs one step, echoing its output and keeping a log; counts its tests.
step() {
  local name="$1" log="$logs/$2.log"; shift 2
  echo "== $name"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]} p=0 f=0
  if grep -qE '^# pass [0-9]+' "$log"; then
    p=$(grep -E '^# pass [0-9]+' "$log" | tail -n1 | awk '{print $3}')
    f=$(grep -E '^# fail [0-9]+' "$log" | tail -n1 | awk '{print $3}')
  elif grep -qE 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log"; then
    local line; line=$(grep -E 'tests failed out of' "$log" | tail -n1)
    f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    p=$(( $(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line") - f ))
  fi
  if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi  # a step that failed without counting still fails
  passed=$((passed + p)); failed=$((failed + f))
  [[ $rc -ne 0 || $f -ne 0 ]] && failed_steps+=("$name")
}

export USLUGI_TEST_POSTGRES_URL="$pg_url"
step "unit tests (GoogleTest; store tests on SQLite and PostgreSQL)" unit \
  ctest --test-dir "$build" --output-on-failure -j2 --timeout 300
step "integration tests on SQLite" integration-sqlite \
  env USLUGI_TEST_DATABASE=sqlite node --test --test-concurrency=1 tests/integration/
step "integration tests on PostgreSQL" integration-postgresql \
  env USLUGI_TEST_DATABASE="$pg_url" node --test --test-concurrency=1 tests/integration/
step "fuzzing smoke run (libFuzzer with ASan + UBSan, every target in fuzz/)" fuzz \
  scripts/fuzz-smoke.sh
step "browser tests (chromium, axe-core)" browser \
  env USLUGI_TEST_DATABASE=sqlite node --test --test-concurrency=1 tests/browser/

echo
if ((${#failed_steps[@]})); then
  echo "FAILED steps: ${failed_steps[*]} (logs in test-artifacts/logs)"
fi
echo "total: $passed passed, $failed failed"
[[ $failed -eq 0 && ${#failed_steps[@]} -eq 0 ]]
