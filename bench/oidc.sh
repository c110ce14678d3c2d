#!/usr/bin/env bash
# Single sign-on throughput against the home page in one run (docs/benchmarks.md):
# code exchanges at the token endpoint and userinfo reads per second, each
# through HTTP on loopback with the same client. BENCH_REQUESTS and
# BENCH_CONCURRENCY tune the load; USLUGI_TEST_DATABASE=postgresql://… runs it on PostgreSQL.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ -x "${USLUGI_BINARY:-$root/build/uslugi}" ]] || { echo "build first: make build" >&2; exit 1; }
cd "$root"
exec node bench/oidc_bench.mjs
