#!/usr/bin/env bash
# Installs the Debian packages uslugi needs to build, run and test.
# Idempotent and quiet when everything is already there.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ccache
  libboost1.74-dev libsoci-dev libsqlite3-dev libpq-dev sqlite3
  libkainjow-mustache-dev nlohmann-json3-dev libsodium-dev libzxcvbn-dev
  libphonenumber-dev libstemmer-dev libhpdf-dev libjpeg-dev libqrencode-dev libpoco-dev
  libidn2-dev libssl-dev libengine-gost-openssl zlib1g-dev libdeflate-dev libbrotli-dev libspdlog-dev libfmt-dev libcli11-dev libhowardhinnant-date-dev
  libgtest-dev libgmock-dev libbenchmark-dev libgoogle-perftools-dev
  postgresql python3-aiosmtpd
  chromium fonts-dejavu-core nodejs npm
  poppler-utils
  wrk nginx-light curl procps bc linux-perf
  clang libclang-rt-14-dev lld
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# nodejs/npm may come from outside Debian on developer machines; accept any working node >= 18.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the packaged services; uslugi runs its own throwaway instances.
  for svc in nginx postgresql; do
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
  done
fi

# npm packages for the browser tests, pinned by package-lock.json.
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -f "$root/package-lock.json" ]]; then
  if [[ ! -d "$root/node_modules/playwright-core" || "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]]; then
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
