#!/usr/bin/env bash
# Browser tests of the SPA (e2e/run.mjs): builds the SPA (or reuses an up-to-date frontend/dist),
# builds the backend, starts it in single-binary mode on a fresh database with its own data dir and
# Redis prefix, runs playwright-core against Debian's chromium, then stops the backend and drops the
# database. Uses MVP_TEST_DATABASE_URL / MVP_TEST_REDIS_URL when set (scripts/test.sh exports them),
# otherwise the machine's Postgres and Redis on 127.0.0.1. MVP_E2E_BACKEND=<binary> skips the build.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_rust
apt_ensure chromium
have node || apt_ensure nodejs npm

"$ROOT/scripts/build-frontend.sh"

if [ -z "${MVP_E2E_BACKEND:-}" ]; then
  say "building the backend (debug)"
  cargo build --locked --quiet -p mvp-backend
  MVP_E2E_BACKEND="${CARGO_TARGET_DIR:-$ROOT/target}/debug/mvp-backend"
fi
[ -x "$MVP_E2E_BACKEND" ] || die "no backend binary at $MVP_E2E_BACKEND"

if [ ! -d e2e/node_modules/playwright-core ]; then
  say "installing playwright-core (npm ci)"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

ADMIN_URL="${MVP_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS="${MVP_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
DB="mvp_e2e_$$"
DATA="$(mktemp -d /tmp/mvp-e2e.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BACKEND_PID=""
cleanup() {
  if [ -n "$BACKEND_PID" ]; then
    kill "$BACKEND_PID" 2>/dev/null || true
    wait "$BACKEND_PID" 2>/dev/null || true
  fi
  psql "$ADMIN_URL" -qc "drop database if exists \"$DB\" with (force)" >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT

psql "$ADMIN_URL" -qc "create database \"$DB\"" >/dev/null
BASE="http://127.0.0.1:$PORT"
say "starting the backend with the SPA at $BASE (database $DB)"
DATABASE_URL="${ADMIN_URL%/*}/$DB" REDIS_URL="$REDIS" \
  APP_ENV=development CONFIG_PATH="$ROOT/config/development.yml" \
  MVP_SERVER__BIND="127.0.0.1:$PORT" MVP_SERVER__PUBLIC_URL="$BASE" \
  MVP_SERVER__STATIC_DIR="$ROOT/frontend/dist" MVP_STORAGE__DATA_DIR="$DATA" \
  MVP_AUTH__PROVIDER=local MVP_REDIS__KEY_PREFIX="mvp-e2e-$$:" \
  "$MVP_E2E_BACKEND" serve >"$DATA/backend.log" 2>&1 &
BACKEND_PID=$!
for _ in $(seq 1 150); do
  curl -fsS "$BASE/api/health" >/dev/null 2>&1 && break
  kill -0 "$BACKEND_PID" 2>/dev/null || { tail -n 30 "$DATA/backend.log" >&2; die "the backend exited at start"; }
  sleep 0.2
done
curl -fsS "$BASE/api/health" >/dev/null 2>&1 || { tail -n 30 "$DATA/backend.log" >&2; die "the backend did not become healthy"; }

status=0
BASE_URL="$BASE" OUTBOX_DIR="$DATA/outbox" SCREENSHOT_DIR="${MVP_E2E_SCREENSHOTS:-$ROOT/e2e/screenshots}" \
  node e2e/run.mjs || status=$?
if [ "$status" != 0 ]; then
  say "backend log (last 40 lines):"
  tail -n 40 "$DATA/backend.log" >&2
fi
exit "$status"
