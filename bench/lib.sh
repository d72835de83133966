#!/usr/bin/env bash
# Shared by the bench scripts: build the release binary, start it on a fresh database with the local
# identity provider, and sign a user in (token in $AUTH). Everything is torn down on exit.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
PORT="${MVP_BENCH_PORT:-3190}"
REDIS="${MVP_BENCH_REDIS:-redis://127.0.0.1:6379}"

ensure_rust
ensure_system_packages
have hey || apt_ensure hey
pg_ready 127.0.0.1 5432 || die "needs PostgreSQL on 127.0.0.1:5432"

if [ -z "${MVP_BENCH_SKIP_BUILD:-}" ]; then
  say "building the release binary"
  cargo build --release --locked -q -p mvp-backend
fi
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/mvp-backend"

DB="mvp_bench_$$"
WORK="$(mktemp -d)"
psql -h 127.0.0.1 -U postgres -qc "create database $DB" >/dev/null
bench_cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  psql -h 127.0.0.1 -U postgres -qc "drop database if exists $DB with (force)" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap bench_cleanup EXIT

CONFIG_DIR=/nonexistent APP_ENV=production MVP_AUTH__PROVIDER=local \
  MVP_SERVER__BIND="127.0.0.1:$PORT" MVP_SERVER__PUBLIC_URL="http://127.0.0.1:$PORT" \
  MVP_DATABASE__URL="postgres://postgres@127.0.0.1:5432/$DB" MVP_DATABASE__MAX_CONNECTIONS=20 \
  MVP_REDIS__URL="$REDIS" MVP_REDIS__KEY_PREFIX="bench$$:" MVP_STORAGE__DATA_DIR="$WORK" \
  MVP_AUTH__LOCAL__ACCESS_TOKEN_TTL_SECS=3600 MVP_LOG__LEVEL="${MVP_BENCH_LOG:-warn}" \
  "$BIN" serve > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/health/live" >/dev/null && break; sleep 0.2; done

API="http://127.0.0.1:$PORT/api"
jget() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
curl -sf -X POST "$API/auth/signup" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"benchmark password","acceptTerms":true}' >/dev/null
LINK_TOKEN="$(cat "$WORK"/outbox/*.json | jget "['text']" | grep -o 'token=[A-Za-z0-9_-]*' | cut -d= -f2)"
curl -sf "$API/auth/verify-email?token=$LINK_TOKEN" >/dev/null
ACCESS="$(curl -sf -X POST "$API/auth/login" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"benchmark password"}' | jget "['accessToken']")"
AUTH="Authorization: Bearer $ACCESS"
PSQL=(psql -h 127.0.0.1 -U postgres -d "$DB" -qtA)

# run NAME URL: one bounded hey run, one summary line (req/s, p50, p95, p99, status codes).
run() {
  local out
  out="$(hey -z "${DURATION:-10s}" -c "${CONC:-50}" -H "$AUTH" "$2")"
  printf '%-40s %9s req/s  p50 %7ss  p95 %7ss  p99 %7ss  %s\n' "$1" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '/ 50% in/ {print $3}')" \
    "$(echo "$out" | awk '/ 95% in/ {print $3}')" \
    "$(echo "$out" | awk '/ 99% in/ {print $3}')" \
    "$(echo "$out" | awk '/\[[0-9]+\]\s+[0-9]+ responses/ {printf "%s=%s ", $1, $2}')"
}
