#!/usr/bin/env bash
# Drift check with exit codes that tell drift from failure, for CI and scripts (make turns every failed recipe into
# its own exit 2, so `make drift` cannot):
#   0  every layer clean        2  something drifted and nothing failed        1  anything else failed
# (a layer failed, a wrong account or layer, a broken config, the sandbox down: the runner keeps 2 for drift only).
# Arguments are scripts/run.ts's (--account, --layer, --stacks, --parallelism, ...). The last line of output is
# `drift: verdict=clean|drifted|failed`; in GitHub Actions the verdict is also the step output `verdict`.
set -uo pipefail
cd "$(dirname "$0")/.."
node -r ./scripts/register.js scripts/run.ts drift "$@"
code=$?
case $code in
  0) verdict=clean ;;
  2) verdict=drifted ;;
  *) verdict=failed ;;
esac
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "verdict=$verdict" >> "$GITHUB_OUTPUT"; fi
exit "$code"
