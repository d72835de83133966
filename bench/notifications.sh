#!/usr/bin/env bash
# The deliver job's throughput: N queued e-mails (default 10,000) sent by one `mvp-backend job deliver`
# through the SMTP transport to a local SMTP server (aiosmtpd, crates/test-support/smtp_sink.py in
# count-only mode), on a fresh database. Prints messages/s and the deliver process's peak RSS.
# Usage: bench/notifications.sh [N=10000]
N="${1:-10000}"
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
ensure_rust
ensure_system_packages
have /usr/bin/time || apt_ensure time
pg_ready 127.0.0.1 5432 || die "needs PostgreSQL on 127.0.0.1:5432"
VENV="$ROOT/.data/venv"
if ! "$VENV/bin/python" -c "import aiosmtpd" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r crates/test-support/requirements.txt
fi
if [ -z "${MVP_BENCH_SKIP_BUILD:-}" ]; then
  say "building the release binary"
  cargo build --release --locked -q -p mvp-backend
fi
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/mvp-backend"

DB="mvp_bench_$$"
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
psql -h 127.0.0.1 -U postgres -qc "create database $DB" >/dev/null
cleanup() {
  [ -n "${SINK:-}" ] && kill "$SINK" 2>/dev/null && wait "$SINK" 2>/dev/null
  psql -h 127.0.0.1 -U postgres -qc "drop database if exists $DB with (force)" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
export CONFIG_DIR=/nonexistent APP_ENV=production MVP_DATABASE__URL="postgres://postgres@127.0.0.1:5432/$DB" \
  MVP_STORAGE__DATA_DIR="$WORK" MVP_LOG__LEVEL=warn MVP_MAIL__TRANSPORT=smtp \
  MVP_MAIL__SMTP_URL="smtp://127.0.0.1:$PORT" MVP_MAIL__FROM="MotoVaultPro <bench@mvp.test>"
"$BIN" migrate >/dev/null

# N rendered reminders, as the reminder job queues them (subject, text and HTML bodies).
psql -h 127.0.0.1 -U postgres -d "$DB" -q <<SQL
insert into notification_deliveries (id, idempotency_key, user_id, kind, channel, recipient, subject, text_body, html_body)
select gen_random_uuid(), 'bench:' || n, 'bench-user-' || (n % 100), 'maintenance_due_soon', 'email',
       'driver' || n || '@example.com', 'Due soon on 2019 Subaru Outback: Engine Oil, Oil Filter',
       'Engine Oil, Oil Filter on 2019 Subaru Outback is due soon: on 2026-12-24 or at 45000 mi, whichever comes first.' || E'\n\n' || 'See your schedules: https://mvp.example.com/vehicles/' || n,
       '<p><strong>Engine Oil, Oil Filter</strong> on <strong>2019 Subaru Outback</strong> is due soon.</p>'
  from generate_series(1, $N) n;
SQL

"$VENV/bin/python" crates/test-support/smtp_sink.py "$PORT" "$WORK/received.jsonl" --count-only >/dev/null &
SINK=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

say "$(nproc) cores, $(date -u +%FT%TZ): $N queued e-mails, one deliver process, SMTP to aiosmtpd on loopback"
start=$(date +%s.%N)
/usr/bin/time -f '%M %U %S' -o "$WORK/rss" "$BIN" job deliver > "$WORK/deliver.out"
end=$(date +%s.%N)
received="$(wc -l < "$WORK/received.jsonl")"
sent_rows="$(psql -h 127.0.0.1 -U postgres -d "$DB" -qtAc "select count(*) from notification_deliveries where status = 'sent'")"
unique="$(sort -u "$WORK/received.jsonl" | wc -l)"
read -r rss_kb user_s sys_s < "$WORK/rss"
python3 - "$start" "$end" "$N" "$received" "$unique" "$sent_rows" "$rss_kb" "$(cat "$WORK/deliver.out")" "$user_s" "$sys_s" <<'PY'
import sys
start, end, n, received, unique, sent, rss_kb, out, user_s, sys_s = sys.argv[1:11]
secs = float(end) - float(start)
print(f"{out}")
print(f"delivered {received} of {n} (unique Message-IDs {unique}, rows marked sent {sent}) in {secs:.2f} s: "
      f"{int(received) / secs:.0f} messages/s; peak RSS of the deliver process {int(rss_kb) / 1024:.1f} MiB; "
      f"its CPU {float(user_s) + float(sys_s):.1f} s (user {user_s}, sys {sys_s})")
PY
