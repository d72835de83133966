# MotoVaultPro — the two commands first: `make run` (try the app) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help run test ci bench link-order fmt lint dockerfiles openapi secrets start stop restart rebuild logs logs-backend clean db-shell-app

COMPOSE ?= docker compose

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

run: ## set up what is missing, start Postgres/Redis if needed, serve the app at http://localhost:3001
	@bash scripts/run.sh

test: ## the whole test suite against real Postgres and Redis (started if none are running)
	@bash scripts/test.sh

ci: ## what CI runs: formatting, the capsule-boundary check, clippy (warnings denied) of the API and the SPA, the shared types for wasm, the tests, then every Dockerfile's steps
	cargo fmt --all -- --check
	python3 scripts/check_capsules.py --self-test
	python3 scripts/check_capsules.py
	cargo clippy --workspace --all-targets --locked -- -D warnings
	@rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	cargo check -p mvp-types --target wasm32-unknown-unknown --locked
	cd frontend && cargo fmt -- --check
	cd fuzz && cargo fmt -- --check
	cd frontend && CARGO_TARGET_DIR="$${MVP_FRONTEND_TARGET_DIR:-$$HOME/.cache/motovaultpro/target-frontend}" \
	  cargo clippy --target wasm32-unknown-unknown --locked -- -D warnings
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory dockerfiles

bench: ## mvp-backend beside the Node reference (../shared/perf): oha on the hot reads, wrk (new fill-ups) and oha (back-dated ones) on the write, table in bench/results/latest.md (not part of test)
	@bash bench/compare.sh

link-order: ## remake crates/backend/link-order.txt: the release backend under callgrind, a typical session first (see crates/backend/build.rs)
	@bash scripts/link-order.sh

fmt: ## format the code
	cargo fmt --all

lint: ## clippy with warnings denied
	cargo clippy --workspace --all-targets --locked -- -D warnings

dockerfiles: ## run every Dockerfile's build steps here, without Docker (deploy/dockerfile_run.py)
	@bash scripts/dockerfiles.sh

openapi: ## regenerate docs/openapi.json from the code
	UPDATE_SNAPSHOTS=1 cargo test -p mvp-backend --locked openapi

# --- The production stack (docker compose; see docs/OPERATIONS.md) ---------------------------------

secrets: ## create missing secret files in secrets/ with strong random values
	@bash scripts/make-secrets.sh

start: ## start the 9-container stack (builds images when needed)
	$(COMPOSE) up -d --build

stop: ## stop the stack (data volumes are kept)
	$(COMPOSE) down

restart: ## restart every container
	$(COMPOSE) restart

rebuild: ## rebuild the images and recreate the containers
	$(COMPOSE) build --pull
	$(COMPOSE) up -d --force-recreate

logs: ## follow every container's logs
	$(COMPOSE) logs -f --tail=100

logs-backend: ## follow the backend's logs
	$(COMPOSE) logs -f --tail=100 backend

clean: ## remove the containers AND the data volumes (asks first)
	@read -r -p "This deletes the database, documents and backups volumes. Type yes: " answer; \
	  [ "$$answer" = yes ] && $(COMPOSE) down -v --remove-orphans || echo "kept"

db-shell-app: ## psql inside the Postgres container
	docker exec -it mvp-postgres psql -U postgres -d motovaultpro
