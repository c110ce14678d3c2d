#!/usr/bin/env bash
# Browser traffic against one portal instance (issue #16): anonymous and
# signed-in visitors sending what browsers send (Accept, Accept-Encoding:
# gzip, deflate, br, Accept-Language, cookies, If-None-Match on a page seen
# before), over a mix of catalog pages, search and account pages, at 64 and
# 256 connections; then nginx serving a page of the same size with gzip on,
# with the same headers and connections, in the same run.
# Usage: bench/mixed.sh            (SQLite)
#        BENCH_POSTGRES_URL=postgresql://… bench/mixed.sh   (a fresh schema there)
# Settings: CONNECTIONS="64 256", DURATION=10s, THREADS=2, SESSIONS=16.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
connections_list="${CONNECTIONS:-64 256}"
duration="${DURATION:-10s}"
threads="${THREADS:-2}"
sessions="${SESSIONS:-16}"
BENCH_DIR="$(mktemp -d /tmp/uslugi-bench.XXXXXX)"
trap 'stop_bench_servers' EXIT
ulimit -n "$(ulimit -Hn)"

start_registries "$BENCH_DIR"
bench_database "$BENCH_DIR"
# Every connection comes from 127.0.0.1: lift the per-address cap.
start_uslugi_on "$BENCH_DIR" "$BENCH_DATABASE" --registries-url "$REG_URL" --max-client-connections 0 ${USLUGI_ARGS:-}

# Signed-in visitors: one account, several sessions (one per browser).
phone="+79160000001"
password="violet tractor umbrella justice marble"
register_account "$phone" "$password" "Смирнова" "Анна"
sids=()
for _ in $(seq 1 "$sessions"); do sids+=("$(sign_in_sid "$phone" "$password")"); done
# Visitors without an account who chose a language: an anonymous session.
anon_sids=()
for lang in ru en de fr; do
  anon_sids+=("$(curl -s -o /dev/null -D - "$USLUGI_URL/prefs/lang/$lang?next=/" | sed -n 's/^Set-Cookie: sid=\([^;]*\).*/\1/p')")
done

# What visitors ask for: ids from the seeded catalog.
catalog_ids() { /usr/bin/python3 - "$root/data/catalog" "$1" "$2" "$3" <<'PY'
import glob, json, sys
folder, pattern, key, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ids = []
for f in sorted(glob.glob(f"{folder}/{pattern}")):
    ids += [item["id"] for item in json.load(open(f))[key]]
print(" ".join(ids[:count]))
PY
}
services=$(catalog_ids 'services-individuals.json' services 60)
categories=$(catalog_ids categories.json categories 20)
authorities=$(catalog_ids authorities.json authorities 20)
situations=$(catalog_ids life_situations.json life_situations 20)
[[ -n "$services" && -n "$categories" ]] || { echo "could not read the catalog ids" >&2; exit 1; }
lua_list() { printf '{'; for x in $1; do printf '"%s",' "$x"; done; printf '}'; }

cat >"$BENCH_DIR/mixed.lua" <<LUA
-- One browser's requests, drawn at random with the weights a portal sees:
-- most visitors read the catalog without signing in; a fifth are signed in.
local services = $(lua_list "$services")
local categories = $(lua_list "$categories")
local authorities = $(lua_list "${authorities:-}")
local situations = $(lua_list "${situations:-}")
local sids = $(lua_list "${sids[*]}")
local anon_sids = $(lua_list "${anon_sids[*]}")
local queries = {"%D1%88%D1%82%D1%80%D0%B0%D1%84%D1%8B", "%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82",
  "%D0%B7%D0%B0%D0%B3%D1%80%D0%B0%D0%BD%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82", "%D0%BF%D0%BE%D1%81%D0%BE%D0%B1%D0%B8%D0%B5",
  "%D0%B4%D0%B5%D1%82%D1%81%D0%BA%D0%B8%D0%B9+%D1%81%D0%B0%D0%B4", "%D0%B2%D0%BE%D0%B4%D0%B8%D1%82%D0%B5%D0%BB%D1%8C%D1%81%D0%BA%D0%BE%D0%B5",
  "%D0%BD%D0%B0%D0%BB%D0%BE%D0%B3", "%D0%BF%D0%B5%D0%BD%D1%81%D0%B8%D1%8F", "%D0%B2%D1%80%D0%B0%D1%87", "snils"}
local languages = {"ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru-RU,ru;q=0.9", "en-GB,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9"}
local page_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
local ua = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
local function pick(t) return t[math.random(#t)] end
local etags = {}
local last_path = nil
statuses = {}
function init(args) math.randomseed(os.time() + math.random(100000)) end

local function anonymous_target()
  local r = math.random(100)
  if r <= 22 then return "/" end
  if r <= 52 then return "/services/" .. pick(services) end
  if r <= 64 then return "/categories/" .. pick(categories) end
  if r <= 70 and #authorities > 0 then return "/authorities/" .. pick(authorities) end
  if r <= 75 and #situations > 0 then return "/situations/" .. pick(situations) end
  if r <= 85 then return "/api/v1/search?q=" .. pick(queries) end
  if r <= 92 then return "/search?q=" .. pick(queries) end
  return "/api/v1/search/suggest?q=" .. string.sub(pick(queries), 1, 18)
end

local function signed_in_target()
  local r = math.random(100)
  if r <= 35 then return "/account" end
  if r <= 55 then return "/" end
  if r <= 80 then return "/services/" .. pick(services) end
  if r <= 90 then return "/account/security" end
  return "/api/v1/session"
end

function request()
  local h = {["User-Agent"] = ua, ["Accept-Encoding"] = "gzip, deflate, br, zstd",
             ["Accept-Language"] = pick(languages)}
  local r = math.random(100)
  local path
  if r <= 20 then
    path = signed_in_target()
    h["Cookie"] = "sid=" .. pick(sids)
  else
    path = anonymous_target()
    if r <= 28 then h["Cookie"] = "sid=" .. pick(anon_sids) end
  end
  if string.sub(path, 1, 5) == "/api/" then h["Accept"] = "application/json"
  else
    h["Accept"] = page_accept
    -- A page seen before: the browser revalidates what it kept.
    local tag = etags[path]
    if tag and math.random(100) <= 40 then h["If-None-Match"] = tag end
  end
  last_path = path
  return wrk.format("GET", path, h)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local tag = headers["ETag"] or headers["etag"]
  if tag and last_path then etags[last_path] = tag end
end

local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do counts[s] = (counts[s] or 0) + n end
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local bad, shown = 0, {}
  for s, n in pairs(counts) do
    if s >= 400 then bad = bad + n end
    table.insert(shown, s .. ":" .. n)
  end
  table.sort(shown)
  io.write(string.format("RESULT rate %.0f p50_ms %.2f p99_ms %.2f errors %d bad_status %d statuses %s\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors, bad, table.concat(shown, ",")))
end
LUA

# nginx: one service page's bytes with gzip on, asked for with the same headers.
mkdir -p "$BENCH_DIR/www"
curl -sf "$USLUGI_URL/services/$(echo "$services" | cut -d' ' -f1)" -o "$BENCH_DIR/www/index.html"
NGINX_GZIP=on start_nginx "$BENCH_DIR" "$BENCH_DIR/www"
cat >"$BENCH_DIR/static.lua" <<'LUA'
wrk.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"
wrk.headers["Accept-Language"] = "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"
wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
function done(summary, latency, requests)
  io.write(string.format("RESULT rate %.0f p50_ms %.2f p99_ms %.2f\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

db_kind=sqlite; [[ -n "${BENCH_POSTGRES_URL:-}" ]] && db_kind=postgresql
echo "mixed browser traffic on $db_kind; page of $(stat -c %s "$BENCH_DIR/www/index.html") bytes for nginx; wrk -t$threads -d$duration"
wrk -t"$threads" -c16 -d3s -s "$BENCH_DIR/mixed.lua" "$USLUGI_URL" >/dev/null 2>&1  # warm up the caches
for c in $connections_list; do
  u=$(wrk -t"$threads" -c"$c" -d"$duration" --latency -s "$BENCH_DIR/mixed.lua" "$USLUGI_URL" | grep '^RESULT')
  n=$(wrk -t"$threads" -c"$c" -d"$duration" --latency -s "$BENCH_DIR/static.lua" "$NGINX_URL/" | grep '^RESULT')
  printf '%4d connections: uslugi %s\n' "$c" "${u#RESULT }"
  printf '%4d connections: nginx  %s\n' "$c" "${n#RESULT }"
  printf '%4d connections: ratio %.2f\n' "$c" "$(echo "$(awk '{print $3}' <<<"$u") / $(awk '{print $3}' <<<"$n")" | bc -l)"
done
