#!/usr/bin/env bash
# `make test-sanitize`: the unit tests and the integration tests against a
# `uslugi` built with AddressSanitizer + UndefinedBehaviorSanitizer (and
# LeakSanitizer at exit) in build-asan (docs/testing.md). Every process the
# tests start inherits the options below; a report is written to
# test-artifacts/sanitizer/ and fails the run even if the test that caused it
# happened to pass. Ends with the same summary line as scripts/run-tests.sh.
#   scripts/test-sanitize.sh                # unit + integration on SQLite
#   scripts/test-sanitize.sh --postgresql   # and integration on PostgreSQL too
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build="${SANITIZE_BUILD_DIR:-build-asan}"
with_postgresql=0
[[ "${1:-}" == "--postgresql" ]] && with_postgresql=1
logs="$root/test-artifacts/logs"
reports="$root/test-artifacts/sanitizer"
rm -rf "$reports"
mkdir -p "$logs" "$reports"

echo "== building with -fsanitize=address,undefined in $build"
start=$(date +%s)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUSLUGI_SANITIZE=address,undefined \
  -DUSLUGI_BUILD_BENCH=OFF >/dev/null || exit 1
if ! nice -n 10 cmake --build "$build" -j2 -- --no-print-directory >"$logs/sanitize-build.log" 2>&1; then
  grep -vE '^\[' "$logs/sanitize-build.log" | tail -n 40
  echo "FAILED: the sanitized build"; exit 1
fi
echo "   built in $(( $(date +%s) - start ))s"

# A report goes to a file per process (the tests capture stderr and may not show it);
# stack traces are symbolized; leaks are findings (suppressions: third-party only).
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:halt_on_error=1:symbolize=1:detect_stack_use_after_return=0:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/scripts/sanitize-lsan.supp:print_suppressions=0"
export USLUGI_BINARY="$root/$build/uslugi"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
pg_dir="$(mktemp -d /tmp/uslugi-pg.XXXXXX)"
cleanup() { scripts/throwaway-postgres.sh stop "$pg_dir"; }
trap cleanup EXIT INT TERM
pg_url="$(scripts/throwaway-postgres.sh start "$pg_dir" "$(free_port)")" || { echo "FAILED: could not start PostgreSQL"; exit 1; }
export USLUGI_TEST_POSTGRES_URL="$pg_url"

failed_steps=()
passed=0; failed=0
# Runs one step with its log; counts tests as scripts/run-tests.sh does.
step() {
  local name="$1" log="$logs/$2.log"; shift 2
  echo "== $name"
  local t0=$(date +%s)
  "$@" >"$log" 2>&1
  local rc=$? p=0 f=0
  grep -E '^# (pass|fail)|tests passed|^not ok|\(Failed\)' "$log"
  if grep -qE '^# pass [0-9]+' "$log"; then
    p=$(grep -E '^# pass [0-9]+' "$log" | tail -n1 | awk '{print $3}')
    f=$(grep -E '^# fail [0-9]+' "$log" | tail -n1 | awk '{print $3}')
  elif grep -qE 'tests failed out of [0-9]+' "$log"; then
    local line; line=$(grep -E 'tests failed out of' "$log" | tail -n1)
    f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    p=$(( $(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line") - f ))
  fi
  if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  [[ $rc -ne 0 || $f -ne 0 ]] && failed_steps+=("$name")
  echo "   $(( $(date +%s) - t0 ))s"
}

# Server.KeepsAcceptingWhenOutOfDescriptors counts the process's descriptors
# exactly and lowers RLIMIT_NOFILE to two above them; the sanitizer runtime
# opens and closes descriptors of its own, so it runs in `make test` only.
step "unit tests (sanitized)" sanitize-unit ctest --test-dir "$build" --output-on-failure -j2 --timeout 600 \
  -E '^Server\.KeepsAcceptingWhenOutOfDescriptors$'
# identity_signin.test.mjs checks one-second brute-force waits to the second;
# Argon2 under the sanitizers takes a good part of that second, so those
# windows are checked in `make test` only (sign-in itself runs in nearly every
# other identity test here).
integration_files=()
for f in tests/integration/*.test.mjs; do
  [[ "$f" == */identity_signin.test.mjs ]] || integration_files+=("$f")
done
step "integration tests on SQLite (sanitized uslugi)" sanitize-integration-sqlite \
  env USLUGI_TEST_DATABASE=sqlite node --test --test-concurrency=1 "${integration_files[@]}"
if ((with_postgresql)); then
  step "integration tests on PostgreSQL (sanitized uslugi)" sanitize-integration-postgresql \
    env USLUGI_TEST_DATABASE="$pg_url" node --test --test-concurrency=1 "${integration_files[@]}"
fi

shopt -s nullglob
found=("$reports"/*)
if ((${#found[@]})); then
  echo
  echo "FAILED: ${#found[@]} sanitizer report(s) in test-artifacts/sanitizer/:"
  for f in "${found[@]}"; do echo "--- $f"; head -n 60 "$f"; done
  failed_steps+=("sanitizer reports")
  failed=$((failed + ${#found[@]}))
fi

echo
((${#failed_steps[@]})) && echo "FAILED steps: ${failed_steps[*]} (logs in test-artifacts/logs)"
echo "sanitized total: $passed passed, $failed failed"
[[ $failed -eq 0 && ${#failed_steps[@]} -eq 0 ]]
