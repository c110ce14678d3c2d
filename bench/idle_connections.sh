#!/usr/bin/env bash
# Holds N idle keep-alive connections open (each has made one request) while
# the home page is still asked for; reports the server's RSS before and after
# and the home page's latency (median and p99 of REQUESTS requests, each on a
# new connection) under that load.
#
# Usage: bench/idle_connections.sh [N=100000]
#   REQUESTS (300): home page requests timed while the connections are held;
#   PER_ADDRESS (25000): connections per client address.
#
# Descriptors: the server needs one per connection, so the bench raises the
# open-file limit (ulimit -n, then prlimit on itself) to N plus a reserve; the
# server raises its soft limit to the hard one and sizes its connection cap
# from it (--max-connections 0, see http::ServerOptions::max_connections).
# Where the hard limit cannot be raised (no CAP_SYS_RESOURCE, as in a
# container) the bench holds as many as the limit allows and says so.
#
# Addresses: one client address reaches one server port from at most about
# 28,000 ephemeral ports, so the holders bind their connections to 127.0.0.2,
# 127.0.0.3, … (25,000 each); each holder process keeps at most
# PER_HOLDER (15,000) connections, below its own descriptor limit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n="${1:-100000}"
requests="${REQUESTS:-300}"
per_holder="${PER_HOLDER:-15000}"
per_address="${PER_ADDRESS:-25000}"
BENCH_DIR="$(mktemp -d /tmp/uslugi-bench.XXXXXX)"
HOLDER_PIDS=()
cleanup() {
  [[ -n "${USLUGI_PID:-}" ]] && kill "$USLUGI_PID" 2>/dev/null
  for p in "${HOLDER_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

# ---- descriptors: N for the server's connections plus its own reserve ----
want=$((n + 1024))
ulimit -Hn "$want" 2>/dev/null || prlimit --pid $$ --nofile="$want:$want" 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
limit=$(ulimit -n)
# What the server keeps for itself (fd_reserve in main.cpp: 128 + pool + workers + 2 × job workers), with room.
server_max=$((limit - 256))
if (( n > server_max )); then
  echo "note: the open-file limit is $limit and cannot be raised here (hard limit; needs CAP_SYS_RESOURCE);" \
    "holding $server_max connections instead of $n" >&2
  n=$server_max
fi

ops_token="bench-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"  # /metrics answers only to the operator
# The connections come from a few addresses: lift the per-address cap.
# A connection's first request must come within the header timeout; a client
# starved of CPU on a shared machine can take longer between its connect and
# its request, so the bench allows a minute.
start_uslugi "$BENCH_DIR" --idle-timeout 600 --header-timeout 60 --ops-token "$ops_token" --max-client-connections 0
port="${USLUGI_URL##*:}"
curl -sf "$USLUGI_URL/" >/dev/null
rss_before=$(rss_kib "$USLUGI_PID")

# A holder opens COUNT connections from its addresses, makes one request on
# each, then keeps them idle.
cat >"$BENCH_DIR/holder.py" <<'PY'
import asyncio, resource, sys
port, first, count, per_address = (int(a) for a in sys.argv[1:5])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
retried = 0
async def one(i):
    global retried
    k = first + i
    address = f"127.0.0.{2 + k // per_address}"
    for attempt in range(3):
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
            w.write(f"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            await w.drain()
            head = await r.readuntil(b"\r\n\r\n")
            length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
            await r.readexactly(length)
            return w
        except (asyncio.IncompleteReadError, ConnectionError):
            retried += 1  # closed before the request came (a starved client): try once more
    raise RuntimeError(f"connection {k} from {address} failed three times")
async def main():
    conns = []
    for i in range(0, count, 100):
        conns += await asyncio.gather(*[one(j) for j in range(i, min(i + 100, count))])
    print(f"holding {len(conns)} (retried {retried})", flush=True)
    await asyncio.sleep(3600)
asyncio.run(main())
PY
start=$(date +%s.%N)
holders=0
for ((first = 0; first < n; first += per_holder)); do
  count=$(( n - first < per_holder ? n - first : per_holder ))
  /usr/bin/python3 "$BENCH_DIR/holder.py" "$port" "$first" "$count" "$per_address" >"$BENCH_DIR/holder.$holders.out" 2>&1 &
  HOLDER_PIDS+=($!)
  holders=$((holders + 1))
done
for ((h = 0; h < holders; h++)); do
  for _ in $(seq 1 18000); do  # up to 30 minutes: a busy shared machine opens them slowly
    grep -qs holding "$BENCH_DIR/holder.$h.out" && break
    kill -0 "${HOLDER_PIDS[$h]}" 2>/dev/null || break
    sleep 0.1
  done
  grep -q holding "$BENCH_DIR/holder.$h.out" || { echo "holder $h failed:"; tail -5 "$BENCH_DIR/holder.$h.out"; exit 1; }
done
opened_in=$(echo "$(date +%s.%N) - $start" | bc -l)
metrics=$(curl -sf -H "Authorization: Bearer $ops_token" "$USLUGI_URL/metrics")
open=$(awk '/^uslugi_open_connections / {print $2}' <<<"$metrics")
cap=$(awk '/^uslugi_max_connections / {print $2}' <<<"$metrics")
rss_after=$(rss_kib "$USLUGI_PID")

# The home page while they are held: each request on a new connection from 127.0.0.1.
/usr/bin/python3 - "$port" "$requests" >"$BENCH_DIR/latency.out" <<'PY'
import http.client, statistics, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
times, ok = [], 0
for _ in range(count):
    t = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", "/")
    r = c.getresponse(); r.read(); c.close()
    times.append((time.perf_counter() - t) * 1000)
    ok += r.status == 200
times.sort()
print(f"{ok} {statistics.median(times):.2f} {times[int(len(times) * 0.99) - 1]:.2f} {times[-1]:.2f}")
PY
read -r ok p50 p99 max <"$BENCH_DIR/latency.out"

echo "open-file limit $limit; the server's connection cap $cap"
echo "idle keep-alive connections held: $open (asked for $n, from $(( (n + per_address - 1) / per_address )) client addresses, $holders holder processes, opened in ${opened_in%.*} s)"
echo "server RSS: ${rss_before} KiB before, ${rss_after} KiB with them open ($(( (rss_after - rss_before) * 1024 / n )) bytes per connection)"
echo "home page while held: $ok/$requests answered 200, median ${p50} ms, p99 ${p99} ms, max ${max} ms (new connection each)"
