#!/usr/bin/env bash
# Sign-ins per second through HTTP (POST /api/v1/identity/signin with the
# right password, JSON, CSRF token, session rotation, audit entry) against
# raw Argon2id verifications per second with the same parameters
# (build/argon2_bench). Argon2id is meant to dominate a sign-in, so the target
# is a ratio of at least 0.9.
#
# One account per connection is registered through the API the way a person
# does it (code from the sandbox SMS gateway): at a peak different people sign
# in at once, and one login's attempts in flight are limited on purpose. Then
# wrk drives sign-ins: each wrk thread holds one connection, one account and
# one browser session; a sign-in replaces the
# session and its CSRF token, so every sign-in is preceded by
# GET /api/v1/session on the new cookie for the new token (as the sign-in form
# is in a browser). Only sign-ins are counted. Right passwords are never
# throttled (the login and address counters count failures only).
#
# The machine is shared and noisy, so the two alternate in short rounds and
# the median of the per-round ratios is reported. Both sides run at most as
# many Argon2 computations at once as there are cores: the raw benchmark on
# THREADS = cores threads, the server by its own limit (one per core,
# IdentityService::verify_password). On a shared machine the scheduler gives
# each runnable thread its share, so more Argon2 threads on one side would
# buy it more of the machine. The server is asked over twice as many
# connections as cores, as at a peak: what is measured is its capacity, not
# how long one client waits between two requests of its own. The
# CPU time per operation (the server's per sign-in, everything included; the
# raw benchmark's per verification) is printed too: it moves much less with
# the neighbours' load than the rates do.
#
# Usage: bench/signin_vs_argon2.sh
#   ROUNDS (5), SECONDS_PER_ROUND (8), THREADS (cores: Argon2 threads),
#   CONNECTIONS (2 × THREADS: concurrent sign-ins, each of its own account), USLUGI_ARGS (extra serve
#   arguments), BENCH_POSTGRES_URL (a PostgreSQL server URL: run on a fresh
#   schema there instead of SQLite).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ -d "$here/../build" && -z "${USLUGI_BINARY:-}" ]]; then
  cmake --build "$here/../build" --target uslugi argon2_bench -j"$(nproc)" >/dev/null
fi
source "$here/lib.sh"
argon2_bench="${ARGON2_BENCH:-$root/build/argon2_bench}"
[[ -x "$argon2_bench" ]] || { echo "build first: make build" >&2; exit 1; }

cores=$(nproc)
rounds="${ROUNDS:-5}"
seconds="${SECONDS_PER_ROUND:-8}"
threads="${THREADS:-$cores}"
connections="${CONNECTIONS:-$((2 * threads))}"
password="violet tractor umbrella justice marble"

BENCH_DIR="$(mktemp -d /tmp/uslugi-bench.XXXXXX)"
PG_SCHEMA=""
trap stop_bench_servers EXIT

# ---- the sandbox of external systems (the SMS gateway), then the portal ----
start_registries "$BENCH_DIR"
bench_database "$BENCH_DIR"
start_uslugi_on "$BENCH_DIR" "$BENCH_DATABASE" --registries-url "$REG_URL" ${USLUGI_ARGS:-}

# ---- one account per connection, registered through the API ----
logins=()
for i in $(seq 1 "$connections"); do
  phone=$(printf '+791612345%02d' "$i")
  register_account "$phone" "$password" "Смирнова" "Анна"
  logins+=("\"$phone\"")
done
sign_in_sid "$phone" "$password" >/dev/null

# ---- wrk: sign-ins, one session per connection ----
cat >"$BENCH_DIR/signin.lua" <<LUA
-- One connection per wrk thread, so the thread's state is the connection's;
-- each signs in to an account of its own.
local logins = {$(IFS=,; echo "${logins[*]}")}
body = nil
-- A visitor without a session has a signed CSRF cookie ("csrf"), a signed-in
-- one a session cookie ("sid"); the browser sends back whichever it holds.
jar, csrf, pending = {}, nil, nil
function cookies()
  local parts = {}
  for name, value in pairs(jar) do table.insert(parts, name .. "=" .. value) end
  return table.concat(parts, "; ")
end
signins, failures = 0, 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("body", '{"login":"' .. logins[#threads] .. '","password":"$password"}')
end
function request()
  if csrf == nil then
    pending = "session"
    local h = {}
    if cookies() ~= "" then h["Cookie"] = cookies() end
    return wrk.format("GET", "/api/v1/session", h)
  end
  pending = "signin"
  return wrk.format("POST", "/api/v1/identity/signin",
    {["Cookie"] = cookies(), ["X-CSRF-Token"] = csrf, ["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  local set = headers["Set-Cookie"] or headers["set-cookie"]
  if set then
    local name, v = set:match("^(%w+)=([^;]*)")
    if name then jar[name] = (v ~= "" and v or nil) end
  end
  if pending == "session" then
    csrf = body:match('"csrf_token":"([^"]+)"')
  else
    if status == 200 and body:find('"signed_in":true', 1, true) then signins = signins + 1 else failures = failures + 1 end
    csrf = nil  -- the sign-in replaced the session and its CSRF token
  end
end
function done(summary, latency, requests)
  local n, f = 0, 0
  for _, t in ipairs(threads) do n = n + t:get("signins"); f = f + t:get("failures") end
  io.write(string.format("signins %d failures %d seconds %.3f rate %.2f\n", n, f,
    summary.duration / 1e6, n / (summary.duration / 1e6)))
end
LUA

# User + system CPU of the server, in clock ticks; on PostgreSQL the server's
# database connections (their backend processes, found once after the warm-up)
# count too, as they would on a machine of its own.
db_pids=""
cpu_ticks() {
  local pid total=0
  for pid in "$USLUGI_PID" $db_pids; do
    [[ -r "/proc/$pid/stat" ]] && total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}
tick=$(getconf CLK_TCK)
# signin_rate SECONDS: sign-ins per second; leaves the server's CPU
# milliseconds per sign-in in $BENCH_DIR/cpu_ms.
signin_rate() {
  local before after
  before=$(cpu_ticks)
  /usr/bin/time -f "%U %S" -o "$BENCH_DIR/wrk.time" \
    wrk -t"$connections" -c"$connections" -d"${1}s" -s "$BENCH_DIR/signin.lua" "$USLUGI_URL" >"$BENCH_DIR/wrk.out" 2>&1
  after=$(cpu_ticks)
  local failures signins; failures=$(awk '/^signins/ {print $4}' "$BENCH_DIR/wrk.out")
  [[ "$failures" == "0" ]] || { echo "failed sign-ins:" >&2; cat "$BENCH_DIR/wrk.out" >&2; }
  signins=$(awk '/^signins/ {print $2}' "$BENCH_DIR/wrk.out")
  echo "($after - $before) * 1000 / $tick / $signins" | bc -l >"$BENCH_DIR/cpu_ms"
  awk -v n="$signins" '{print ($1 + $2) * 1000 / n}' "$BENCH_DIR/wrk.time" >"$BENCH_DIR/wrk_cpu_ms"
  awk '/^signins/ {print $8}' "$BENCH_DIR/wrk.out"
}

echo "$cores cores; Argon2id on $threads threads vs sign-ins over $connections connections;" \
  "$rounds rounds of ${seconds}s each; database ${BENCH_DATABASE%%:*}"
"$argon2_bench" --threads "$threads" --seconds 1 --quiet >/dev/null  # warm up both
signin_rate 2 >/dev/null
if [[ -n "$PG_SCHEMA" ]]; then
  db_pids=$(psql "$BENCH_POSTGRES_URL" -Atc "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'
    AND pid <> pg_backend_pid()" | tr '\n' ' ')
  echo "server CPU includes its $(wc -w <<<"$db_pids") PostgreSQL connections"
fi

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
raw=() http=() ratio=() cpu_ratio=()
for r in $(seq 1 "$rounds"); do
  read -r a a_cpu < <("$argon2_bench" --threads "$threads" --seconds "$seconds" --quiet)
  s=$(signin_rate "$seconds")
  s_cpu=$(cat "$BENCH_DIR/cpu_ms")
  raw+=("$a"); http+=("$s")
  ratio+=("$(echo "$s / $a" | bc -l)"); cpu_ratio+=("$(echo "$a_cpu / $s_cpu" | bc -l)")
  printf 'round %d: argon2id %6.2f verifications/s (%.1f ms CPU each), HTTP %6.2f sign-ins/s (%.1f ms server CPU each, wrk %.1f), ratio %.2f\n' \
    "$r" "$a" "$a_cpu" "$s" "$s_cpu" "$(cat "$BENCH_DIR/wrk_cpu_ms")" "${ratio[-1]}"
done
printf 'median: argon2id %.2f verifications/s; HTTP %.2f sign-ins/s\n' \
  "$(printf '%s\n' "${raw[@]}" | median)" "$(printf '%s\n' "${http[@]}" | median)"
printf 'ratio sign-ins/argon2id (median of rounds): %.2f (target ≥ 0.9); CPU per verification / per sign-in: %.2f\n' \
  "$(printf '%s\n' "${ratio[@]}" | median)" "$(printf '%s\n' "${cpu_ratio[@]}" | median)"
