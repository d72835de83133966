#!/usr/bin/env bash
# Browser tests of the SPA (e2e/run.mjs): builds the SPA (or reuses an up-to-date frontend/dist),
# builds the backend, starts two in single-binary mode on a fresh database (one with the local
# identity provider, one with auth.provider oidc trusting the fake issuer the test serves), each with
# its own data dir and Redis prefix, and the OCR service (Tesseract) the local one scans with, runs
# playwright-core against Debian's chromium, then stops them and drops the database. Uses MVP_TEST_DATABASE_URL / MVP_TEST_REDIS_URL when set (scripts/test.sh exports them),
# otherwise the machine's Postgres and Redis on 127.0.0.1. MVP_E2E_BACKEND=<binary> skips the build.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_rust
apt_ensure chromium tesseract-ocr tesseract-ocr-eng poppler-utils
have node || apt_ensure nodejs npm

"$ROOT/scripts/build-frontend.sh"

if [ -z "${MVP_E2E_BACKEND:-}" ]; then
  say "building the backend and the OCR service (debug)"
  cargo build --locked --quiet -p mvp-backend -p mvp-ocr
  MVP_E2E_BACKEND="${CARGO_TARGET_DIR:-$ROOT/target}/debug/mvp-backend"
fi
[ -x "$MVP_E2E_BACKEND" ] || die "no backend binary at $MVP_E2E_BACKEND"
MVP_E2E_OCR="${MVP_E2E_OCR:-$(dirname "$MVP_E2E_BACKEND")/mvp-ocr}"
[ -x "$MVP_E2E_OCR" ] || die "no OCR service binary at $MVP_E2E_OCR"

if [ ! -d e2e/node_modules/playwright-core ]; then
  say "installing playwright-core (npm ci)"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

ADMIN_URL="${MVP_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS="${MVP_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
DB="mvp_e2e_$$"
DATA="$(mktemp -d /tmp/mvp-e2e.XXXXXX)"
BACKEND_PIDS=()
cleanup() {
  for pid in "${BACKEND_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  drop_test_run "$ADMIN_URL" "$DB" "$REDIS" "mvp-e2e-$$-*" "$DATA"
}
trap cleanup EXIT

# The photographed receipt and VIN label the scan steps use (rxing's writer, fixed seeds).
say "writing the photographed scan fixtures"
cargo run --locked --quiet -p mvp-ocr --example fixtures -- "$DATA/fixtures"

psql "$ADMIN_URL" -qc "create database \"$DB\"" >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_backend NAME PORT [VAR=VALUE...]: one backend process in single-binary mode on the test database.
start_backend() {
  local name="$1" port="$2"; shift 2
  mkdir -p "$DATA/$name"
  env DATABASE_URL="${ADMIN_URL%/*}/$DB" REDIS_URL="$REDIS" \
    APP_ENV=development CONFIG_PATH="$ROOT/config/development.yml" \
    MVP_SERVER__BIND="127.0.0.1:$port" MVP_SERVER__PUBLIC_URL="http://127.0.0.1:$port" \
    MVP_SERVER__STATIC_DIR="$ROOT/frontend/dist" MVP_STORAGE__DATA_DIR="$DATA/$name" \
    MVP_REDIS__KEY_PREFIX="mvp-e2e-$$-$name:" "$@" \
    "$MVP_E2E_BACKEND" serve >"$DATA/$name.log" 2>&1 &
  BACKEND_PIDS+=("$!")
  for _ in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && return 0
    kill -0 "$!" 2>/dev/null || break
    sleep 0.2
  done
  tail -n 30 "$DATA/$name.log" >&2
  die "the $name backend did not become healthy"
}

PORT="$(free_port)"; OIDC_PORT="$(free_port)"; ISSUER_PORT="$(free_port)"; PLACES_PORT="$(free_port)"
OCR_PORT="$(free_port)"
MVP_OCR_BIND="127.0.0.1:$OCR_PORT" "$MVP_E2E_OCR" serve >"$DATA/ocr.log" 2>&1 &
BACKEND_PIDS+=("$!")
PLACES_KEY="e2e-places-key"
ADMIN_EMAIL="e2e-admin-$$@example.com"
say "starting the backends with the SPA: local sign-in at http://127.0.0.1:$PORT, OIDC at http://127.0.0.1:$OIDC_PORT (database $DB)"
# Its station searches go to the fake Places API that e2e/run.mjs serves on PLACES_PORT.
start_backend local "$PORT" MVP_AUTH__PROVIDER=local MVP_ADMIN__BOOTSTRAP="$ADMIN_EMAIL" \
  MVP_OCR__URL="http://127.0.0.1:$OCR_PORT" \
  MVP_NOTIFICATIONS__REMINDER_INTERVAL_SECS=2 MVP_MAIL__DELIVER_INTERVAL_SECS=1 \
  MVP_STATIONS__GOOGLE_BASE_URL="http://127.0.0.1:$PLACES_PORT" MVP_STATIONS__GOOGLE_API_KEY="$PLACES_KEY"
# The second one trusts the fake issuer that e2e/run.mjs serves on ISSUER_PORT.
# Both share the database, so both would send its queued mail; the local one does (its outbox is the
# one the steps read), this one only at start.
start_backend oidc "$OIDC_PORT" MVP_AUTH__PROVIDER=oidc MVP_AUTH__ISSUER="http://127.0.0.1:$ISSUER_PORT/" \
  MVP_AUTH__CLIENT_ID=mvp-spa-e2e MVP_AUTH__AUDIENCE=motovaultpro \
  MVP_MAIL__DELIVER_INTERVAL_SECS=86400 MVP_NOTIFICATIONS__REMINDER_INTERVAL_SECS=86400

status=0
BASE_URL="http://127.0.0.1:$PORT" OUTBOX_DIR="$DATA/local/outbox" \
  OIDC_BASE_URL="http://127.0.0.1:$OIDC_PORT" OIDC_ISSUER_PORT="$ISSUER_PORT" OIDC_CLIENT_ID=mvp-spa-e2e \
  PLACES_PORT="$PLACES_PORT" PLACES_KEY="$PLACES_KEY" ADMIN_EMAIL="$ADMIN_EMAIL" \
  FIXTURES="$DATA/fixtures" SCREENSHOT_DIR="${MVP_E2E_SCREENSHOTS:-$ROOT/e2e/screenshots}" node e2e/run.mjs || status=$?
if [ "$status" != 0 ]; then
  for name in local oidc; do
    say "$name backend log (last 30 lines):"
    tail -n 30 "$DATA/$name.log" >&2
  done
fi
exit "$status"
