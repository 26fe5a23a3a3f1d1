# Ordermesh — every target runs on Node 24 from .ordermesh/tools/node when the host's Node is older.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
NODE_DIR := $(ROOT)/.ordermesh/tools/node
export PATH := $(NODE_DIR)/bin:$(ROOT)/node_modules/.bin:$(PATH)
export NX_DAEMON ?= false
export NX_NO_CLOUD := true
ORDERMESH := node $(ROOT)/tools/platform/bin/ordermesh.mjs
PROFILE ?= dev

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z][a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

# ---- set-up ---------------------------------------------------------------------------------
.PHONY: node deps setup
node: ## Install Node 24 into .ordermesh/tools/node when the host's Node is older
	@bash tools/setup/node.sh

deps: node ## Install npm dependencies (npm ci) when package-lock.json changed
	@if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		npm ci --no-audit --no-fund; fi

setup: deps ## Install and build everything the local platform needs (cached in .ordermesh/)
	@$(ORDERMESH) setup

# ---- build ----------------------------------------------------------------------------------
.PHONY: build proto env-docs
build: deps ## Compile apps and libs into dist/ (SWC)
	@node tools/build/build.mjs

proto: deps ## Regenerate the gRPC TypeScript stubs and the topic list from the protos/events
	@npm run --silent proto:gen

manifest: node ## Write the component manifest's copies (chart ports/uses, Dockerfile EXPOSE, README tables)
	@node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON tools/platform/manifest.ts

env-docs: build ## Write each service README's env table from its env schema (compiled, in dist/)
	@node tools/build/env-docs.mjs

# ---- local platform -------------------------------------------------------------------------
.PHONY: up down status seed tail
up: setup build ## Start the whole platform locally (infra + every service), seed demo data
	@$(ORDERMESH) up --profile $(PROFILE)
	@$(ORDERMESH) seed --profile $(PROFILE)
	@$(ORDERMESH) urls --profile $(PROFILE)

down: ## Stop everything `make up` started (no process or port left behind)
	@$(ORDERMESH) down --profile $(PROFILE)

status: ## Show every process, port, pid and health
	@$(ORDERMESH) status --profile $(PROFILE)

tail: ## Print a topic's events as they arrive: make tail TOPIC=order.placed.v1 [FROM=beginning] [MAX=n] [TIMEOUT=s]
	@$(ORDERMESH) tail "$(TOPIC)" --profile $(PROFILE) $(if $(FROM),--from $(FROM)) $(if $(MAX),--max $(MAX)) $(if $(TIMEOUT),--timeout $(TIMEOUT))

seed: ## Load the demo catalogue, stock, prices and users into a running platform
	@$(ORDERMESH) seed --profile $(PROFILE)

# ---- quality --------------------------------------------------------------------------------
.PHONY: manifest lint typecheck format check-generated unit e2e chaos bench bench-overhead test
lint: deps ## ESLint (module boundaries), Prettier, buf lint and buf breaking
	@nx show projects >/dev/null
	@eslint --max-warnings=0 .
	@prettier --check --log-level warn .
	@buf lint
	@bash tools/proto/buf-breaking.sh

typecheck: deps ## TypeScript strict type-check of the whole workspace (and the Node-run tools)
	@tsc -p tsconfig.json
	@tsc -p tools/platform/tsconfig.json
	@tsc -p tools/bench/tsconfig.json
	@tsc -p tools/cluster/tsconfig.json
	@tsc -p tools/observability/tsconfig.json

format: deps ## Format everything with Prettier
	@prettier --write --log-level warn .

check-generated: build ## Fail when regenerating the gRPC stubs, the topic list, the manifest's copies or the env tables would change them
	@node tools/proto/check-generated.mjs
	@node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON tools/platform/manifest.ts --check
	@node tools/build/env-docs.mjs --check

unit: deps ## Unit tests of every app and lib
	@jest -c jest.config.js --ci

e2e: setup build ## Integration and end-to-end tests on a test-profile platform of their own
	@bash tools/test/e2e.sh

bench: setup build ## Capacity: knee, steady phase, baselines R1-R5 (test-profile platform, ~12 min); results/bench/capacity.*
	@node tools/bench/capacity.ts

bench-overhead: setup build ## Tracing/metrics overhead as ABBA ratios within one run (test-profile platform); results/bench/overhead.*
	@node tools/bench/overhead.ts

chaos: setup build ## Every chaos scenario in full (8 orders/s, CHAOS_ORDER_RATE to change) on a test-profile platform; reports in results/chaos/
	@jest --ci -c apps/platform-e2e/jest.chaos.config.js

test: deps ## Everything CI runs: lint, generated-code check, unit, integration and e2e tests
	@bash tools/test/run-all.sh

-include k8s/k8s.mk
