#!/usr/bin/env bash
# Our home page (template rendering, session/language logic, security headers)
# against nginx serving the very same bytes as a static file: same wrk
# settings, one run, so the ratio holds on a noisy 2-core machine.
# Usage: bench/page_vs_nginx.sh [PATH]   (default "/"; target ratio ≥ 0.7)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
path="${1:-/}"
BENCH_DIR="$(mktemp -d /tmp/uslugi-bench.XXXXXX)"
trap 'kill $USLUGI_PID 2>/dev/null; stop_nginx "$BENCH_DIR"; rm -rf "$BENCH_DIR"' EXIT

start_uslugi "$BENCH_DIR" ${USLUGI_ARGS:-}
mkdir -p "$BENCH_DIR/www"
curl -sf "$USLUGI_URL$path" -o "$BENCH_DIR/www/index.html"
start_nginx "$BENCH_DIR" "$BENCH_DIR/www"
bytes=$(stat -c %s "$BENCH_DIR/www/index.html")

echo "page $path: $bytes bytes; wrk -t${WRK_THREADS:-2} -c${WRK_CONNECTIONS:-64} -d${WRK_DURATION:-10s}"
wrk -t1 -c8 -d2s "$USLUGI_URL$path" >/dev/null 2>&1  # warm up both
wrk -t1 -c8 -d2s "$NGINX_URL/" >/dev/null 2>&1
ours=$(wrk_rate "$USLUGI_URL$path"); ours_latency=$(awk '/ 99%/ {print $2}' "$BENCH_DIR/wrk.out")
theirs=$(wrk_rate "$NGINX_URL/"); theirs_latency=$(awk '/ 99%/ {print $2}' "$BENCH_DIR/wrk.out")
# A returning visitor: the session is read from the database on a worker thread.
sid=$(curl -s -o /dev/null -D - "$USLUGI_URL/prefs/lang/ru?next=/" | sed -n 's/^Set-Cookie: sid=\([^;]*\).*/\1/p')
WRK_HEADER="Cookie: sid=$sid" ours_session=$(wrk_rate "$USLUGI_URL$path"); session_latency=$(awk '/ 99%/ {print $2}' "$BENCH_DIR/wrk.out")
printf 'uslugi, anonymous:    %8.0f req/s  (p99 %s)\n' "$ours" "$ours_latency"
printf 'uslugi, with session: %8.0f req/s  (p99 %s)\n' "$ours_session" "$session_latency"
printf 'nginx, same bytes:    %8.0f req/s  (p99 %s)\n' "$theirs" "$theirs_latency"
printf 'ratio uslugi/nginx: %.2f anonymous, %.2f with a session\n' "$(echo "$ours / $theirs" | bc -l)" "$(echo "$ours_session / $theirs" | bc -l)"
