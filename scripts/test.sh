#!/usr/bin/env bash
# `make test`: the whole suite against real Postgres and Redis. Uses the ones on 127.0.0.1 when they
# answer (MVP_TEST_DATABASE_URL / MVP_TEST_REDIS_URL override), otherwise starts throwaway servers
# under .data/test-* and stops them afterwards.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_rust
ensure_system_packages
# The OCR tests run the real engine on images drawn with a known font.
apt_ensure tesseract-ocr tesseract-ocr-eng poppler-utils fonts-dejavu-core

trap stop_test_services EXIT
use_test_services
say "tests use Postgres ${MVP_TEST_DATABASE_URL%%/postgres} and Redis $MVP_TEST_REDIS_URL"

# Databases left by an interrupted earlier run (each test drops its own when it ends).
psql "$MVP_TEST_DATABASE_URL" -tAc \
  "select datname from pg_database where datname like 'mvp\_test\_%' or datname like 'mvp\_tmpl\_%'
     or datname like 'mvp\_fuzz\_%' or datname like 'mvp\_sqlx\_%' or datname like 'mvp\_e2e\_%'" \
  2>/dev/null | while read -r db; do
    [ -n "$db" ] && psql "$MVP_TEST_DATABASE_URL" -qc "drop database if exists \"$db\" with (force)" >/dev/null 2>&1 || true
  done

# The deployment files (compose, Traefik, Loki/Alloy/Grafana, k8s) are checked without Docker.
apt_ensure python3-venv
VENV="$DATA_DIR/venv"
if [ ! -x "$VENV/bin/check-jsonschema" ] || [ ! -x "$VENV/bin/moto_server" ] \
   || ! "$VENV/bin/python" -c "import aiosmtpd, icalendar" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    -r deploy/tests/requirements.txt -r crates/test-support/requirements.txt
fi
# The S3 storage tests run against moto's S3-compatible server (crates/test-support TempS3).
export MVP_TEST_MOTO_SERVER="$VENV/bin/moto_server"
# The notification tests start aiosmtpd (crates/test-support/smtp_sink.py) and parse ICS with it.
export MVP_TEST_PYTHON="$VENV/bin/python"
PATH="$VENV/bin:$PATH" "$VENV/bin/python" deploy/tests/test_deployment.py

# One summary line at the end (`N passed, N failed`), summed over every test binary.
log="$(mktemp)"
status=0
# The compile-checked queries' offline data (.sqlx/) matches the code and the migrations
# (`cargo sqlx prepare --check`, scripts/sqlx.sh).
bash scripts/sqlx.sh check 2>&1 | tee "$log" || status=$?

cargo test --workspace --locked "$@" 2>&1 | tee -a "$log" || status=$?

# The cargo-fuzz targets from their committed corpus, a bounded time each (scripts/fuzz.sh).
bash scripts/fuzz.sh 2>&1 | tee -a "$log" || status=$?

# Schemathesis over the running API: every phase, a fixed seed and budget (scripts/api-fuzz.sh).
bash scripts/api-fuzz.sh 2>&1 | tee -a "$log" || status=$?

# The SPA (its own workspace, excluded above): its unit tests run natively, then the browser tests
# (scripts/e2e.sh) against the real backend. MVP_SKIP_E2E=1 leaves the browser out.
(cd frontend && CARGO_TARGET_DIR="${MVP_FRONTEND_TARGET_DIR:-$HOME/.cache/motovaultpro/target-frontend}" \
  cargo test --locked 2>&1) | tee -a "$log" || status=$?
if [ -z "${MVP_SKIP_E2E:-}" ]; then
  bash scripts/e2e.sh 2>&1 | tee -a "$log" || status=$?
fi
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1); if ($(i) ~ /^ignored;?$/) s += $(i-1) } }
     /^e2e: [0-9]+ passed, [0-9]+ failed/ { ep += $2; ef += $4 }
     /^api-fuzz: [0-9]+ passed, [0-9]+ failed/ { ap += $2; af += $4 }
     /^fuzz: [0-9]+ passed, [0-9]+ failed/ { zp += $2; zf += $4 }
     /^sqlx: [0-9]+ passed, [0-9]+ failed/ { qp += $2; qf += $4 }
     END { printf "\ntests: %d passed, %d failed, %d skipped (browser: %d passed, %d failed; schemathesis operations: %d passed, %d failed; fuzz targets: %d passed, %d failed; sqlx offline data: %d passed, %d failed)\n", p + ep + ap + zp + qp, f + ef + af + zf + qf, s, ep, ef, ap, af, zp, zf, qp, qf }' "$log"
rm -f "$log"
exit "$status"
