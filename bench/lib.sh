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
  wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-64}" -d"${WRK_DURATION:-10s}" --latency "${header[@]}" "$1" >"$BENCH_DIR/wrk.out" 2>&1
  grep -q "Non-2xx" "$BENCH_DIR/wrk.out" && { echo "non-2xx answers from $1:" >&2; cat "$BENCH_DIR/wrk.out" >&2; }
  awk '/Requests\/sec/ {print $2}' "$BENCH_DIR/wrk.out"
}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
