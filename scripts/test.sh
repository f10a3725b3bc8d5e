#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs dependencies, type-checks, lints, runs unit tests, then
# integration tests (each starts its own sandbox on free ports and stops it after).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
command -v terraform >/dev/null || { echo "terraform is not on PATH (1.11.x expected)"; exit 1; }
export CHECKPOINT_DISABLE=1
start=$(date +%s)
echo "== typecheck"; npx tsc --noEmit -p .
echo "== lint"; npx eslint .
echo "== unit tests"; npx jest --selectProjects unit --ci
# The example organisation must stay at zero preflight errors: a change AWS would refuse on apply does not land.
echo "== preflight (real-mode synth, fails on errors)"; node -r ./scripts/register.js scripts/preflight.ts
echo "== integration tests"; npx jest --selectProjects integration --ci --runInBand
# The benchmark is not a test (its figures depend on the machine), but it must keep running: one quick pass.
echo "== benchmark smoke run"; BENCH_QUICK=1 BENCH_OUT="$(mktemp -d)/benchmarks.md" node -r ./scripts/register.js scripts/bench.ts >/dev/null
echo "== all tests passed in $(( $(date +%s) - start ))s"
