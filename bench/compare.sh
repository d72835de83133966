#!/usr/bin/env bash
# `make bench`: mvp-backend side by side with the Node reference of the original stack
# (../shared/perf/node-baseline, plus bench/node/fuel.mjs for the two fuel reads), on this machine,
# loopback only. Both verify the same RS256 token against one stub issuer (bench/node/issuer.mjs) and
# read the same data: 1,000 users × 10 vehicles, and 1,000 fill-ups on the first user's newest vehicle.
# Each endpoint is loaded with oha against Node, then the backend, then a second backend with kept
# reads off (server.read_cache_secs 0: the database path), twice; one table (req/s, p50, p99,
# peak RSS during the run, the ratio of the means) is printed and written to bench/results/latest.md.
# Then the write path: POST /api/fuel-logs at 10 connections (backend only), new fill-ups with wrk
# (bench/write.lua: each vehicle's in time order) carrying a trip distance, then back-dated ones at
# random times with oha, then new ones carrying an odometer reading (checked against the vehicle's
# other readings, and moving the vehicle's odometer).
#
# Usage: bench/compare.sh [DURATION=8s] [CONNECTIONS=50]
# Environment: MVP_BENCH_LOG (default "info", the production level: one JSON line per request),
# MVP_BENCH_SKIP_BUILD=1 to use the release binary already built, MVP_BENCH_PERF=1 for a whole-machine
# `perf record` of every run (bench/results/perf-*.txt), MVP_BENCH_CALLGRIND=1 to run the backend under
# valgrind's callgrind instead of loading it: instructions per request and the inclusive top functions
# per endpoint (bench/results/callgrind-*.txt; MVP_BENCH_CALLGRIND_REQUESTS, default 2000),
# MVP_BENCH_ONLY=write for the write runs alone (about a minute; the table then holds only them),
# MVP_BENCH_KEEP_DB=1 to leave the backend's database behind for a look with psql (its name is printed;
# only where Postgres is the machine's own, not a throwaway one).
set -euo pipefail
DURATION="${1:-8s}"; CONC="${2:-50}"; WRITE_CONC=10
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

OHA_VERSION=1.16.0
NODE_REF="$ROOT/../shared/perf/node-baseline"
[ -f "$NODE_REF/server.js" ] || die "the Node reference is not at $NODE_REF (../shared/perf beside the project)"

ensure_rust
ensure_system_packages
have node && have npm || apt_ensure nodejs npm
have wrk || apt_ensure wrk
export PATH="$HOME/.cargo/bin:$PATH"
if ! oha --version 2>/dev/null | grep -q " $OHA_VERSION\$"; then
  say "installing oha $OHA_VERSION (a few minutes, once per machine)"
  cargo install oha --version "$OHA_VERSION" --locked --quiet
fi

WORK="$(mktemp -d)"
PIDS=()
mkdir -p bench/results
ADMIN_URL=""; DB="mvp_bench_$$"; NODE_DB="mvp_bench_node_$$"
finish() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${MVP_BENCH_KEEP_DB:-}" ]; then
    say "left behind: database $DB"
  elif [ -n "$ADMIN_URL" ]; then
    psql "$ADMIN_URL" -qc "drop database if exists $DB with (force)" >/dev/null 2>&1 || true
  fi
  if [ -n "$ADMIN_URL" ]; then
    psql "$ADMIN_URL" -qc "drop database if exists $NODE_DB with (force)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  stop_test_services
}
trap finish EXIT
use_test_services
ADMIN_URL="$MVP_TEST_DATABASE_URL"
db_url() { echo "${ADMIN_URL%/*}/$1"; }

if [ -z "${MVP_BENCH_SKIP_BUILD:-}" ]; then
  say "building the release backend"
  cargo build --release --locked -q -p mvp-backend
fi
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/mvp-backend"
if [ -n "${MVP_BENCH_CALLGRIND:-}" ] && ! have callgrind_control; then apt_ensure valgrind; fi

# The reference's packages, installed once per lockfile in the cache (the shared copy stays clean).
NODE_DIR="${MVP_CACHE_DIR:-$HOME/.cache/motovaultpro}/node-baseline"
if ! cmp -s "$NODE_REF/package-lock.json" "$NODE_DIR/package-lock.json" 2>/dev/null \
   || [ ! -d "$NODE_DIR/node_modules" ]; then
  say "installing the Node reference's packages (npm ci)"
  rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
  cp "$NODE_REF/package.json" "$NODE_REF/package-lock.json" "$NODE_DIR/"
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --silent)
fi
cp "$NODE_REF/server.js" "$NODE_REF/schema.sql" bench/node/fuel.mjs "$NODE_DIR/"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # URL NAME LOG
  for _ in $(seq 1 150); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done
  tail -n 20 "$3" >&2; die "$2 did not start"
}
ISSUER_PORT="$(free_port)"; API_PORT="$(free_port)"; NODE_PORT="$(free_port)"; FUEL_PORT="$(free_port)"
OFF_PORT="$(free_port)"
ISSUER="http://127.0.0.1:$ISSUER_PORT/"; AUDIENCE=motovaultpro; SUB='auth0|user-1'

node bench/node/issuer.mjs "$ISSUER_PORT" "$AUDIENCE" "$SUB" > "$WORK/tokens" 2>"$WORK/issuer.log" &
PIDS+=("$!")
for _ in $(seq 1 100); do [ -s "$WORK/tokens" ] && break; sleep 0.1; done
TOKEN="$(head -n 1 "$WORK/tokens")"
[ -n "$TOKEN" ] || die "the stub issuer gave no token"
AUTH="Authorization: Bearer $TOKEN"

say "seeding the Node reference's database ($NODE_DB)"
psql "$ADMIN_URL" -qc "create database $NODE_DB" >/dev/null
NPSQL=(psql "$(db_url "$NODE_DB")" -qtA -v ON_ERROR_STOP=1)
"${NPSQL[@]}" -f "$NODE_DIR/schema.sql" >/dev/null
"${NPSQL[@]}" >/dev/null <<'SQL'
create table bench_fuel_logs (
  id uuid primary key default gen_random_uuid(), user_id text not null, vehicle_id uuid not null,
  date_time timestamptz not null, odometer_reading numeric(12,1), trip_distance numeric(10,1),
  fuel_type text not null, fuel_grade text, fuel_units numeric(10,3) not null, cost_per_unit numeric(10,3) not null,
  total_cost numeric(10,2) not null, full_fill boolean not null default true, missed_previous boolean not null default false,
  station_id uuid, location_name text, notes text, efficiency numeric(8,2),
  created_at timestamptz not null default now(), updated_at timestamptz not null default now(), deleted_at timestamptz);
create index bench_fuel_logs_vehicle on bench_fuel_logs (user_id, vehicle_id, date_time desc, id desc)
  where deleted_at is null;
insert into bench_fuel_logs (user_id, vehicle_id, date_time, odometer_reading, fuel_type, fuel_units, cost_per_unit,
                             total_cost, efficiency)
select 'auth0|user-1', (select id from bench_vehicles where user_id = 'auth0|user-1' order by created_at desc, id desc limit 1),
       timestamptz '2007-01-01' + i * interval '7 days', 1000 + i * 300, 'gasoline', 10 + i % 5, 3.459,
       round((10 + i % 5) * 3.459, 2), case when i = 0 then null else round(300.0 / (10 + i % 5), 2) end
  from generate_series(0, 999) as i;
analyze;
SQL
NODE_VEHICLE="$("${NPSQL[@]}" -c "select vehicle_id from bench_fuel_logs limit 1")"

say "starting mvp-backend (release, oidc, log level ${MVP_BENCH_LOG:-info} as JSON) on $DB"
psql "$ADMIN_URL" -qc "create database $DB" >/dev/null
# start_backend PORT LOG [VAR=VALUE ...]: one mvp-backend on $DB; its pid in $STARTED.
start_backend() {
  local port="$1" log="$2"; shift 2
  env CONFIG_DIR=/nonexistent APP_ENV=development MVP_LOG__FORMAT=json MVP_LOG__LEVEL="${MVP_BENCH_LOG:-info}" \
    MVP_AUTH__PROVIDER=oidc MVP_AUTH__ISSUER="$ISSUER" MVP_AUTH__AUDIENCE="$AUDIENCE" \
    MVP_SERVER__BIND="127.0.0.1:$port" MVP_SERVER__PUBLIC_URL="http://127.0.0.1:$port" \
    MVP_DATABASE__URL="$(db_url "$DB")?sslmode=disable" MVP_REDIS__URL="$MVP_TEST_REDIS_URL" MVP_REDIS__KEY_PREFIX="bench$$:" \
    MVP_STORAGE__DATA_DIR="$WORK/data" MVP_MAIL__DELIVER_INTERVAL_SECS=86400 \
    MVP_NOTIFICATIONS__REMINDER_INTERVAL_SECS=86400 "$@" \
    ${MVP_BENCH_CALLGRIND:+valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/callgrind.out"} \
    "$BIN" serve > "$log" 2>&1 &
  STARTED=$!; PIDS+=("$STARTED")
  wait_for "http://127.0.0.1:$port/health/live" mvp-backend "$log"
}
start_backend "$API_PORT" "$WORK/backend.log"
API_PID=$STARTED

say "seeding mvp-backend's database (the same rows)"
PSQL=(psql "$(db_url "$DB")" -qtA -v ON_ERROR_STOP=1)
"${PSQL[@]}" >/dev/null <<'SQL'
insert into vehicles (id, user_id, year, make, model, trim_level, engine, nickname, odometer_entered,
                      entered_units, odometer_km)
select gen_random_uuid(), 'auth0|user-' || u, 2000 + (v % 25), 'Honda', 'Accord', 'EX', '2.4L I4', 'car ' || v,
       1000 * v, 'imperial', 1000 * v * 1.609344
  from generate_series(1, 1000) u, generate_series(1, 10) v;
insert into fuel_logs (id, user_id, vehicle_id, date_time, entered_units, odometer_entered, fuel_units_entered,
    cost_per_unit_entered, total_cost, fuel_type, full_fill, missed_previous, odometer_km, volume,
    segment_km, interval_km, interval_volume)
select gen_random_uuid(), 'auth0|user-1',
       (select id from vehicles where user_id = 'auth0|user-1' order by created_at desc, id desc limit 1),
       timestamptz '2007-01-01' + i * interval '7 days', 'imperial', 1000 + i * 300, 10 + i % 5, 3.459,
       round((10 + i % 5) * 3.459, 2), 'gasoline', true, false, (1000 + i * 300) * 1.609344,
       (10 + i % 5) * 3.785411784,
       case when i = 0 then null else 300 * 1.609344 end,
       case when i = 0 then null else 300 * 1.609344 end,
       case when i = 0 then null else (10 + i % 5) * 3.785411784 end
  from generate_series(0, 999) as i;
analyze;
SQL
VEHICLE="$("${PSQL[@]}" -c "select vehicle_id from fuel_logs limit 1")"
WRITE_VEHICLES="$("${PSQL[@]}" -c "select id from vehicles where user_id = 'auth0|user-1' and id <> '$VEHICLE'")"
API="http://127.0.0.1:$API_PORT/api"
TERMS="$(curl -sf "$API/config" | python3 -c 'import json,sys; print(json.load(sys.stdin)["termsVersion"])')"
curl -sf -X POST "$API/auth/accept-terms" -H "$AUTH" -H 'content-type: application/json' \
  -d "{\"version\":\"$TERMS\"}" >/dev/null \
  || die "accepting the terms failed: $(tail -n 5 "$WORK/backend.log")"

say "starting the Node reference (vehicles: server.js; fuel: fuel.mjs)"
NODE_ENV_VARS=(DATABASE_URL="$(db_url "$NODE_DB")" ISSUER="$ISSUER" AUDIENCE="$AUDIENCE"
  JWKS_URL="${ISSUER}.well-known/jwks.json")
(cd "$NODE_DIR" && exec env "${NODE_ENV_VARS[@]}" PORT="$NODE_PORT" node server.js) > "$WORK/node.log" 2>&1 &
NODE_PID=$!; PIDS+=("$NODE_PID")
(cd "$NODE_DIR" && exec env "${NODE_ENV_VARS[@]}" PORT="$FUEL_PORT" node fuel.mjs) > "$WORK/fuel.log" 2>&1 &
FUEL_PID=$!; PIDS+=("$FUEL_PID")
wait_for "http://127.0.0.1:$NODE_PORT/api/health" "the Node reference" "$WORK/node.log"
wait_for "http://127.0.0.1:$FUEL_PORT/api/fuel-logs" "the Node fuel reads" "$WORK/fuel.log"
if [ -z "${MVP_BENCH_CALLGRIND:-}" ]; then
  say "starting a second mvp-backend with kept reads off (every read goes to Postgres)"
  start_backend "$OFF_PORT" "$WORK/backend-off.log" MVP_SERVER__READ_CACHE_SECS=0
  OFF_PID=$STARTED
fi
OFF="http://127.0.0.1:$OFF_PORT/api"

# The endpoints: name | Node URL | Node pid | backend path (on $API, and on $OFF with kept reads off).
ENDPOINTS=(
  "GET /api/vehicles|http://127.0.0.1:$NODE_PORT/api/vehicles|$NODE_PID|/vehicles"
  "GET /api/fuel-logs?vehicleId= (page 1 of 1,000)|http://127.0.0.1:$FUEL_PORT/api/fuel-logs?vehicleId=$NODE_VEHICLE|$FUEL_PID|/fuel-logs?vehicleId=$VEHICLE"
  "GET /api/vehicles/{id}/fuel-stats (1,000 fill-ups)|http://127.0.0.1:$FUEL_PORT/api/vehicles/$NODE_VEHICLE/fuel-stats|$FUEL_PID|/vehicles/$VEHICLE/fuel-stats"
)
for entry in "${ENDPOINTS[@]}"; do # every URL answers 200 before anything is measured
  IFS='|' read -r name node_url _ api_path <<<"$entry"
  urls=("$node_url" "$API$api_path")
  [ -n "${MVP_BENCH_CALLGRIND:-}" ] || urls+=("$OFF$api_path")
  for url in "${urls[@]}"; do
    code="$(curl -s -o "$WORK/body" -w '%{http_code}' -H "$AUTH" "$url")"
    [ "$code" = 200 ] || die "$name: $url answered $code: $(head -c 300 "$WORK/body")"
  done
done

# db_xacts DB: transactions Postgres has finished in DB (a statement outside a transaction is one).
db_xacts() {
  psql "$ADMIN_URL" -qtAc "select xact_commit + xact_rollback from pg_stat_database where datname = '$1'"
}

# load NAME URL PID CONNECTIONS [oha args...]: one oha run while sampling the server's RSS; appends
# "name|req/s|p50 ms|p99 ms|peak RSS MiB|DB transactions per request|non-2xx" to $WORK/runs.
load() {
  local name="$1" url="$2" pid="$3" conns="$4"; shift 4
  local peak=0 rss perf_pid="" db xacts
  case "$name" in *"|node|"*) db="$NODE_DB" ;; *) db="$DB" ;; esac
  xacts="$(db_xacts "$db")"
  if [ -n "${MVP_BENCH_PERF:-}" ] && [ "$name" != warm ]; then
    # The whole machine, sampled: where each run's CPU goes (process, then our own functions).
    perf record -a -F 499 -o "$WORK/perf.data" -q -- sleep "${DURATION%s}" 2>/dev/null &
    perf_pid=$!
  fi
  if [ "${LOADER:-oha}" = wrk ]; then
    # bench/write.lua's own summary (the last line) in oha's JSON shape.
    { wrk -t "$WRK_THREADS" -c "$conns" -d "$DURATION" -H "$AUTH" -s bench/write.lua "$url" -- "$@" \
        | tail -n 1 > "$WORK/oha.json"; } &
  else
    oha -z "$DURATION" -c "$conns" --no-tui --output-format json -H "$AUTH" "$@" "$url" > "$WORK/oha.json" &
  fi
  local oha_pid=$!
  while kill -0 "$oha_pid" 2>/dev/null; do
    rss="$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
    [ "${rss:-0}" -gt "$peak" ] && peak="$rss"
    sleep 0.25
  done
  wait "$oha_pid"
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    local slug; slug="$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-' | tr -s '-')"
    { echo "# $name"; echo "## CPU by process"
      perf report -i "$WORK/perf.data" --stdio --sort pid --percent-limit 1 2>/dev/null | grep -v '^#' | grep -v '^$'
      echo "## the server's own top functions (self time, % of all samples)"
      perf report -i "$WORK/perf.data" --stdio --pid "$pid" --sort sym --percent-limit 0.7 \
        2>/dev/null | grep -v '^#' | grep -v '^$' | head -40
    } > "bench/results/perf-$slug.txt"
  fi
  sleep 1.2 # Postgres publishes its per-database counters about once a second
  xacts=$(( $(db_xacts "$db") - xacts ))
  python3 - "$name" "$peak" "$WORK/oha.json" "$xacts" >> "$WORK/runs" <<'PY'
import json, sys
name, peak, path, xacts = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
d = json.load(open(path))
codes = d.get("statusCodeDistribution", {})
bad = sum(n for code, n in codes.items() if not code.startswith("2"))
lat = d["latencyPercentiles"]
done = sum(codes.values()) or 1
print(f'{name}|{d["summary"]["requestsPerSec"]:.0f}|{lat["p50"] * 1000:.2f}|{lat["p99"] * 1000:.2f}|{peak / 1024:.0f}|{xacts / done:.2f}|{bad}')
PY
}

if [ -n "${MVP_BENCH_CALLGRIND:-}" ]; then
  # Instructions per request (valgrind counts instructions, not time: the same on a busy machine).
  # Collection is switched on only around each endpoint's requests, so start-up is left out.
  CG_REQUESTS="${MVP_BENCH_CALLGRIND_REQUESTS:-2000}"
  for entry in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name _ _ api_path <<<"$entry"
    api_url="$API$api_path"
    oha -n 200 -c 4 --no-tui -H "$AUTH" "$api_url" >/dev/null # warm the caches, uncounted
    callgrind_control -z "$API_PID" >/dev/null
    callgrind_control -i on "$API_PID" >/dev/null
    oha -n "$CG_REQUESTS" -c 4 --no-tui -H "$AUTH" "$api_url" >/dev/null
    callgrind_control -i off "$API_PID" >/dev/null
    callgrind_control -d "$API_PID" >/dev/null
    sleep 1
    out="$(ls -t "$WORK"/callgrind.out.* | head -n 1)"
    slug="$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-' | tr -s '-' | sed 's/-$//')"
    total="$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')"
    { echo "# $name: $CG_REQUESTS requests, $((total / CG_REQUESTS)) instructions per request (the server's user space)"
      echo "## self (instructions in the function itself), % of the run"
      { callgrind_annotate "$out" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | head -45; } || true
      echo "## inclusive (a function and all it calls; futures that poll each other count more than once)"
      { callgrind_annotate --inclusive=yes "$out" 2>/dev/null | grep -E '^ *[0-9,]+ \(' \
          | grep -v 'as core::future::future::Future>::poll' | head -60; } || true
    } > "bench/results/callgrind-$slug.txt"
    say "$name: $((total / CG_REQUESTS)) instructions per request (bench/results/callgrind-$slug.txt)"
    rm -f "$out"
  done
  exit 0
fi

: > "$WORK/runs"
STAMP="$(date -u +%FT%TZ)"
if [ "${MVP_BENCH_ONLY:-}" != write ]; then
  say "warming up (2 s each, not counted)"
  for entry in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name node_url node_pid api_path <<<"$entry"
    DURATION=2s load warm "$node_url" "$node_pid" "$CONC"
    DURATION=2s load warm "$API$api_path" "$API_PID" "$CONC"
    DURATION=2s load warm "$OFF$api_path" "$OFF_PID" "$CONC"
  done
  : > "$WORK/runs"
  say "$(nproc) cores, $STAMP: $DURATION per run at $CONC connections, Node, mvp-backend, mvp-backend with kept reads off; twice"
  for round in 1 2; do
    for entry in "${ENDPOINTS[@]}"; do
      IFS='|' read -r name node_url node_pid api_path <<<"$entry"
      load "$name|node|$round" "$node_url" "$node_pid" "$CONC"
      load "$name|mvp|$round" "$API$api_path" "$API_PID" "$CONC"
      load "$name|off|$round" "$OFF$api_path" "$OFF_PID" "$CONC"
      tail -n 3 "$WORK/runs" >&2
    done
  done
fi

say "the write path: POST /api/fuel-logs at $WRITE_CONC connections (mvp-backend)"
# As drivers add fill-ups: bench/write.lua (wrk) sends each vehicle's fill-ups in time order, a minute
# apart, round-robin over the user's other nine vehicles; each round goes on from a later minute.
# (oha's -Z picks body lines at random, which would date most fill-ups back into the history.)
WRK_THREADS=2
LOADER=wrk DURATION=2s load warm "$API/fuel-logs" "$API_PID" "$WRITE_CONC" 0 "$WRK_THREADS" trip \
  $WRITE_VEHICLES
tail -n 1 "$WORK/runs" | grep -q '|0$' || die "the write warm-up had non-2xx answers: $(tail -n 1 "$WORK/runs")"
sed -i '$d' "$WORK/runs"
for round in 1 2; do
  LOADER=wrk load "POST /api/fuel-logs (economy chain)|mvp|$round" "$API/fuel-logs" "$API_PID" \
    "$WRITE_CONC" $((round * 200000)) "$WRK_THREADS" trip $WRITE_VEHICLES
  tail -n 1 "$WORK/runs" >&2
done
# Back-dated: fill-ups at random minutes of the first round's span (oha picks the lines at random),
# each landing inside a history and moving the economy of the fill-ups after it.
python3 - "$WORK/bodies" $WRITE_VEHICLES <<'PY'
import datetime, json, sys
path, vehicles = sys.argv[1], sys.argv[2:]
start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(minutes=200_000)
with open(path, "w") as out:
    for i in range(10_000):
        body = {"vehicleId": vehicles[i % len(vehicles)],
                "dateTime": (start + datetime.timedelta(minutes=i, seconds=30)).isoformat(),
                "tripDistance": 280 + i % 40, "fuelType": "gasoline", "fuelUnits": f"{9 + i % 4}.5",
                "costPerUnit": "3.459", "fullFill": i % 5 != 0}
        out.write(json.dumps(body) + "\n")
PY
load "POST /api/fuel-logs, back-dated (random times in the history)|mvp|1" "$API/fuel-logs" "$API_PID" \
  "$WRITE_CONC" -m POST -T application/json -Z "$WORK/bodies"
tail -n 1 "$WORK/runs" >&2
# New fill-ups with odometer readings, later than everything above (bench/write.lua: one mile a minute).
for round in 1 2; do
  LOADER=wrk load "POST /api/fuel-logs (economy chain), odometer readings|mvp|$round" "$API/fuel-logs" \
    "$API_PID" "$WRITE_CONC" $((400000 + round * 200000)) "$WRK_THREADS" odometer $WRITE_VEHICLES
  tail -n 1 "$WORK/runs" >&2
done
WRITTEN="$("${PSQL[@]}" -c "select count(*) from fuel_logs where vehicle_id <> '$VEHICLE'")"
CHAINED="$("${PSQL[@]}" -c "select count(*) from fuel_logs where vehicle_id <> '$VEHICLE' and interval_km is not null")"
LOG_LINES="$(grep -c '"request completed"' "$WORK/backend.log" || true)"
# What the resident memory is, at the end: private (anonymous) and mapped from files (code, data).
memory() { # PID NAME
  awk -v name="$2" '/^(RssAnon|RssFile):/ {v[$1] = $2} END {
    printf "%s %.0f MiB private + %.0f MiB from files", name, v["RssAnon:"] / 1024, v["RssFile:"] / 1024 }' \
    "/proc/$1/status"
}
MEMORY="$(memory "$API_PID" mvp-backend); $(memory "$NODE_PID" "Node (vehicles)"); $(memory "$FUEL_PID" "Node (fuel)")"
# How much of crates/backend/link-order.txt (see build.rs) still names functions of this binary.
ORDER="$(python3 - "$BIN" crates/backend/link-order.txt <<'PY'
import subprocess, sys
names = set(open(sys.argv[2]).read().split())
found = {}  # name -> (address, size) of the functions the file lists
for line in subprocess.run(["nm", "-S", sys.argv[1]], capture_output=True, text=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 4 and parts[3] in names:
        found[parts[3]] = (int(parts[0], 16), int(parts[1], 16))
span = max(a + n for a, n in found.values()) - min(a for a, _ in found.values()) if found else 0
size = sum(n for _, n in found.values())
print(f"{len(found):,} of its {len(names):,} functions ({size / 2**20:.1f} MiB of code, within "
      f"{span / 2**20:.1f} MiB of the binary)")
PY
)"

python3 - "$WORK/runs" "$STAMP" "$DURATION" "$CONC" "$WRITE_CONC" "$WRITTEN" "$LOG_LINES" \
  "${MVP_BENCH_LOG:-info}" "$CHAINED" "$MEMORY" "$ORDER" > bench/results/latest.md <<'PY'
import sys
from collections import defaultdict
path, stamp, duration, conc, write_conc, written, log_lines, level, chained, memory, linked = sys.argv[1:]
runs = defaultdict(list)
order = []
for line in open(path):
    name, stack, _round, rps, p50, p99, rss, xacts, bad = line.strip().split("|")
    if name not in order:
        order.append(name)
    runs[(name, stack)].append((float(rps), float(p50), float(p99), int(rss), float(xacts), int(bad)))
mean = lambda xs: sum(xs) / len(xs)
print(f"# make bench — {stamp}\n")
print(f"oha (reads, back-dated writes) and wrk (new fill-ups), {duration} per run, {conc} connections for the "
      f"reads and {write_conc} for the writes; loopback; "
      f"mvp-backend at log level `{level}` (JSON, one line per request: {log_lines} lines written). "
      "Runs alternate Node, mvp-backend, then a second mvp-backend with kept reads off "
      "(`server.read_cache_secs: 0`: every read goes to Postgres); each is listed; the ratio compares the means "
      "(req/s: mvp ÷ Node; p99 and RSS: mvp ÷ Node, lower is better). DB xacts/req: transactions the "
      "server's database finished per request (a statement outside a transaction is one; a write's "
      "transaction is one however many statements it holds).\n")
print("| endpoint | stack | run | req/s | p50 ms | p99 ms | peak RSS MiB | DB xacts/req | non-2xx |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|")
labels = {"node": "Node reference", "mvp": "mvp-backend", "off": "mvp-backend, kept reads off"}
for name in order:
    for stack in ("node", "mvp", "off"):
        for i, (rps, p50, p99, rss, xacts, bad) in enumerate(runs.get((name, stack), []), 1):
            print(f"| {name} | {labels[stack]} | {i} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {rss} | {xacts:.2f} | {bad} |")
    node = runs.get((name, "node"))
    for stack, label in (("mvp", "**ratio**"), ("off", "ratio, kept reads off")):
        mvp = runs.get((name, stack))
        if node and mvp:
            r = mean([x[0] for x in mvp]) / mean([x[0] for x in node])
            p = mean([x[2] for x in mvp]) / mean([x[2] for x in node])
            m = mean([x[3] for x in mvp]) / mean([x[3] for x in node])
            b = "**" if stack == "mvp" else ""
            print(f"| {name} | {label} | | {b}{r:.2f}×{b} | | {b}{p:.2f}×{b} | {b}{m:.2f}×{b} | | |")
print(f"\nThe write runs stored {written} fill-ups on nine vehicles; {chained} of them closed an economy "
      "interval (a full fill after another fill). The new fill-ups are sent with wrk (bench/write.lua: "
      "each vehicle's in time order, a minute apart, as a driver adds them), first with a trip distance, "
      "last with an odometer reading; the back-dated run sends fill-ups (trip distances) at random times "
      "inside the first round's span with oha.")
print(f"\nResident memory at the end: {memory}. The binary holds {linked} of "
      "crates/backend/link-order.txt, which the linker places side by side (crates/backend/build.rs; "
      "scripts/link-order.sh remakes it).")
PY
cat bench/results/latest.md
if grep -qE '\|[^|]*\| [1-9][0-9,]* \|$' <(grep -v '^| ---' bench/results/latest.md | grep -v ratio); then
  die "some requests did not answer 2xx (the non-2xx column)"
fi
