#!/usr/bin/env bash
# The cdktf CLI with the project's terraform CLI config: `npm run cdktf -- plan acme-apps-prd-base-network`.
# SANDBOX=1 plans against the local sandbox (make sandbox-up first).
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CLI_CONFIG_FILE="$PWD/.tfrc/terraform.rc" CHECKPOINT_DISABLE=1 CDKTF_DISABLE_PLUGIN_CACHE_ENV=1
node -r ./scripts/register.js -e "require('./scripts/lib/terraform').ensureCliConfig()"
exec npx cdktf "$@"
