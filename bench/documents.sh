#!/usr/bin/env bash
# Documents: time per upload (streamed to a staging file, fsynced, committed, row written) for 1 MiB
# and 25 MiB files, download throughput of a 1 MiB document under concurrency, a ranged read, and the
# server's peak memory (VmHWM) before and after the 25 MiB uploads — streaming means it must not grow
# by the file size. Release binary, local filesystem storage, loopback only.
# Usage: bench/documents.sh [UPLOADS=10] [DURATION=10s] [CONCURRENCY=10]
UPLOADS="${1:-10}"; DURATION="${2:-10s}"; CONC="${3:-10}"
source "$(dirname "$0")/lib.sh"
VEHICLE="$(curl -sf -X POST "$API/vehicles" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"year": 2021, "make": "Honda", "model": "Civic"}' | jget "['id']")"
for size in 1 25; do
  { printf '%%PDF-1.7\n'; head -c $((size * 1024 * 1024 - 9)) /dev/urandom; } > "$WORK/doc-$size.pdf"
done
hwm() { awk '/VmHWM/ {print $2 " kB"}' "/proc/$SERVER/status"; }
say "$(nproc) cores, $(date -u +%FT%TZ); server peak RSS before uploads: $(hwm)"
upload() { # size → seconds
  curl -sf -o /dev/null -w '%{time_total}\n' -X POST "$API/documents" -H "$AUTH" \
    -F "vehicleId=$VEHICLE" -F documentType=receipt -F "file=@$WORK/doc-$1.pdf;type=application/pdf"
}
for size in 1 25; do
  times="$(for _ in $(seq "$UPLOADS"); do upload "$size"; done)"
  echo "$times" | sort -n | awk -v s="$size" -v n="$UPLOADS" \
    '{ t[NR] = $1; sum += $1 } END { printf "upload %2d MiB: avg %.3f s  p50 %.3f s  max %.3f s  (%d uploads, %.0f MiB/s avg)\n", s, sum/NR, t[int((NR+1)/2)], t[NR], n, s/(sum/NR) }'
done
say "server peak RSS after $((UPLOADS * 2)) uploads (of which $UPLOADS × 25 MiB): $(hwm)"
DOC="$(curl -sf "$API/documents?limit=500" -H "$AUTH" | python3 -c "import json,sys; print(next(d['id'] for d in json.load(sys.stdin) if d['sizeBytes'] == 1048576))")"
run "GET /api/documents/{id}/download (1 MiB)" "$API/documents/$DOC/download"
out="$(hey -z "$DURATION" -c "$CONC" -H "$AUTH" "$API/documents/$DOC/download")"
rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
say "download throughput: $(python3 -c "print(f'{$rps:.0f} req/s × 1 MiB = {$rps:.0f} MiB/s')")"
out="$(hey -z "$DURATION" -c "$CONC" -H "$AUTH" -H 'Range: bytes=524288-589823' "$API/documents/$DOC/download")"
printf '%-40s %9s req/s  p50 %7ss  p99 %7ss  %s\n' "ranged GET (64 KiB of 1 MiB)" \
  "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$(echo "$out" | awk '/ 50% in/ {print $3}')" \
  "$(echo "$out" | awk '/ 99% in/ {print $3}')" "$(echo "$out" | awk '/\[[0-9]+\]\s+[0-9]+ responses/ {printf "%s=%s ", $1, $2}')"
say "server peak RSS at the end: $(hwm)"
