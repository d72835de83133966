#!/usr/bin/env bash
# The user's own data at scale: a 100,000-line Fuelly file imported through POST /api/user/import
# (time; the server's peak RSS while it runs), then GET /api/user/export for that user once they
# also have 1 GiB of documents (time, archive size, the server's peak RSS while it streams — it
# must stay flat: the archive is never held in memory). The documents are random bytes (as PDFs
# and photos are, incompressible), written straight into storage with their rows. Loopback only.
# Usage: bench/user-data.sh [ROWS=100000] [DOC_MIB=1024]
ROWS="${1:-100000}"; DOC_MIB="${2:-1024}"
source "$(dirname "$0")/lib.sh"
say "$(nproc) cores, $(date -u +%FT%TZ)"

peak_reset() { echo 5 > "/proc/$SERVER/clear_refs"; }
peak() { awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$SERVER/status"; }
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2 / 1024}' "/proc/$SERVER/status"; }

CSV="$WORK/fuelly.csv"
python3 - "$ROWS" > "$CSV" <<'PY'
# A fleet's export: ten cars, a fill-up a day each since 1998 (10,000 days end in 2025).
import sys, datetime
rows = int(sys.argv[1])
cars = 10
print("car_name,model,mpg,odometer,miles,gallons,price,fuelup_date,notes,missed_fuelup,partial_fuelup")
start = datetime.date(1998, 1, 1)
for i in range(rows):
    car, j = i % cars, i // cars
    day = start + datetime.timedelta(days=j)
    print(f"Truck {car},2015 Ford F-150,0,{10000 + j * 300},300,{12 + j % 5}.{j % 1000:03d},3.{459 + j % 40},{day.isoformat()},trip {j},0,{1 if j % 9 == 4 else 0}")
PY
say "the Fuelly file: $ROWS lines, $(du -k "$CSV" | cut -f1) KiB; server RSS $(rss) before"
peak_reset
curl -sf -o "$WORK/report.json" -w 'import: %{time_total} s, HTTP %{http_code}\n' -H "$AUTH" \
  -F "file=@$CSV;type=text/csv" "$API/user/import?format=fuelly" || die "the import failed"
say "imported $(jget "['imported']" < "$WORK/report.json"), skipped $(python3 -c "import json; print(len(json.load(open('$WORK/report.json'))['skipped']))"); server peak RSS during the import $(peak)"
say "fill-ups stored: $("${PSQL[@]}" -c "select count(*) from fuel_logs")"

USER_ID="$("${PSQL[@]}" -c "select user_id from vehicles limit 1")"
VEHICLE="$("${PSQL[@]}" -c "select id from vehicles limit 1")"
mkdir -p "$WORK/documents/bench"
for i in $(seq 1 $((DOC_MIB / 4))); do
  head -c 4M /dev/urandom > "$WORK/documents/bench/doc-$i.pdf"
done
"${PSQL[@]}" <<SQL
insert into documents (id, user_id, vehicle_id, document_type, title, file_name, content_type, size_bytes,
                       sha256, storage_key)
select gen_random_uuid(), '$USER_ID', '$VEHICLE', 'receipt', 'Receipt ' || i, 'receipt-' || i || '.pdf',
       'application/pdf', 4194304, repeat('0', 64), 'documents/bench/doc-' || i || '.pdf'
  from generate_series(1, $((DOC_MIB / 4))) as i;
SQL
say "documents: $("${PSQL[@]}" -c "select count(*) || ' files, ' || sum(size_bytes) / 1048576 || ' MiB' from documents")"

peak_reset
say "server RSS $(rss) before the export"
curl -sf -o "$WORK/export.tar.gz" -w 'export: %{time_total} s, %{size_download} bytes, HTTP %{http_code}\n' \
  -H "$AUTH" "$API/user/export" || die "the export failed"
say "server peak RSS during the export $(peak); archive $(du -m "$WORK/export.tar.gz" | cut -f1) MiB"
tar -xzOf "$WORK/export.tar.gz" manifest.json | python3 -c "
import json, sys
m = json.load(sys.stdin)
print('manifest:', m['counts']['fuel-logs'], 'fill-ups,', m['counts']['documents'], 'documents,', len(m['members']), 'members')"
