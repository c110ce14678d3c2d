#!/usr/bin/env bash
# A throwaway PostgreSQL for tests: `start DIR PORT` initialises a cluster in
# DIR (owned by the postgres user when run as root), listening only on
# 127.0.0.1:PORT, and prints its URL; `restart DIR` restarts the server with
# the same options (clients lose their connections, as in a production
# restart); `stop DIR` stops it and removes DIR.
set -euo pipefail

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$dir" ]] || { echo "throwaway-postgres: PostgreSQL server binaries not found" >&2; exit 1; }
  echo "$dir"
}

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:-}; dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start DIR PORT | restart DIR | stop DIR" >&2; exit 2; }
bin=$(pg_bin)

case "$cmd" in
  start)
    port=${3:?port required}
    mkdir -p "$dir/data" "$dir/sock"
    [[ $(id -u) -eq 0 ]] && chown -R postgres:postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U uslugi --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U uslugi uslugi_test
    echo "postgresql://uslugi@127.0.0.1:$port/uslugi_test"
    ;;
  restart)
    # -m fast: sessions are ended at once, not waited for.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    if [[ -d "$dir/data" ]]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start DIR PORT | restart DIR | stop DIR" >&2; exit 2 ;;
esac
