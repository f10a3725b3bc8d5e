#!/usr/bin/env bash
# Bootstrap an account's state backend (Leverage base-tf-backend) on real AWS:
#   1. synth with BOOTSTRAP=1: base-tf-backend keeps local state (.bootstrap/) and assumes the bootstrap role
#   2. terraform apply: creates the KMS key, the bucket and the lock table
#   3. synth normally: the layer now declares the S3 backend it just created
#   4. terraform init -migrate-state: copies the local state into the bucket
set -euo pipefail
project=$1 account=$2
cd "$(dirname "$0")/.."
node=(node -r ./scripts/register.js)
id="$project-$account-base-tf-backend"
dir="cdktf.out/stacks/$id"
echo "== 1/4 synth $id with local state"
BOOTSTRAP=1 STACKS="$id" "${node[@]}" main.ts
"${node[@]}" -e "require('./scripts/lib/terraform').ensureCliConfig()"
echo "== 2/4 apply with local state"
(cd "$dir" && terraform init -input=false && terraform apply -input=false)
echo "== 3/4 synth $id with its S3 backend"
STACKS="$id" "${node[@]}" main.ts
echo "== 4/4 migrate local state into the bucket"
(cd "$dir" && terraform init -input=false -migrate-state -force-copy)
echo "done: state of $id is now in s3://$project-$account-terraform-backend/$account/base-tf-backend/terraform.tfstate"
echo "keep .bootstrap/$id.tfstate until you have checked the migrated state, then delete it"
