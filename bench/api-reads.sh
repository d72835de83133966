#!/usr/bin/env bash
# Load benchmark of two hot reads (issue: platform and vehicles): a warm `GET /api/platform/makes?year=`
# and `GET /api/vehicles` for a user with 10 vehicles, at 50 concurrent connections, against the release
# binary with Postgres and Redis on this machine. Loopback only; each run is bounded by DURATION.
# Usage: bench/api-reads.sh [DURATION=10s] [CONCURRENCY=50]
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
DURATION="${1:-10s}"
CONC="${2:-50}"
PORT="${MVP_BENCH_PORT:-3190}"

ensure_rust
ensure_system_packages
have hey || apt_ensure hey
pg_ready 127.0.0.1 5432 || die "needs PostgreSQL on 127.0.0.1:5432 (make test starts one; or start the machine's)"
REDIS="${MVP_BENCH_REDIS:-redis://127.0.0.1:6379}"

say "building the release binary"
cargo build --release --locked -q -p mvp-backend
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/mvp-backend"

DB="mvp_bench_$$"
WORK="$(mktemp -d)"
psql -h 127.0.0.1 -U postgres -qc "create database $DB" >/dev/null
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  psql -h 127.0.0.1 -U postgres -qc "drop database if exists $DB with (force)" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

CONFIG_DIR=/nonexistent APP_ENV=production MVP_AUTH__PROVIDER=local \
  MVP_SERVER__BIND="127.0.0.1:$PORT" MVP_SERVER__PUBLIC_URL="http://127.0.0.1:$PORT" \
  MVP_DATABASE__URL="postgres://postgres@127.0.0.1:5432/$DB" MVP_DATABASE__MAX_CONNECTIONS=20 \
  MVP_REDIS__URL="$REDIS" MVP_REDIS__KEY_PREFIX="bench$$:" MVP_STORAGE__DATA_DIR="$WORK" \
  MVP_AUTH__LOCAL__ACCESS_TOKEN_TTL_SECS=3600 MVP_LOG__LEVEL=warn MVP_AUTH__RATE_LIMITS__SIGNUP_PER_HOUR=1000 \
  "$BIN" serve > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health/live" >/dev/null && break; sleep 0.2; done

API="http://127.0.0.1:$PORT/api"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
curl -sf -X POST "$API/auth/signup" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"benchmark password","acceptTerms":true}' >/dev/null
TOKEN_LINK="$(cat "$WORK"/outbox/*.json | json "['text']" | grep -o 'token=[A-Za-z0-9_-]*' | cut -d= -f2)"
curl -sf "$API/auth/verify-email?token=$TOKEN_LINK" >/dev/null
ACCESS="$(curl -sf -X POST "$API/auth/login" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"benchmark password"}' | json "['accessToken']")"
AUTH="Authorization: Bearer $ACCESS"
for i in $(seq 1 10); do
  curl -sf -X POST "$API/vehicles" -H "$AUTH" -H 'content-type: application/json' \
    -d "{\"year\": 2020, \"make\": \"Honda\", \"model\": \"Civic\", \"nickname\": \"car $i\", \"odometerReading\": $((i * 1000))}" >/dev/null
done
curl -sf "$API/platform/makes?year=2024" -H "$AUTH" >/dev/null   # warm the cache

run() { # name url
  local out
  out="$(hey -z "$DURATION" -c "$CONC" -H "$AUTH" "$2")"
  local rps p50 p99 codes
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  p50="$(echo "$out" | awk '/50%% in/ || /50% in/ {print $3}')"
  p99="$(echo "$out" | awk '/99%% in/ || /99% in/ {print $3}')"
  codes="$(echo "$out" | awk '/\[[0-9]+\]/ {printf "%s%s ", $1, $2}')"
  printf '%-34s %10s req/s   p50 %8s s   p99 %8s s   %s\n' "$1" "$rps" "$p50" "$p99" "$codes"
}
say "$(nproc) cores, $(date -u +%FT%TZ), $DURATION at $CONC connections"
run "GET /api/platform/makes?year=2024" "$API/platform/makes?year=2024"
run "GET /api/vehicles (10 vehicles)" "$API/vehicles"
