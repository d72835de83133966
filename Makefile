# MotoVaultPro — the two commands first: `make run` (try the app) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help run test ci fmt lint openapi

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

run: ## set up what is missing, start Postgres/Redis if needed, serve the app at http://localhost:3001
	@bash scripts/run.sh

test: ## the whole test suite against real Postgres and Redis (started if none are running)
	@bash scripts/test.sh

ci: ## what CI runs: formatting, clippy with warnings denied, the shared types for wasm, then the tests
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	@rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	cargo check -p mvp-types --target wasm32-unknown-unknown --locked
	@$(MAKE) --no-print-directory test

fmt: ## format the code
	cargo fmt --all

lint: ## clippy with warnings denied
	cargo clippy --workspace --all-targets --locked -- -D warnings

openapi: ## regenerate docs/openapi.json from the code
	UPDATE_SNAPSHOTS=1 cargo test -p mvp-backend --locked openapi
