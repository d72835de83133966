#!/usr/bin/env bash
# Backup and restore of an instance with 100,000 fill-ups and 1 GiB of documents: the time and peak
# RSS of `mvp-backend backup create` and `mvp-backend backup restore <id>` (the same code as the admin
# routes), the archive's size, and that the restore gave back every row. The documents are random
# bytes (incompressible, as PDFs and photos are), written straight into storage. Loopback only.
# Usage: bench/backup.sh [LOGS=100000] [DOC_MIB=1024]
LOGS="${1:-100000}"; DOC_MIB="${2:-1024}"
source "$(dirname "$0")/lib.sh"
have /usr/bin/time || apt_ensure time
VEHICLE="$(curl -sf -X POST "$API/vehicles" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"year": 2015, "make": "Toyota", "model": "Camry"}' | jget "['id']")"
USER_ID="$("${PSQL[@]}" -c "select user_id from vehicles where id = '$VEHICLE'")"
"${PSQL[@]}" <<SQL
insert into fuel_logs (id, user_id, vehicle_id, date_time, entered_units, odometer_entered, fuel_units_entered,
    cost_per_unit_entered, total_cost, fuel_type, full_fill, missed_previous, odometer_km, volume,
    segment_km, interval_km, interval_volume, notes)
select gen_random_uuid(), '$USER_ID', '$VEHICLE', timestamptz '2000-01-01' + i * interval '3 hours', 'metric',
       1000 + i * 400, 35 + i % 7, 1.659, round((35 + i % 7) * 1.659, 2), 'gasoline', true, false,
       1000 + i * 400, 35 + i % 7,
       case when i = 0 then null else 400 end,
       case when i = 0 then null else 400 end,
       case when i = 0 then null else 35 + i % 7 end,
       'fill-up ' || i
  from generate_series(0, $LOGS - 1) as i;
analyze fuel_logs;
SQL
mkdir -p "$WORK/documents/bench"
for i in $(seq 1 $((DOC_MIB / 4))); do
  head -c 4M /dev/urandom > "$WORK/documents/bench/doc-$i.pdf"
done
say "$("${PSQL[@]}" -c "select count(*) from fuel_logs") fill-ups, $(du -sm "$WORK/documents" | cut -f1) MiB of documents in $(find "$WORK/documents" -type f | wc -l) files"
say "$(nproc) cores, $(date -u +%FT%TZ)"

cli() {
  CONFIG_DIR=/nonexistent APP_ENV=production MVP_AUTH__PROVIDER=local \
    MVP_SERVER__PUBLIC_URL="http://127.0.0.1:$PORT" \
    MVP_DATABASE__URL="postgres://postgres@127.0.0.1:5432/$DB" MVP_REDIS__URL="$REDIS" \
    MVP_REDIS__KEY_PREFIX="bench$$:" MVP_STORAGE__DATA_DIR="$WORK" MVP_LOG__LEVEL=warn \
    /usr/bin/time -f '%e s, peak RSS %M KiB' "$BIN" "$@"
}
digest() { "${PSQL[@]}" -c "select count(*) || ' ' || md5(string_agg(f::text, ',' order by f.id)) from fuel_logs f"; }
BEFORE="$(digest)"

say "backup create"
OUT="$(cli backup create 2>&1)"; echo "$OUT"
ID="$(echo "$OUT" | grep -o 'backup [0-9a-f-]\{36\}' | head -1 | cut -d' ' -f2)"
[ -n "$ID" ] || die "no backup was made"
say "archive: $(du -m "$WORK/backups/$ID.tar.gz" | cut -f1) MiB"

"${PSQL[@]}" -c "delete from fuel_logs where odometer_km % 800 = 200" >/dev/null
rm -f "$WORK"/documents/bench/doc-1*.pdf
head -c 1M /dev/urandom > "$WORK/documents/bench/after-the-backup.pdf"
say "after deleting half the fill-ups and some documents, adding one: $("${PSQL[@]}" -c "select count(*) from fuel_logs") fill-ups, $(find "$WORK/documents" -type f | wc -l) files"

say "backup restore"
cli backup restore "$ID" 2>&1
AFTER="$(digest)"
[ "$AFTER" = "$BEFORE" ] || die "the fill-ups differ after the restore: $AFTER vs $BEFORE"
say "restored: $(echo "$AFTER" | cut -d' ' -f1) fill-ups, digest equal; $(find "$WORK/documents" -type f | wc -l) files"
