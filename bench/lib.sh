# Shared helpers of the bench scripts (sourced).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
uslugi="${USLUGI_BINARY:-$root/build/uslugi}"
[[ -x "$uslugi" ]] || { echo "build first: make build" >&2; exit 1; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_uslugi DIR [extra serve args…]: sets USLUGI_PID and USLUGI_URL.
start_uslugi() {
  local dir="$1"; shift
  local port; port=$(free_port)
  "$uslugi" seed --database "sqlite://$dir/bench.db" --log-level warn >/dev/null 2>&1
  "$uslugi" serve --port "$port" --database "sqlite://$dir/bench.db" --log-level warn "$@" >"$dir/uslugi.out" 2>"$dir/uslugi.err" &
  USLUGI_PID=$!
  USLUGI_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 200); do curl -sf "$USLUGI_URL/healthz" >/dev/null && return 0; sleep 0.05; done
  echo "uslugi did not start:"; cat "$dir/uslugi.err"; exit 1
}

# start_nginx DIR WWW: serves WWW as static files; sets NGINX_URL.
start_nginx() {
  local dir="$1" www="$2" port; port=$(free_port)
  mkdir -p "$dir/nginx"
  chmod -R a+rX "$dir"  # nginx workers run as an unprivileged user
  cat >"$dir/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/html;
  sendfile on;
  keepalive_requests 1000000;
  gzip ${NGINX_GZIP:-off};
  client_body_temp_path $dir/nginx/body; proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fcgi; uwsgi_temp_path $dir/nginx/uwsgi; scgi_temp_path $dir/nginx/scgi;
  server { listen 127.0.0.1:$port; root $www; index index.html; }
}
CONF
  nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -g 'daemon on;' 
  NGINX_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -sf "$NGINX_URL/" >/dev/null && return 0; sleep 0.05; done
  echo "nginx did not start:"; cat "$dir/nginx/error.log"; exit 1
}

stop_nginx() { [[ -f "$1/nginx/nginx.pid" ]] && kill "$(cat "$1/nginx/nginx.pid")" 2>/dev/null || true; }

# wrk_rate URL: requests per second.
wrk_rate() {
  local header=()
  [[ -n "${WRK_HEADER:-}" ]] && header=(-H "$WRK_HEADER")
  [[ -n "${WRK_SCRIPT:-}" ]] && header+=(-s "$WRK_SCRIPT")
  wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-64}" -d"${WRK_DURATION:-10s}" --latency "${header[@]}" "$1" >"$BENCH_DIR/wrk.out" 2>&1
  grep -q "Non-2xx" "$BENCH_DIR/wrk.out" && { echo "non-2xx answers from $1:" >&2; cat "$BENCH_DIR/wrk.out" >&2; }
  awk '/Requests\/sec/ {print $2}' "$BENCH_DIR/wrk.out"
}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# start_registries DIR: the registries sandbox (SMS gateway for codes); sets REG_PID and REG_URL.
start_registries() {
  local dir="$1"
  mkdir -p "$dir/mail/new" "$dir/mail/cur" "$dir/mail/tmp"
  "$uslugi" registries --port 0 --mail-dir "$dir/mail" >"$dir/registries.out" 2>"$dir/registries.err" &
  REG_PID=$!
  for _ in $(seq 1 200); do grep -q "listening on" "$dir/registries.out" 2>/dev/null && break; sleep 0.05; done
  REG_URL=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$dir/registries.out")
  [[ -n "$REG_URL" ]] || { echo "the registries sandbox did not start:"; cat "$dir/registries.err"; exit 1; }
}

# bench_database DIR: SQLite in DIR, or a fresh schema in $BENCH_POSTGRES_URL; sets BENCH_DATABASE.
bench_database() {
  if [[ -n "${BENCH_POSTGRES_URL:-}" ]]; then
    PG_SCHEMA="bench_$(/usr/bin/python3 -c 'import secrets; print(secrets.token_hex(4))')"
    psql "$BENCH_POSTGRES_URL" -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $PG_SCHEMA" >/dev/null
    local sep='?'; [[ "$BENCH_POSTGRES_URL" == *\?* ]] && sep='&'
    BENCH_DATABASE="${BENCH_POSTGRES_URL}${sep}options=-csearch_path%3D${PG_SCHEMA}"
  else
    BENCH_DATABASE="sqlite://$1/bench.db"
  fi
}

# start_uslugi_on DIR DATABASE [serve args…]: seeds and serves; sets USLUGI_PID and USLUGI_URL.
start_uslugi_on() {
  local dir="$1" database="$2"; shift 2
  local port; port=$(free_port)
  "$uslugi" seed --database "$database" --log-level warn >/dev/null 2>&1
  "$uslugi" serve --port "$port" --database "$database" --log-level warn \
    --data-key "$(/usr/bin/python3 -c 'import secrets; print(secrets.token_hex(32))')" "$@" \
    >"$dir/uslugi.out" 2>"$dir/uslugi.err" &
  USLUGI_PID=$!
  USLUGI_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 200); do curl -sf "$USLUGI_URL/healthz" >/dev/null && return 0; sleep 0.05; done
  echo "uslugi did not start:"; cat "$dir/uslugi.err"; exit 1
}

# Stops what the functions above started and drops a PostgreSQL schema made for the run.
stop_bench_servers() {
  [[ -n "${USLUGI_PID:-}" ]] && kill "$USLUGI_PID" 2>/dev/null
  [[ -n "${REG_PID:-}" ]] && kill "$REG_PID" 2>/dev/null
  [[ -n "${BENCH_DIR:-}" ]] && stop_nginx "$BENCH_DIR"
  wait 2>/dev/null
  [[ -n "${PG_SCHEMA:-}" ]] && psql "$BENCH_POSTGRES_URL" -q -c "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" >/dev/null 2>&1
  [[ -n "${BENCH_DIR:-}" ]] && rm -rf "$BENCH_DIR"
  return 0
}

bench_json_field() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# bench_api JAR METHOD PATH [JSON]: an API call with the session's CSRF token; prints the body.
bench_api() {
  local jar="$1" csrf; shift
  csrf=$(curl -sf -b "$jar" -c "$jar" "$USLUGI_URL/api/v1/session" | bench_json_field csrf_token)
  curl -sf -b "$jar" -c "$jar" -X "$1" -H "Content-Type: application/json" -H "X-CSRF-Token: $csrf" \
    ${3:+--data "$3"} "$USLUGI_URL$2"
}

# register_account PHONE PASSWORD SURNAME NAME: a standard sign-up with the code from the sandbox's SMS gateway.
register_account() {
  local phone="$1" password="$2" jar="$BENCH_DIR/register.jar" code=""
  bench_api "$jar" POST /api/v1/identity/registrations "{\"surname\":\"$3\",\"name\":\"$4\",\"contact\":\"$phone\"}" >/dev/null
  for _ in $(seq 1 200); do
    code=$(curl -sf "$REG_URL/sms/messages?phone=%2B${phone#+}" |
      /usr/bin/python3 -c 'import json,re,sys; m=json.load(sys.stdin)["messages"]; print(re.search(r"\d{6}", m[-1]["text"]).group(0) if m else "")')
    [[ -n "$code" ]] && break
    sleep 0.05
  done
  [[ -n "$code" ]] || { echo "no SMS code arrived at the sandbox"; cat "$BENCH_DIR/uslugi.err"; exit 1; }
  bench_api "$jar" POST /api/v1/identity/registrations/current/code "{\"code\":\"$code\"}" >/dev/null
  bench_api "$jar" POST /api/v1/identity/registrations/current/password \
    "{\"password\":\"$password\",\"password_repeat\":\"$password\"}" | grep -q '"signed_in":true'
  rm -f "$jar"
}

# sign_in_sid PHONE PASSWORD: signs in anew and prints the session cookie's value.
sign_in_sid() {
  local jar="$BENCH_DIR/signin.jar"
  rm -f "$jar"
  bench_api "$jar" POST /api/v1/identity/signin "{\"login\":\"$1\",\"password\":\"$2\"}" | grep -q '"signed_in":true'
  awk '$6 == "sid" {print $7}' "$jar"
  rm -f "$jar"
}
