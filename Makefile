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

NODE := node -r ts-node/register/transpile-only
RUN_ARGS := --project $(PROJECT) $(if $(ACCOUNT),--account $(ACCOUNT)) $(if $(LAYER),--layer $(LAYER))

.PHONY: help install synth validate plan apply bootstrap sandbox-up sandbox-down sandbox-status demo bench test clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

install: node_modules/.package-lock.json ## install dependencies (npm ci)
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

synth: install ## synthesize every stack to cdktf.out/stacks/<stack>/cdk.tf.json
	$(NODE) main.ts

validate: synth ## terraform validate of every synthesized stack (offline, no backend)
	$(NODE) scripts/validate.ts

sandbox-up: install ## start s3rver + dynalite on loopback and create every account's bucket and lock table
	$(NODE) scripts/sandbox.ts up

sandbox-down: install ## stop the sandbox (data stays in .sandbox/)
	$(NODE) scripts/sandbox.ts down

sandbox-status: install
	$(NODE) scripts/sandbox.ts status

plan: install $(if $(filter 1,$(SANDBOX)),sandbox-up) ## plan layers in dependency order: ACCOUNT=, LAYER=
	$(NODE) scripts/run.ts plan $(RUN_ARGS)

apply: install ## apply layers in dependency order (real AWS: SANDBOX=0)
	$(NODE) scripts/run.ts apply $(RUN_ARGS)

bootstrap: install ## first apply of ACCOUNT's state backend with local state, then migrate it into the bucket (real AWS)
	@test -n "$(ACCOUNT)" || { echo "usage: make bootstrap ACCOUNT=<account> SANDBOX=0"; exit 2; }
	@test "$(SANDBOX)" = 0 || { echo "bootstrap creates real buckets: run it with SANDBOX=0 (the sandbox creates its own backends)"; exit 2; }
	bash scripts/bootstrap.sh $(PROJECT) $(ACCOUNT)

demo: install sandbox-up ## offline demo: synth, validate and plan base-network of apps-devstg in the sandbox
	$(NODE) scripts/run.ts plan --project $(PROJECT) --account $(or $(ACCOUNT),apps-devstg) --layer $(or $(LAYER),base-network)

bench: install ## benchmark synth, validate and plan; writes docs/benchmarks.md (BENCH_RUNS, BENCH_SIZES)
	npm run bench

test: ## the whole test suite (typecheck, lint, unit, integration)
	bash scripts/test.sh

clean: ## remove generated files (keeps .sandbox/ and .bootstrap/)
	rm -rf cdktf.out .tfrc
