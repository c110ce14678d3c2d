#!/usr/bin/env bash
# Holds N idle keep-alive connections open (each has made one request) while
# the home page is still asked for; reports the server's RSS before and after
# and the home page's latency under that load. Usage: bench/idle_connections.sh [N=10000]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n="${1:-10000}"
BENCH_DIR="$(mktemp -d /tmp/uslugi-bench.XXXXXX)"
trap 'kill $USLUGI_PID 2>/dev/null; kill $HOLDER_PID 2>/dev/null; rm -rf "$BENCH_DIR"' EXIT
ulimit -n "$(ulimit -Hn)"

ops_token="bench-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"  # /metrics answers only to the operator
# All the connections come from 127.0.0.1: lift the per-address cap.
start_uslugi "$BENCH_DIR" --idle-timeout 600 --ops-token "$ops_token" --max-client-connections 0
port="${USLUGI_URL##*:}"
curl -sf "$USLUGI_URL/" >/dev/null
rss_before=$(rss_kib "$USLUGI_PID")

# The holder opens the connections, makes one request on each, then keeps them idle.
/usr/bin/python3 - "$port" "$n" >"$BENCH_DIR/holder.out" 2>&1 <<'PY' &
import asyncio, resource, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
async def one():
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(f"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    await w.drain()
    head = await r.readuntil(b"\r\n\r\n")
    length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
    await r.readexactly(length)
    return w
async def main():
    conns = []
    for i in range(0, n, 500):
        conns += await asyncio.gather(*[one() for _ in range(min(500, n - i))])
    print(f"holding {len(conns)}", flush=True)
    await asyncio.sleep(3600)
asyncio.run(main())
PY
HOLDER_PID=$!
for _ in $(seq 1 600); do grep -qs holding "$BENCH_DIR/holder.out" && break; sleep 0.1; done
grep -q holding "$BENCH_DIR/holder.out" || { echo "holder failed:"; cat "$BENCH_DIR/holder.out"; exit 1; }
open=$(curl -sf -H "Authorization: Bearer $ops_token" "$USLUGI_URL/metrics" | awk '/^uslugi_open_connections / {print $2}')
rss_after=$(rss_kib "$USLUGI_PID")

times=()
for _ in $(seq 1 50); do
  times+=("$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$USLUGI_URL/")")
done
ok=$(printf '%s\n' "${times[@]}" | grep -c '^200 ')
p50=$(printf '%s\n' "${times[@]}" | awk '{print $2*1000}' | sort -n | awk '{a[NR]=$1} END {print a[int(NR/2)+1]}')
max=$(printf '%s\n' "${times[@]}" | awk '{print $2*1000}' | sort -n | tail -n1)

echo "idle keep-alive connections held: $open (asked for $n)"
echo "server RSS: ${rss_before} KiB before, ${rss_after} KiB with them open ($(( (rss_after - rss_before) * 1024 / n )) bytes per connection)"
echo "home page while held: $ok/50 answered 200, median ${p50} ms, max ${max} ms (new connection each, curl)"
