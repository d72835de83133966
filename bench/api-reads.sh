#!/usr/bin/env bash
# Warm `GET /api/platform/makes?year=2024` and `GET /api/vehicles` for a user with 10 vehicles, against
# the release binary with Postgres and Redis on this machine. Loopback only; bounded by DURATION.
# Usage: bench/api-reads.sh [DURATION=10s] [CONCURRENCY=50]
DURATION="${1:-10s}"; CONC="${2:-50}"
source "$(dirname "$0")/lib.sh"
for i in $(seq 1 10); do
  curl -sf -X POST "$API/vehicles" -H "$AUTH" -H 'content-type: application/json' \
    -d "{\"year\": 2020, \"make\": \"Honda\", \"model\": \"Civic\", \"nickname\": \"car $i\", \"odometerReading\": $((i * 1000))}" >/dev/null
done
curl -sf "$API/platform/makes?year=2024" -H "$AUTH" >/dev/null   # warm the cache
say "$(nproc) cores, $(date -u +%FT%TZ), $DURATION at $CONC connections (hey on the same machine)"
run "GET /api/platform/makes?year=2024" "$API/platform/makes?year=2024"
run "GET /api/vehicles (10 vehicles)" "$API/vehicles"
