#!/usr/bin/env bash
# Community station search over N approved stations (default 100,000) spread over a 400 × 400 km
# square around Philadelphia (~0.6 stations per km², ~50 within 5 km), without a Google key (the
# community path: the GiST bounding-box filter, then the great-circle distance). Searches from the
# centre within 5 km at CONCURRENCY connections, plus EXPLAIN ANALYZE of the query.
# Usage: bench/stations.sh [DURATION=10s] [CONCURRENCY=10] [STATIONS=100000]
DURATION="${1:-10s}"; CONC="${2:-10}"; STATIONS="${3:-100000}"
source "$(dirname "$0")/lib.sh"
"${PSQL[@]}" <<SQL
insert into community_stations (id, reported_by, name, address, latitude, longitude, brand, fuel_types, status)
select gen_random_uuid(), 'bench-reporter-' || (i % 500), 'Station ' || i, i || ' Bench Rd',
       39.9526 + (random() - 0.5) * 3.6, -75.1652 + (random() - 0.5) * 4.7, 'Bench', '{regular,diesel}', 'approved'
  from generate_series(1, $STATIONS) as i;
analyze community_stations;
SQL
say "$("${PSQL[@]}" -c "select count(*) from community_stations") community stations"
URL="$API/stations/search?latitude=39.9526&longitude=-75.1652&radius=5000"
say "one search finds $(curl -sf "$URL" -H "$AUTH" | jget ".__len__()") stations within 5 km"
say "$(nproc) cores, $(date -u +%FT%TZ), $DURATION at $CONC connections (hey on the same machine)"
run "GET /api/stations/saved (baseline)" "$API/stations/saved"
run "GET /api/stations/search (5 km)" "$URL"
run "GET /api/stations/search (50 km)" "$API/stations/search?latitude=39.9526&longitude=-75.1652&radius=50000"
say "EXPLAIN ANALYZE: the community query of a 5 km search"
"${PSQL[@]}" -c "explain (analyze, costs off)
select * from (select id, name, 2 * 6371008.8 * asin(least(1, sqrt(power(sin(radians(latitude - 39.9526) / 2), 2)
    + cos(radians(39.9526)) * cos(radians(latitude)) * power(sin(radians(longitude + 75.1652) / 2), 2)))) as distance
  from community_stations
 where (point(longitude, latitude) <@ box(point(-75.224, 39.907), point(-75.106, 39.998))
        or point(longitude, latitude) <@ box(point(-75.224, 39.907), point(-75.106, 39.998)))
   and status = 'approved') near where distance <= 5000 order by distance limit 50"
