#!/usr/bin/env bash
# `make run`: the portal together with what it talks to, on this machine:
#   - the registries sandbox (`uslugi registries`) on 127.0.0.1:8081, with its
#     demo inbox at http://127.0.0.1:8081/demo/inbox (SMS, push, e-mail, letters);
#   - a local SMTP sink (aiosmtpd, Debian's python3-aiosmtpd) on 127.0.0.1:8025,
#     keeping every e-mail in the Maildir var/mail that the demo inbox reads;
#   - the portal (`uslugi serve`) on 127.0.0.1:8080;
#   - a demo regional portal (`uslugi demo-site`) on 127.0.0.1:8090 that signs
#     in through the portal's single sign-on.
# Ctrl-C (or SIGTERM to this script) stops all of them together.
set -uo pipefail
# Mail and the database hold personal data: readable by this user only.
umask 077
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
uslugi="${BUILD_DIR:-build}/uslugi"
db="${USLUGI_DATABASE:-sqlite://var/uslugi.db}"
registries_port="${USLUGI_REGISTRIES_PORT:-8081}"
smtp_port="${USLUGI_SMTP_PORT:-8025}"
mail_dir="var/mail"
faults="${USLUGI_REGISTRIES_FAULTS:-data/registries/faults-demo.json}"

mkdir -p "$mail_dir"/{new,cur,tmp}

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for_port() {  # port, name, pid
  for _ in $(seq 1 50); do
    port_open "$1" && return 0
    kill -0 "$3" 2>/dev/null || { echo "run: $2 did not start (is port $1 taken?)" >&2; return 1; }
    sleep 0.1
  done
  echo "run: $2 is not listening on port $1" >&2
  return 1
}

"$uslugi" seed --database "$db" || exit 1

# A demo service-centre operator (ID-3, /operator) at the Perm centre on Lenina 51,
# made once; its password is kept in var/demo-operator-password.
operator_login="operator@example.org"
operator_password_file="var/demo-operator-password"
if [ ! -s "$operator_password_file" ]; then
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$operator_password_file"
  if ! "$uslugi" admin create-staff --database "$db" --role operator --scope mfc-perm-lenina-51 \
      --surname Петрова --name Ольга --email "$operator_login" --password-file "$operator_password_file" >/dev/null; then
    rm -f "$operator_password_file"
    echo "run: the demo operator was not created" >&2
  fi
fi

"$uslugi" registries --port "$registries_port" --mail-dir "$mail_dir" --faults "$faults" &
pids+=($!)
wait_for_port "$registries_port" "the registries sandbox" "${pids[-1]}" || exit 1

if /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
  /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$mail_dir" &
  pids+=($!)
  wait_for_port "$smtp_port" "the SMTP sink (aiosmtpd)" "${pids[-1]}" || exit 1
else
  echo "run: python3-aiosmtpd is missing: e-mail will not reach the demo inbox" >&2
fi

cat <<MSG
────────────────────────────────────────────────────────────────────────
  Portal             http://127.0.0.1:${USLUGI_PORT:-8080}
  Demo inbox (DEMO)  http://127.0.0.1:${registries_port}/demo/inbox   — SMS, push, e-mail, letters
  Registries sandbox http://127.0.0.1:${registries_port}/             — faults: /admin/faults
  SMTP sink          127.0.0.1:${smtp_port} → ${mail_dir}/
  Demo site (SSO)    http://127.0.0.1:${USLUGI_DEMO_SITE_PORT:-8090}   — signs in through the portal
  Demo people        data/registries/README.md
  Demo operator      ${operator_login} / password in ${operator_password_file} → /operator
  Ctrl-C stops everything.
────────────────────────────────────────────────────────────────────────
MSG

export USLUGI_REGISTRIES_URL="${USLUGI_REGISTRIES_URL:-http://127.0.0.1:$registries_port}"
# Links in messages point here, and only this host (and localhost) is answered.
export USLUGI_PUBLIC_URL="${USLUGI_PUBLIC_URL:-http://127.0.0.1:${USLUGI_PORT:-8080}}"
"$uslugi" serve --database "$db" &
pids+=($!)
portal=${pids[-1]}
wait_for_port "${USLUGI_PORT:-8080}" "the portal" "$portal" || exit 1
"$uslugi" demo-site --database "$db" --issuer "$USLUGI_PUBLIC_URL" --port "${USLUGI_DEMO_SITE_PORT:-8090}" &
pids+=($!)
wait "$portal"
exit $?
