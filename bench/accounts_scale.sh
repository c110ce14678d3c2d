#!/usr/bin/env bash
# Does sign-in or the account page slow down with the number of accounts?
# Loads SMALL (10,000) accounts into one fresh PostgreSQL schema and LARGE
# (1,000,000) into another, runs one server on each and measures sign-in and
# the account page on both, alternating request by request, so that the load
# of a shared machine falls on both alike; the goal is a p99 ratio (large /
# small) of at most 1.2.
#
# The schema is the real one (uslugi seed runs the migrations). The rows come
# from build/accounts_scale_bench (COPY format, see there): per account sealed
# names, phone and e-mail with their blind indexes, one remembered session and
# AUDIT_PER_ACCOUNT past sign-ins in the audit log; all accounts share one
# Argon2id hash of the bench's password. Sign-in looks the account up through
# the phone's blind index like any other.
#
# Measured, one request at a time from one client, REQUESTS of each on each
# server (accounts picked at random among those loaded there):
#   sign-in: POST /api/v1/identity/signin (JSON, CSRF token of a fresh
#            visitor's GET /api/v1/session, which is not timed);
#   account page: GET /account with the account's session cookie.
# Prints the load times, the database size, and the plans (EXPLAIN) of the
# sign-in's and the account page's queries at the large size.
#
# Usage: BENCH_POSTGRES_URL=postgresql://… bench/accounts_scale.sh
#   SMALL (10000), LARGE (1000000), REQUESTS (300), AUDIT_PER_ACCOUNT (3),
#   KEEP_SCHEMA (1: leave the schemas for a look afterwards),
#   LARGE_SCHEMA + DATA_KEY (reuse a large schema kept from an earlier run,
#   loaded under that data key, instead of loading it again).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ -d "$here/../build" && -z "${USLUGI_BINARY:-}" ]]; then
  cmake --build "$here/../build" --target uslugi accounts_scale_bench -j"$(nproc)" >/dev/null
fi
source "$here/lib.sh"
loader="${LOADER:-$root/build/accounts_scale_bench}"
[[ -x "$loader" ]] || { echo "build first: make build" >&2; exit 1; }
[[ -n "${BENCH_POSTGRES_URL:-}" ]] || { echo "set BENCH_POSTGRES_URL (a PostgreSQL server URL)" >&2; exit 1; }
small="${SMALL:-10000}"
large="${LARGE:-1000000}"
requests="${REQUESTS:-300}"
audit_per_account="${AUDIT_PER_ACCOUNT:-3}"
password="violet tractor umbrella justice marble"

BENCH_DIR="$(mktemp -d /tmp/uslugi-bench.XXXXXX)"
PIDS=() SCHEMAS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [[ -z "${KEEP_SCHEMA:-}" ]]; then
    for s in "${SCHEMAS[@]}"; do psql "$BENCH_POSTGRES_URL" -q -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1; done
  fi
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

sep='?'; [[ "$BENCH_POSTGRES_URL" == *\?* ]] && sep='&'
url_of() { echo "${BENCH_POSTGRES_URL}${sep}options=-csearch_path%3D$1"; }
sql() { local schema="$1"; shift; psql "$(url_of "$schema")" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
new_schema() {  # prints the name of a fresh schema with the portal's tables
  local s; s="scale_$(/usr/bin/python3 -c 'import secrets; print(secrets.token_hex(4))')"
  psql "$BENCH_POSTGRES_URL" -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $s" >/dev/null
  "$uslugi" seed --database "$(url_of "$s")" --log-level warn >/dev/null
  echo "$s"
}
data_key="${DATA_KEY:-$(/usr/bin/python3 -c 'import secrets; print(secrets.token_hex(32))')}"
hash=$("$loader" --table hash --password "$password")

# load SCHEMA FROM TO: accounts FROM..TO-1 with their sessions and audit
# entries; prints the seconds it took.
load() {
  local schema="$1" first="$2" count=$(( $3 - $2 )) started; started=$(date +%s.%N)
  local args=(--first "$first" --count "$count" --data-key "$data_key" --password-hash "$hash")
  # (\copy takes one line)
  local accounts="id, kind, level, status, surname_enc, name_enc, phone_enc, phone_bidx, email_enc, email_bidx,"
  accounts+=" password_hash, password_changed_at, two_factor, notify_signin, lang, created_at, updated_at"
  local sessions="id_hash, csrf_token, account_id, lang, vi_mode, remember, created_at, last_seen_at,"
  sessions+=" idle_timeout, expires_at, ends_at, signed_in_at, ip, device"
  "$loader" --table accounts "${args[@]}" | sql "$schema" -c "\\copy identity_accounts ($accounts) FROM STDIN"
  "$loader" --table sessions "${args[@]}" | sql "$schema" -c "\\copy http_sessions ($sessions) FROM STDIN"
  "$loader" --table audit "${args[@]}" --audit-per-account "$audit_per_account" |
    sql "$schema" -c "\\copy identity_audit (at, account_id, actor_kind, action, fields, ip, device) FROM STDIN"
  sql "$schema" -c "SELECT setval(pg_get_serial_sequence('identity_accounts', 'id'), (SELECT max(id) FROM identity_accounts))" >/dev/null
  sql "$schema" -c "VACUUM ANALYZE identity_accounts" -c "VACUUM ANALYZE http_sessions" -c "VACUUM ANALYZE identity_audit"
  echo "$(date +%s.%N) - $started" | bc -l
}

# start_server SCHEMA: a server on that schema; sets SERVER_PORT.
start_server() {
  local port; port=$(free_port)
  "$uslugi" serve --port "$port" --database "$(url_of "$1")" --log-level warn --data-key "$data_key" \
    ${USLUGI_ARGS:-} >"$BENCH_DIR/uslugi.$1.out" 2>"$BENCH_DIR/uslugi.$1.err" &
  PIDS+=($!)
  SERVER_PORT=$port
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.05; done
  echo "uslugi did not start:" >&2; cat "$BENCH_DIR/uslugi.$1.err" >&2; exit 1
}

db_size() { sql "$1" -c "SELECT pg_size_pretty(pg_database_size(current_database()))"; }
tables_size() {
  sql "$1" -c "SELECT string_agg(relname || ' ' || pg_size_pretty(pg_total_relation_size(c.oid)), ', ' ORDER BY relname)
          FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
          WHERE nspname = current_schema() AND relname IN ('identity_accounts', 'http_sessions', 'identity_audit')"
}

# Sign-ins and account pages on both servers, alternating (which one goes
# first is drawn each time); prints per server "p50 p99 p50 p99" (ms) of
# sign-in and account page.
cat >"$BENCH_DIR/measure.py" <<'PY'
import hashlib, http.client, json, random, re, sys, time
ports, sizes = [int(sys.argv[1]), int(sys.argv[3])], [int(sys.argv[2]), int(sys.argv[4])]
count, password = int(sys.argv[5]), sys.argv[6]
rnd = random.Random(7)
conns = [http.client.HTTPConnection("127.0.0.1", p) for p in ports]
def call(k, method, path, headers={}, body=None):
    conns[k].request(method, path, body=body, headers=headers)
    r = conns[k].getresponse(); return r, r.read()
def signin(k):
    i = rnd.randint(1, sizes[k])
    r, data = call(k, "GET", "/api/v1/session")
    cookie = re.match(r"([^;]*)", r.getheader("Set-Cookie")).group(1)
    token = json.loads(data)["csrf_token"]
    body = json.dumps({"login": "+7950%07d" % i, "password": password})
    t = time.perf_counter()
    r, data = call(k, "POST", "/api/v1/identity/signin", {"Cookie": cookie, "X-CSRF-Token": token,
                   "Content-Type": "application/json"}, body)
    ms = (time.perf_counter() - t) * 1000
    if r.status != 200 or b'"signed_in":true' not in data: sys.exit(f"sign-in of account {i} failed: {r.status} {data[:200]}")
    return ms
def account(k):
    i = rnd.randint(1, sizes[k])
    sid = hashlib.sha256(f"bench-session-{i}".encode()).hexdigest()
    t = time.perf_counter()
    r, data = call(k, "GET", "/account", {"Cookie": "sid=" + sid, "Accept-Language": "ru"})
    ms = (time.perf_counter() - t) * 1000
    if r.status != 200: sys.exit(f"account page of account {i} failed: {r.status}")
    return ms
times = {(k, what): [] for k in (0, 1) for what in ("signin", "account")}
for what, f in (("signin", signin), ("account", account)):
    for k in (0, 1): f(k); f(k)  # warm up
    for _ in range(count):
        order = [0, 1]; rnd.shuffle(order)
        for k in order: times[(k, what)].append(f(k))
def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(len(xs) * p))]
for k in (0, 1):
    s, a = times[(k, "signin")], times[(k, "account")]
    print(f"{pct(s, .5):.1f} {pct(s, .99):.1f} {pct(a, .5):.2f} {pct(a, .99):.2f}")
PY

echo "PostgreSQL $(psql "$BENCH_POSTGRES_URL" -X -At -c 'SHOW server_version'); $small and $large accounts; $requests requests of each kind on each"
small_schema=$(new_schema); SCHEMAS+=("$small_schema")
t_small=$(load "$small_schema" 1 $((small + 1)))
printf '%8d accounts: loaded in %.0f s (%s)\n' "$small" "$t_small" "$(tables_size "$small_schema")"
if [[ -n "${LARGE_SCHEMA:-}" ]]; then
  large_schema="$LARGE_SCHEMA"
  echo "$large accounts: reusing schema $large_schema ($(sql "$large_schema" -c 'SELECT count(*) FROM identity_accounts') accounts)"
else
  large_schema=$(new_schema); SCHEMAS+=("$large_schema")
  t_large=$(load "$large_schema" 1 $((large + 1)))
  printf '%8d accounts: loaded in %.0f s (%s)\n' "$large" "$t_large" "$(tables_size "$large_schema")"
fi
echo "database size with both: $(db_size "$large_schema") (pg_database_size)"

start_server "$small_schema"; small_port=$SERVER_PORT
start_server "$large_schema"; large_port=$SERVER_PORT
/usr/bin/python3 "$BENCH_DIR/measure.py" "$small_port" "$small" "$large_port" "$large" "$requests" "$password" \
  >"$BENCH_DIR/measured"
read -r s50 s99 a50 a99 < <(sed -n 1p "$BENCH_DIR/measured")
read -r l50 l99 b50 b99 < <(sed -n 2p "$BENCH_DIR/measured")
printf '%8d accounts: sign-in p50 %s ms, p99 %s ms; account page p50 %s ms, p99 %s ms\n' "$small" "$s50" "$s99" "$a50" "$a99"
printf '%8d accounts: sign-in p50 %s ms, p99 %s ms; account page p50 %s ms, p99 %s ms\n' "$large" "$l50" "$l99" "$b50" "$b99"
printf 'ratio %d / %d accounts: sign-in p50 %.2f, p99 %.2f; account page p50 %.2f, p99 %.2f (goal: p99 ≤ 1.2)\n' \
  "$large" "$small" "$(echo "$l50 / $s50" | bc -l)" "$(echo "$l99 / $s99" | bc -l)" \
  "$(echo "$b50 / $a50" | bc -l)" "$(echo "$b99 / $a99" | bc -l)"

# The plans of what sign-in and the account page ask, at the large size.
i=$(( large / 2 ))
phone_bidx=$(sql "$large_schema" -c "SELECT phone_bidx FROM identity_accounts WHERE id = $i")
sid=$(printf 'bench-session-%d' "$i" | sha256sum | cut -c1-64)
id_hash=$(printf '%s' "$sid" | sha256sum | cut -c1-64)
explain() { echo "-- $1"; sql "$large_schema" -c "EXPLAIN $2" | sed 's/^/   /'; }
explain "sign-in: the account by the phone's blind index" \
  "SELECT id, password_hash FROM identity_accounts WHERE status = 'active' AND phone_bidx = '$phone_bidx'"
explain "every request with a cookie: the session" "SELECT account_id, expires_at FROM http_sessions WHERE id_hash = '$id_hash'"
explain "account page and the request's account: the account by id" "SELECT * FROM identity_accounts WHERE id = CAST('$i' AS BIGINT)"
explain "the activity page: the account's own audit entries" \
  "SELECT * FROM identity_audit WHERE account_id = $i AND actor_kind IN ('self', 'system') ORDER BY at DESC, id DESC LIMIT 20"
explain "sign-in: the throttle counters" "SELECT key, blocked_until FROM identity_throttles WHERE key IN ('login:x', 'ip:signin:127.0.0.1')"
