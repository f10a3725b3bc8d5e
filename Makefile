# Entry points for people and CI. Every target works on a fresh clone: it installs what it needs first.
#   make demo                                   the whole thing offline (sandbox): install, sandbox, synth, plan, summary
#   make test                                   the whole test suite
#   make plan ACCOUNT=apps-devstg LAYER=base-network   one layer (SANDBOX=0 for real AWS)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PROJECT ?= acme
ACCOUNT ?=
LAYER ?=
# The sandbox is the default target: nothing here touches AWS unless SANDBOX=0.
SANDBOX ?= 1
export SANDBOX PROJECT
export TF_CLI_CONFIG_FILE := $(CURDIR)/.tfrc/terraform.rc
export CHECKPOINT_DISABLE := 1
export CDKTF_DISABLE_PLUGIN_CACHE_ENV := 1

NODE := node -r ./scripts/register.js
RUN_ARGS := --project $(PROJECT) $(if $(ACCOUNT),--account $(ACCOUNT)) $(if $(LAYER),--layer $(LAYER))
# Read by scripts/run.ts from the environment (run.ts --help): LAYERS=a,b INCLUDE_DEPENDENTS=1 PARALLELISM=N FAIL_FAST=1 AUTO_APPROVE=1
export LAYERS INCLUDE_DEPENDENTS PARALLELISM FAIL_FAST AUTO_APPROVE
SANDBOX_UP := $(if $(filter 1,$(SANDBOX)),sandbox-up)

.PHONY: help install synth validate plan apply destroy drift graph ci-files bootstrap sandbox-up sandbox-down sandbox-status demo bench policy test clean

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

plan: install $(SANDBOX_UP) ## plan in dependency order; no ACCOUNT = whole organisation: ACCOUNT= LAYER= LAYERS= INCLUDE_DEPENDENTS=1 PARALLELISM=
	$(NODE) scripts/run.ts plan $(RUN_ARGS)

apply: install $(SANDBOX_UP) ## apply in dependency order, asks first unless AUTO_APPROVE=1 (real AWS: SANDBOX=0)
	$(NODE) scripts/run.ts apply $(RUN_ARGS)

destroy: install $(SANDBOX_UP) ## destroy dependents first; type the account name (CONFIRM=<name> without a terminal); FORCE_STATEFUL=1
	$(NODE) scripts/run.ts destroy $(RUN_ARGS) $(if $(CONFIRM),--confirm $(CONFIRM)) $(if $(filter 1,$(FORCE_STATEFUL)),--force-stateful)

drift: install $(SANDBOX_UP) ## plan -detailed-exitcode per layer; lists drifted layers (exit 2 when any drifted)
	$(NODE) scripts/run.ts drift $(RUN_ARGS)

graph: install ## write the layer graph as docs/graph.mmd (Mermaid) and docs/graph.dot
	$(NODE) scripts/graph.ts

ci-files: install ## regenerate atlantis.yaml and .github/workflows/layers.yml from the layer graph
	$(NODE) scripts/ci-files.ts

bootstrap: install ## first apply of ACCOUNT's state backend with local state, then migrate it into the bucket (real AWS)
	@test -n "$(ACCOUNT)" || { echo "usage: make bootstrap ACCOUNT=<account> SANDBOX=0"; exit 2; }
	@test "$(SANDBOX)" = 0 || { echo "bootstrap creates real buckets: run it with SANDBOX=0 (the sandbox creates its own backends)"; exit 2; }
	bash scripts/bootstrap.sh $(PROJECT) $(ACCOUNT)

demo: install sandbox-up ## offline demo: synth, validate and plan base-network of apps-devstg in the sandbox
	$(NODE) scripts/run.ts plan --project $(PROJECT) --account $(or $(ACCOUNT),apps-devstg) --layer $(or $(LAYER),base-network)

bench: install ## benchmark synth, validate and plan; writes docs/benchmarks.md (BENCH_RUNS, BENCH_SIZES)
	npm run bench

policy: install ## policy pack over every stack: rules, findings per stack, suppressions with reasons (fails on errors)
	$(NODE) scripts/policy.ts

test: ## the whole test suite (typecheck, lint, unit, integration)
	bash scripts/test.sh

clean: ## remove generated files (keeps .sandbox/ and .bootstrap/)
	rm -rf cdktf.out .tfrc node_modules/.cache/transpile
