#!/usr/bin/env bash
# A vehicle with 50,000 fill-ups: `GET /api/vehicles/{id}/fuel-stats` and the first page of
# `GET /api/fuel-logs?vehicleId=`, plus EXPLAIN ANALYZE of their queries. The rows are generated in SQL
# (values as the API would store them: full fills every 400 km). Loopback only; bounded by DURATION.
# Usage: bench/fuel-logs.sh [DURATION=10s] [CONCURRENCY=10] [LOGS=50000]
DURATION="${1:-10s}"; CONC="${2:-10}"; LOGS="${3:-50000}"
source "$(dirname "$0")/lib.sh"
VEHICLE="$(curl -sf -X POST "$API/vehicles" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"year": 2015, "make": "Toyota", "model": "Camry"}' | jget "['id']")"
OTHER="$(curl -sf -X POST "$API/vehicles" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"year": 2019, "make": "Ford", "model": "F-150"}' | jget "['id']")"
USER_ID="$("${PSQL[@]}" -c "select user_id from vehicles where id = '$VEHICLE'")"
"${PSQL[@]}" <<SQL
insert into fuel_logs (id, user_id, vehicle_id, date_time, entered_units, odometer_entered, fuel_units_entered,
    cost_per_unit_entered, total_cost, fuel_type, full_fill, missed_previous, odometer_km, volume,
    segment_km, interval_km, interval_volume)
select gen_random_uuid(), '$USER_ID', '$VEHICLE', timestamptz '2008-01-01' + i * interval '3 hours', 'metric',
       1000 + i * 400, 35 + i % 7, 1.659, round((35 + i % 7) * 1.659, 2), 'gasoline', true, false,
       1000 + i * 400, 35 + i % 7,
       case when i = 0 then null else 400 end,
       case when i = 0 then null else 400 end,
       case when i = 0 then null else 35 + i % 7 end
  from generate_series(0, $LOGS - 1) as i;
-- A second vehicle with its own history, so the plan has to pick this vehicle's rows out of the user's.
insert into fuel_logs (id, user_id, vehicle_id, date_time, entered_units, odometer_entered, fuel_units_entered,
    cost_per_unit_entered, total_cost, fuel_type, full_fill, missed_previous, odometer_km, volume)
select gen_random_uuid(), '$USER_ID', '$OTHER', timestamptz '2020-01-01' + i * interval '1 day', 'metric',
       500 + i * 300, 30, 1.7, 51.00, 'diesel', true, false, 500 + i * 300, 30
  from generate_series(0, 4999) as i;
analyze fuel_logs;
SQL
say "$("${PSQL[@]}" -c "select count(*) from fuel_logs") fill-ups for one vehicle"
curl -sf "$API/vehicles/$VEHICLE/fuel-stats" -H "$AUTH" | python3 -c "import json,sys; d=json.load(sys.stdin); print({k: d[k] for k in ['logCount','averageEfficiency','totalDistance']}, len(d['monthly']), 'months')"
say "$(nproc) cores, $(date -u +%FT%TZ), $DURATION at $CONC connections (hey on the same machine)"
run "GET /api/vehicles/{id}/fuel-stats" "$API/vehicles/$VEHICLE/fuel-stats"
run "GET /api/fuel-logs?vehicleId= (page 1)" "$API/fuel-logs?vehicleId=$VEHICLE"
say "EXPLAIN ANALYZE: first page of the list (the query the API runs)"
"${PSQL[@]}" -c "explain (analyze, costs off) select * from fuel_logs where user_id = '$USER_ID' and vehicle_id = '$VEHICLE'
  and deleted_at is null order by date_time desc, id desc limit 100 offset 0"
say "EXPLAIN ANALYZE: first page for the user's other vehicle (5,000 of the user's 55,000 rows)"
"${PSQL[@]}" -c "explain (analyze, costs off) select * from fuel_logs where user_id = '$USER_ID' and vehicle_id = '$OTHER'
  and deleted_at is null order by date_time desc, id desc limit 100 offset 0"
say "EXPLAIN ANALYZE: the stats read (monthly roll-up)"
"${PSQL[@]}" -c "explain (analyze, costs off) select * from fuel_log_months where user_id = '$USER_ID'
  and vehicle_id = '$VEHICLE' order by month"
say "EXPLAIN ANALYZE: a stats request with from/to (grouped scan of the range)"
"${PSQL[@]}" -c "explain (analyze, costs off) select date_trunc('month', date_time at time zone 'UTC')::date, count(*), sum(total_cost)
  from fuel_logs where user_id = '$USER_ID' and vehicle_id = '$VEHICLE' and deleted_at is null
  and date_time >= '2020-01-01' and date_time <= '2020-12-31' group by 1 order by 1"
