#!/usr/bin/env bash
# One of our pages (routing, session/language logic, template rendering,
# security headers, compression) against nginx serving the very same bytes as
# a static file with `gzip on`, both asked with a browser's headers
# (Accept-Encoding: gzip, deflate, br; Accept-Language; Accept) and the same
# wrk settings. The machine is shared and noisy, so the
# two alternate in short rounds and the median of the per-round ratios is
# reported, for a visitor without a session and for one with a session.
# Usage: bench/page_vs_nginx.sh [PATH]   (default "/"; ROUNDS, WRK_DURATION, WRK_CONNECTIONS)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
path="${1:-/}"
rounds="${ROUNDS:-5}"
export WRK_DURATION="${WRK_DURATION:-4s}"
BENCH_DIR="$(mktemp -d /tmp/uslugi-bench.XXXXXX)"
trap 'kill $USLUGI_PID 2>/dev/null; stop_nginx "$BENCH_DIR"; rm -rf "$BENCH_DIR"' EXIT

start_uslugi "$BENCH_DIR" ${USLUGI_ARGS:-}
mkdir -p "$BENCH_DIR/www"
curl -sf "$USLUGI_URL$path" -o "$BENCH_DIR/www/index.html"
NGINX_GZIP=on start_nginx "$BENCH_DIR" "$BENCH_DIR/www"
bytes=$(stat -c %s "$BENCH_DIR/www/index.html")
# A returning visitor: the session is read from the database on a worker thread.
sid=$(curl -s -o /dev/null -D - "$USLUGI_URL/prefs/lang/ru?next=/" | sed -n 's/^Set-Cookie: sid=\([^;]*\).*/\1/p')

# What a browser sends with every page request; BENCH_COOKIE adds the session.
cat >"$BENCH_DIR/browser.lua" <<'LUA'
wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
wrk.headers["Accept-Language"] = "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
LUA
export WRK_SCRIPT="$BENCH_DIR/browser.lua"
echo "page $path: $bytes bytes; $rounds rounds of wrk -t${WRK_THREADS:-2} -c${WRK_CONNECTIONS:-64} -d$WRK_DURATION each"
wrk -t1 -c8 -d2s "$USLUGI_URL$path" >/dev/null 2>&1  # warm up both
wrk -t1 -c8 -d2s "$NGINX_URL/" >/dev/null 2>&1

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
anon=() sess=() ngx=() r_anon=() r_sess=()
for r in $(seq 1 "$rounds"); do
  a=$(wrk_rate "$USLUGI_URL$path")
  n=$(wrk_rate "$NGINX_URL/")
  s=$(BENCH_COOKIE="sid=$sid" wrk_rate "$USLUGI_URL$path")
  anon+=("$a"); ngx+=("$n"); sess+=("$s")
  r_anon+=("$(echo "$a / $n" | bc -l)"); r_sess+=("$(echo "$s / $n" | bc -l)")
  printf 'round %d: uslugi %8.0f, with session %8.0f, nginx %8.0f req/s\n' "$r" "$a" "$s" "$n"
done
printf 'median: uslugi %.0f req/s anonymous, %.0f with a session; nginx %.0f req/s\n' \
  "$(printf '%s\n' "${anon[@]}" | median)" "$(printf '%s\n' "${sess[@]}" | median)" "$(printf '%s\n' "${ngx[@]}" | median)"
printf 'ratio uslugi/nginx (median of rounds): %.2f anonymous, %.2f with a session\n' \
  "$(printf '%s\n' "${r_anon[@]}" | median)" "$(printf '%s\n' "${r_sess[@]}" | median)"
