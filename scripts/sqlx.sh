#!/usr/bin/env bash
# The compile-checked queries' offline data (.sqlx/, committed): `bash scripts/sqlx.sh prepare`
# rewrites it after a query or a migration changes; `bash scripts/sqlx.sh check` (part of `make test`)
# fails when it no longer matches the code and the migrations (`cargo sqlx prepare --check`). Both
# run the migrations into a fresh database on MVP_TEST_DATABASE_URL's server (scripts/test.sh
# exports it; default the local Postgres) and drop it afterwards. Installs sqlx-cli when missing.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

mode="${1:-check}"
case "$mode" in prepare|check) ;; *) die "usage: scripts/sqlx.sh prepare|check" ;; esac

ensure_rust
export PATH="$HOME/.cargo/bin:$PATH"
if ! cargo sqlx --version 2>/dev/null | grep -q "0.9.0"; then
  say "installing sqlx-cli 0.9.0 (about a minute, once per machine)"
  cargo install sqlx-cli --version 0.9.0 --locked --no-default-features --features postgres --quiet
fi

ADMIN_URL="${MVP_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB="mvp_sqlx_$$"
export DATABASE_URL="${ADMIN_URL%/*}/$DB"
trap 'psql "$ADMIN_URL" -qc "drop database if exists \"$DB\" with (force)" >/dev/null 2>&1 || true' EXIT
psql "$ADMIN_URL" -qc "create database \"$DB\"" >/dev/null
sqlx migrate run --source migrations >/dev/null
export SQLX_OFFLINE=false
if [ "$mode" = prepare ]; then
  cargo sqlx prepare --workspace -- --all-targets --locked
else
  if cargo sqlx prepare --workspace --check -- --all-targets --locked; then
    echo "sqlx: 1 passed, 0 failed"
  else
    echo "sqlx: 0 passed, 1 failed"
    say "the offline query data in .sqlx/ is stale: run bash scripts/sqlx.sh prepare and commit it"
    exit 1
  fi
fi
