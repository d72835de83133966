#!/usr/bin/env bash
# Schemathesis against the running API (part of `make test`): builds the backend, starts it on a fresh
# database with the local identity provider, signs a user up and in, creates a vehicle, then runs every
# phase (examples, coverage, fuzzing, stateful) over the OpenAPI document the app serves, with a fixed
# seed and example budget so it is deterministic and bounded. Fails on any response >= 500, any
# response that does not match its documented schema, status or content type, any schema-valid
# request refused as invalid (scripts/schemathesis.toml, scripts/api_fuzz_hooks.py), and any network
# or decoding error. Prints `api-fuzz: N passed, N failed`. Uses MVP_TEST_DATABASE_URL /
# MVP_TEST_REDIS_URL (scripts/test.sh exports them). MVP_FUZZ_EXAMPLES (default 20) sets the budget.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_rust
VENV="$DATA_DIR/venv"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "4.32.5"; then
  say "installing schemathesis 4.32.5"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-api-fuzz.txt
fi

if [ -z "${MVP_FUZZ_BACKEND:-}" ]; then
  say "building the backend and the OCR service (debug)"
  cargo build --locked --quiet -p mvp-backend -p mvp-ocr
  MVP_FUZZ_BACKEND="${CARGO_TARGET_DIR:-$ROOT/target}/debug/mvp-backend"
fi
MVP_FUZZ_OCR="${MVP_FUZZ_OCR:-$(dirname "$MVP_FUZZ_BACKEND")/mvp-ocr}"

ADMIN_URL="${MVP_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS="${MVP_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
DB="mvp_fuzz_$$"
DATA="$(mktemp -d /tmp/mvp-fuzz.XXXXXX)"
PID=""
OCR_PID=""
cleanup() {
  [ -n "$PID" ] && { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  [ -n "$OCR_PID" ] && { kill "$OCR_PID" 2>/dev/null; wait "$OCR_PID" 2>/dev/null || true; }
  drop_test_run "$ADMIN_URL" "$DB" "$REDIS" "mvp-fuzz-$$:*" "$DATA"
}
trap cleanup EXIT
psql "$ADMIN_URL" -qc "create database \"$DB\"" >/dev/null
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# The real OCR service (Tesseract), so a valid upload to /api/ocr/extract is answered, not a 503.
OCR_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
MVP_OCR_BIND="127.0.0.1:$OCR_PORT" "$MVP_FUZZ_OCR" serve >"$DATA/ocr.log" 2>&1 &
OCR_PID=$!
BASE="http://127.0.0.1:$PORT"
# Generous rate limits: the fuzzer signs in and up far more often than a person.
env DATABASE_URL="${ADMIN_URL%/*}/$DB" REDIS_URL="$REDIS" APP_ENV=test CONFIG_DIR=/nonexistent \
  MVP_SERVER__BIND="127.0.0.1:$PORT" MVP_SERVER__PUBLIC_URL="$BASE" MVP_AUTH__PROVIDER=local \
  MVP_STORAGE__DATA_DIR="$DATA" MVP_REDIS__KEY_PREFIX="mvp-fuzz-$$:" MVP_LOG__LEVEL=warn \
  MVP_AUTH__RATE_LIMITS__LOGIN_PER_MINUTE=100000 MVP_AUTH__RATE_LIMITS__SIGNUP_PER_HOUR=100000 \
  MVP_AUTH__RATE_LIMITS__RESEND_PER_HOUR=100000 MVP_STATIONS__PRICE_REPORTS_PER_HOUR=100000 MVP_OCR__URL="http://127.0.0.1:$OCR_PORT" \
  MVP_NOTIFICATIONS__ALLOW_PRIVATE_PUSH_URLS=true MVP_ADMIN__BOOTSTRAP=fuzz@example.com \
  "$MVP_FUZZ_BACKEND" serve >"$DATA/backend.log" 2>&1 &
PID=$!
for _ in $(seq 1 150); do
  curl -fsS "$BASE/api/health" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { tail -n 30 "$DATA/backend.log" >&2; die "the backend exited"; }
  sleep 0.2
done

# A signed-up, signed-in user with one vehicle, so ids in links resolve to something.
MVP_FUZZ_USER_ID="$(curl -fsS -H 'content-type: application/json' \
  -d '{"email":"fuzz@example.com","password":"a fuzzing password","acceptTerms":true}' "$BASE/api/auth/signup" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["userId"])')"
# Verified through the link in the outbox, so the admin.bootstrap entry (by e-mail) makes it an admin
# and the admin routes (e-mail templates) are fuzzed too.
LINK_TOKEN="$(cat "$DATA"/outbox/*.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["text"])' \
  | grep -o 'token=[A-Za-z0-9_-]*' | head -1 | cut -d= -f2)"
curl -fsS -o /dev/null "$BASE/api/auth/verify-email?token=$LINK_TOKEN"
TOKEN="$(curl -fsS -H 'content-type: application/json' \
  -d '{"email":"fuzz@example.com","password":"a fuzzing password"}' "$BASE/api/auth/login" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')"
MVP_FUZZ_VEHICLE_ID="$(curl -fsS -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"year":2020,"make":"Honda","model":"Civic","odometerReading":1000}' "$BASE/api/vehicles" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
MVP_FUZZ_TERMS_VERSION="$(curl -fsS "$BASE/api/config" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["termsVersion"])')"
export MVP_FUZZ_VEHICLE_ID MVP_FUZZ_TERMS_VERSION MVP_FUZZ_USER_ID
# The rules no schema can state (scripts/api_fuzz_hooks.py), for the positive_data_acceptance check.
# A backup restore is left out: it would put the instance being fuzzed back to an earlier state in
# the middle of the run (crates/backup's tests restore through the API and the library).
export SCHEMATHESIS_HOOKS=api_fuzz_hooks PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}"

say "schemathesis: every phase over $BASE/api/openapi.json (seed 1, ${MVP_FUZZ_EXAMPLES:-20} examples per operation)"
status=0
"$VENV/bin/schemathesis" --no-color --config-file "$ROOT/scripts/schemathesis.toml" \
  run "$BASE/api/openapi.json" \
  --header "Authorization: Bearer $TOKEN" \
  --phases examples,coverage,fuzzing,stateful \
  --seed 1 --max-examples "${MVP_FUZZ_EXAMPLES:-20}" --workers 2 --request-timeout 20 \
  --exclude-path /api/auth/logout \
  --exclude-path "/api/admin/backups/{id}/restore" \
  --suppress-health-check all --report junit --report-dir "$DATA/report" \
  2>&1 | tee "$DATA/schemathesis.log" || status=$?
if grep -q "Server error" "$DATA/backend.log" 2>/dev/null || grep -q '"level":"ERROR"' "$DATA/backend.log"; then
  say "the backend logged errors:"; grep -E '"level":"ERROR"|panicked' "$DATA/backend.log" | head -20 >&2
fi
python3 - "$DATA/report" "$status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
cases = failed = 0
for path in glob.glob(sys.argv[1] + "/*.xml"):
    for case in ET.parse(path).getroot().iter("testcase"):
        cases += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
if sys.argv[2] != "0" and failed == 0:
    failed = 1  # schemathesis itself failed (a network or decoding error, a crash)
print(f"api-fuzz: {cases - min(failed, cases)} passed, {failed} failed")
PY
exit "$status"
