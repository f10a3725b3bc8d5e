# Entry points for people and CI. Every target works on a fresh clone: it installs what it needs first.
#   make demo                                   the whole thing offline (sandbox): install, sandbox, synth, plan, summary
#   make test                                   the whole test suite
#   make plan ACCOUNT=apps-devstg LAYER=base-network   one layer (SANDBOX=0 for real AWS)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PROJECT ?= acme
ACCOUNT ?=
LAYER ?=
# The sandbox is the default target: nothing here touches AWS unless SANDBOX=0. Exactly 1 or 0, read the same
# way by lib/mode.ts: anything else stops here rather than being guessed (SANDBOX=on must not mean real AWS).
SANDBOX ?= 1
ifneq ($(words $(SANDBOX))$(filter 0 1,$(SANDBOX)),1$(SANDBOX))
$(error SANDBOX must be 1 or 0, not "$(SANDBOX)" (1: the offline sandbox, 0: real AWS))
endif
export SANDBOX PROJECT
export TF_CLI_CONFIG_FILE := $(CURDIR)/.tfrc/terraform.rc
export CHECKPOINT_DISABLE := 1
export CDKTF_DISABLE_PLUGIN_CACHE_ENV := 1

NODE := node -r ./scripts/register.js
RUN_ARGS := --project $(PROJECT) $(if $(ACCOUNT),--account $(ACCOUNT)) $(if $(LAYER),--layer $(LAYER))
# Read by scripts/run.ts from the environment (run.ts --help): LAYERS=a,b INCLUDE_DEPENDENTS=1|auto PARALLELISM=N FAIL_FAST=1 AUTO_APPROVE=1
export LAYERS INCLUDE_DEPENDENTS PARALLELISM FAIL_FAST AUTO_APPROVE
# Saved plans (docs/runner.md): passed as flags, only to the target they belong to. ALLOW_REPLACE is never read from
# an exported variable by the runner, so one left in a shell cannot allow a replacement nobody asked for today.
PLAN_ARGS := $(if $(REFRESH),--refresh=$(REFRESH)) $(if $(PLAN_JSON),--plan-json=$(PLAN_JSON))
# Quoted: an address may hold brackets and double quotes (aws_kms_key.k["logs"]).
APPLY_ARGS := $(if $(PLANNED),--planned=$(PLANNED)) $(if $(REVIEWED),--reviewed '$(REVIEWED)') $(if $(ALLOW_REPLACE),--allow-replace '$(ALLOW_REPLACE)')
SANDBOX_UP := $(if $(filter 1,$(SANDBOX)),sandbox-up)
# The preflight always checks the real-mode synth; in the sandbox it reports and lets the plan go on.
PREFLIGHT_ARGS := --project $(PROJECT) $(if $(ACCOUNT),--account $(ACCOUNT)) $(if $(LAYER),--layer $(LAYER))
PREFLIGHT := $(NODE) scripts/preflight.ts $(PREFLIGHT_ARGS) $(if $(filter 1,$(SANDBOX)),--warn-only)

.PHONY: help install synth validate plan apply destroy drift graph ci-files bootstrap bootstrap-org sso-config sandbox-up sandbox-down sandbox-status demo bench policy preflight test clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

install: node_modules/.package-lock.json ## install dependencies (npm ci) and build the app bundle if the sources changed
	@node scripts/bundle.js >/dev/null
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

synth: install ## synthesize every stack to cdktf.out/stacks/<stack>/cdk.tf.json (from the app bundle: scripts/app.js)
	node scripts/app.js

validate: synth ## terraform validate of every synthesized stack (offline, no backend)
	$(NODE) scripts/validate.ts

sandbox-up: install ## start s3rver + dynalite on loopback and create every account's bucket and lock table
	$(NODE) scripts/sandbox.ts up

sandbox-down: install ## stop the sandbox (data stays in .sandbox/)
	$(NODE) scripts/sandbox.ts down

sandbox-status: install
	$(NODE) scripts/sandbox.ts status

plan: install $(SANDBOX_UP) ## plan in dependency order, saving each plan; no ACCOUNT = whole organisation: ACCOUNT= LAYER= LAYERS= INCLUDE_DEPENDENTS=1|auto PARALLELISM= REFRESH=1 PLAN_JSON=1 RESUME=1
	$(PREFLIGHT)
	$(NODE) scripts/run.ts plan $(RUN_ARGS) $(PLAN_ARGS)

apply: install $(SANDBOX_UP) ## apply in dependency order, asks first unless AUTO_APPROVE=1; PLANNED=1 applies the saved plans; ALLOW_REPLACE=<stack>:<address>,…; RESUME=1 only what the last apply did not finish (real AWS: SANDBOX=0)
	$(PREFLIGHT)
	$(NODE) scripts/run.ts apply $(RUN_ARGS) $(APPLY_ARGS)

destroy: install $(SANDBOX_UP) ## destroy dependents first; type the account name (CONFIRM=<name> without a terminal); FORCE_STATEFUL=1 FORCE_ORPHANS=1
	$(NODE) scripts/run.ts destroy $(RUN_ARGS) $(if $(CONFIRM),--confirm $(CONFIRM)) $(if $(FORCE_STATEFUL),--force-stateful=$(FORCE_STATEFUL)) $(if $(FORCE_ORPHANS),--force-orphans=$(FORCE_ORPHANS))

# make exits 2 for any failed recipe, so its own exit code cannot tell drift from failure: read the last line
# (drift: verdict=clean|drifted|failed) or the report's verdict, or call scripts/drift.sh, which keeps the codes.
drift: install $(SANDBOX_UP) ## plan -detailed-exitcode per layer; ends with "drift: verdict=clean|drifted|failed"
	bash scripts/drift.sh $(RUN_ARGS)

graph: install ## write the layer graph as docs/graph.mmd (Mermaid) and docs/graph.dot
	$(NODE) scripts/graph.ts

ci-files: install ## regenerate atlantis.yaml and .github/workflows/layers.yml from the layer graph
	$(NODE) scripts/ci-files.ts

bootstrap-org: install $(SANDBOX_UP) ## day zero, resumable: management backend, organizations, identities, security, then each member's backend and security (FORCE=1 re-runs bootstrapped accounts)
	$(NODE) scripts/bootstrap-org.ts --project $(PROJECT) $(if $(filter 1,$(FORCE)),--force)

bootstrap: install $(SANDBOX_UP) ## day zero of one account (one added later): ACCOUNT=<a>, its backend and security layer (SANDBOX=0 for AWS)
	@test -n "$(ACCOUNT)" || { echo "usage: make bootstrap ACCOUNT=<account> [SANDBOX=0] [FORCE=1]"; exit 2; }
	$(NODE) scripts/bootstrap-org.ts --project $(PROJECT) --account $(ACCOUNT) $(if $(filter 1,$(FORCE)),--force)

sso-config: install ## AWS CLI profiles for every account and permission set, to SSO_CONFIG_OUT (default .aws/config.$(PROJECT); - for stdout)
	$(NODE) scripts/sso-config.ts --project $(PROJECT) $(if $(SSO_CONFIG_OUT),--out $(SSO_CONFIG_OUT))

demo: install sandbox-up ## offline demo: synth, validate and plan base-network of apps-devstg in the sandbox
	$(NODE) scripts/run.ts plan --project $(PROJECT) --account $(or $(ACCOUNT),apps-devstg) --layer $(or $(LAYER),base-network)

bench: install ## benchmark synth, validate and plan; writes docs/benchmarks.md (BENCH_RUNS, BENCH_SIZES)
	npm run bench

policy: install ## policy pack over every stack: rules, findings per stack, suppressions with reasons (fails on errors)
	$(NODE) scripts/policy.ts

preflight: install ## AWS rules no single plan sees, over the whole organisation in real mode (roles, key grants, DNS, names, versions); fails on errors
	$(NODE) scripts/preflight.ts $(PREFLIGHT_ARGS)

test: ## the whole test suite (typecheck, lint, unit, integration)
	bash scripts/test.sh

clean: ## remove generated files (keeps .sandbox/ and .bootstrap/)
	rm -rf cdktf.out .tfrc node_modules/.cache/transpile

# Scaffolding (README, "Add an account" / "Add a layer"): each change is validated as a whole organisation in a staged
# copy and written only if it passes; every generated file is regenerated with it.
.PHONY: new-account new-layer generate
new-account: install ## new account: ACCOUNT= EMAIL= ENVIRONMENT= [OU=] [ID=<existing id>] [VPC=auto|none|<cidr>]
	$(NODE) scripts/new-account.ts --project $(PROJECT) --account '$(ACCOUNT)' --email '$(EMAIL)' --environment '$(ENVIRONMENT)' $(if $(OU),--ou '$(OU)') $(if $(ID),--id '$(ID)') $(if $(VPC),--vpc '$(VPC)')

new-layer: install ## new layer file with its kind's defaults: ACCOUNT= KIND= [LAYER=] (without KIND= it lists the kinds)
	$(NODE) scripts/new-layer.ts --project $(PROJECT) --account '$(ACCOUNT)' --kind '$(KIND)' $(if $(LAYER),--layer '$(LAYER)')

generate: install ## regenerate every generated file: graph, README block, atlantis.yaml, workflow, docs/policy.md, docs/real-aws.md rules, config shapes
	$(NODE) scripts/generate.ts --project $(PROJECT)
