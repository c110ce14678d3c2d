#!/usr/bin/env bash
# How long does verifying one GOST qualified signature take (ID-3c)? The same
# detached CMS signature (GOST R 34.10-2012, 256 bit, GOST R 34.11-2012 hash,
# demo CA with a CRL from scripts/demo-qes.sh) verified in the same run:
#   - in process by core::cms::verify_detached (build/qes_verify_bench):
#     median of ROUNDS single verifications;
#   - by `openssl cms -verify -crl_check` with the same engine configuration:
#     median of CLI_ROUNDS runs, each a whole process (start, config, engine
#     load, files), which is what a portal shelling out to openssl would pay.
# Prints both medians and their ratio.
#
# Usage: bench/qes_verify.sh   (ROUNDS=500, CLI_ROUNDS=100, BUILD_DIR=build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
rounds="${ROUNDS:-500}"
cli_rounds="${CLI_ROUNDS:-100}"

[[ -x "$build/qes_verify_bench" ]] || cmake --build "$build" --target qes_verify_bench >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/scripts/demo-qes.sh" issue "$work" >/dev/null
head -c 96 /dev/urandom | base64 >"$work/challenge.txt"
"$root/scripts/demo-qes.sh" sign "$work" person "$work/challenge.txt" "$work/challenge.sig"
cat "$work/trust/ca.pem" "$work/trust/crl.pem" >"$work/trust.pem"

echo "== in process: core::cms::verify_detached"
in_process="$("$build/qes_verify_bench" "$work" "$rounds" --benchmark_min_time=1 | tee /dev/stderr | sed -n 's/^median_us \([0-9.]*\).*/\1/p')"

echo "== openssl cms -verify (one process per verification)"
export OPENSSL_CONF="$work/openssl.cnf"
openssl cms -verify -binary -inform DER -in "$work/challenge.sig" -content "$work/challenge.txt" \
  -CAfile "$work/trust.pem" -crl_check -purpose any -out /dev/null 2>/dev/null || { echo "openssl refused the signature" >&2; exit 1; }
times=()
for ((i = 0; i < cli_rounds; i++)); do
  t0=$(date +%s%N)
  openssl cms -verify -binary -inform DER -in "$work/challenge.sig" -content "$work/challenge.txt" \
    -CAfile "$work/trust.pem" -crl_check -purpose any -out /dev/null 2>/dev/null
  t1=$(date +%s%N)
  times+=($(((t1 - t0) / 1000)))
done
cli="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"

echo
printf 'median verify, in process:        %10.1f µs\n' "$in_process"
printf 'median openssl cms -verify (CLI): %10.1f µs\n' "$cli"
awk -v a="$cli" -v b="$in_process" 'BEGIN { printf "ratio CLI / in process:           %10.1f\n", a / b }'
