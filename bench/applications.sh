#!/usr/bin/env bash
# Figures of applications (issue 13, docs/benchmarks.md): the median time to
# fill and send a 5-step form through HTTP, and the SQL statements of one view
# of the cabinet's list at 1 and at 50 applications. BENCH_RUNS sets the runs
# (21); USLUGI_TEST_DATABASE=postgresql://… runs it on PostgreSQL.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ -x "${USLUGI_BINARY:-$root/build/uslugi}" ]] || { echo "build first: make build" >&2; exit 1; }
cd "$root"
exec node bench/applications_bench.mjs
