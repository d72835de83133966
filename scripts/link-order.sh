#!/usr/bin/env bash
# Regenerates crates/backend/link-order.txt: the functions the release backend runs, a typical
# session's first, for the linker to place side by side (crates/backend/build.rs passes the file to
# lld as `--symbol-ordering-file`).
#
# Why: the kernel maps an executable's code 64 KiB at a time around each page it runs ("fault
# around"). The backend runs ~9,400 of its ~115,000 functions, spread over 45 MB of code, so most
# 64 KiB windows got touched and ~30 MiB of code was resident. Placed together they fill ~12 MiB.
#
# How: the release backend runs under valgrind's callgrind (every function executed is recorded) on
# a fresh database — migrations, the catalog import, the jobs' first runs — and serves a typical
# session: one user creates a vehicle, fill-ups and a service record, opens the screens' reads, then
# the hot reads and the fill-up write run a few hundred times each. That part's functions come first;
# then those that only the rest of the API ran (every other GET route in the OpenAPI document, once),
# so code a session does not run is not mapped beside code it does. The names callgrind saw that are
# symbols of the binary become the file (mangled, as the linker knows them).
#
# Most names survive edits of a function's body; the ~15 % that thin LTO suffixes `.llvm.<hash>`
# change when their module does, and renames and dependency upgrades change others (after one edit
# to mvp-core, 8,017 of 9,475 still matched). The linker skips stale lines; that code is placed as
# it would be without the file. `make bench` prints how many lines still name a symbol of the binary; rerun this
# when that falls. Usage: scripts/link-order.sh   (MVP_LINK_ORDER_SKIP_BUILD=1: use the built binary)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_rust
ensure_system_packages
have valgrind || apt_ensure valgrind
have node || apt_ensure nodejs
export PATH="$HOME/.cargo/bin:$PATH"

BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/mvp-backend"
if [ -z "${MVP_LINK_ORDER_SKIP_BUILD:-}" ]; then
  say "building the release backend"
  cargo build --release --locked -q -p mvp-backend
fi

WORK="$(mktemp -d)"; PIDS=(); ADMIN_URL=""; DB="mvp_link_order_$$"
finish() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -z "$ADMIN_URL" ] || psql "$ADMIN_URL" -qc "drop database if exists $DB with (force)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  stop_test_services
}
trap finish EXIT
use_test_services
ADMIN_URL="$MVP_TEST_DATABASE_URL"
psql "$ADMIN_URL" -qc "create database $DB" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ISSUER_PORT="$(free_port)"; PORT="$(free_port)"; ISSUER="http://127.0.0.1:$ISSUER_PORT/"
node bench/node/issuer.mjs "$ISSUER_PORT" motovaultpro 'auth0|user-1' > "$WORK/tokens" 2>"$WORK/issuer.log" &
PIDS+=("$!")
for _ in $(seq 1 100); do [ -s "$WORK/tokens" ] && break; sleep 0.1; done
AUTH="Authorization: Bearer $(head -n 1 "$WORK/tokens")"

say "starting the backend under callgrind (slow: about a minute to start)"
env CONFIG_DIR=/nonexistent APP_ENV=development MVP_LOG__FORMAT=json MVP_LOG__LEVEL=info \
  MVP_AUTH__PROVIDER=oidc MVP_AUTH__ISSUER="$ISSUER" MVP_AUTH__AUDIENCE=motovaultpro \
  MVP_SERVER__BIND="127.0.0.1:$PORT" MVP_SERVER__PUBLIC_URL="http://127.0.0.1:$PORT" \
  MVP_DATABASE__URL="${ADMIN_URL%/*}/$DB" MVP_REDIS__URL="$MVP_TEST_REDIS_URL" MVP_REDIS__KEY_PREFIX="order$$:" \
  MVP_STORAGE__DATA_DIR="$WORK/data" \
  valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$WORK/callgrind.out" \
  "$BIN" serve > "$WORK/backend.log" 2>&1 &
BACKEND=$!; PIDS+=("$BACKEND")
for _ in $(seq 1 900); do curl -s -o /dev/null "http://127.0.0.1:$PORT/health/live" && break; sleep 0.2; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/live" || { tail -n 20 "$WORK/backend.log" >&2; die "the backend did not start"; }

say "the workload"
python3 - "http://127.0.0.1:$PORT" "$AUTH" "$BACKEND" <<'PY'
import json, subprocess, sys, urllib.request, urllib.error
base, auth, pid = sys.argv[1], sys.argv[2].split(": ", 1)[1], sys.argv[3]
def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": auth, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw[:1] in (b"{", b"[") else None)
    except urllib.error.HTTPError as e:
        e.read()
        return e.code, None
status, cfg = call("GET", "/api/config")
assert status == 200, status
status, _ = call("POST", "/api/auth/accept-terms", {"version": cfg["termsVersion"]})
assert status in (200, 204), f"accept-terms answered {status}"
status, vehicle = call("POST", "/api/vehicles", {"year": 2019, "make": "Honda", "model": "Civic", "odometerReading": 12000})
assert status == 201, f"creating a vehicle answered {status}"
vid = vehicle["id"]
created = 0
for i in range(12):
    created += call("POST", "/api/fuel-logs", {"vehicleId": vid, "dateTime": f"2026-01-{10 + i:02d}T08:00:00Z",
         "odometerReading": 12000 + 400 * (i + 1), "fuelUnits": "10.5", "costPerUnit": "3.459",
         "fuelType": "gasoline", "fullFill": True})[0] == 201
assert created == 12, f"{created} of 12 fill-ups were created"
call("POST", "/api/maintenance/records", {"vehicleId": vid, "date": "2026-03-01", "odometerReading": 13000,
     "category": "routine_maintenance", "subtypes": ["Engine Oil"], "cost": "45.00"})
for path in ("/api/vehicles", f"/api/vehicles/{vid}", f"/api/fuel-logs?vehicleId={vid}",
             f"/api/vehicles/{vid}/fuel-stats", f"/api/maintenance/records?vehicleId={vid}",
             "/api/maintenance/upcoming", "/api/notifications/summary", "/api/user/preferences",
             "/api/user/profile", "/api/onboarding/status", "/api/health"):
    status, _ = call("GET", path)
    assert status == 200, f"{path} answered {status}"
for _ in range(200):
    call("GET", "/api/vehicles")
    call("GET", f"/api/fuel-logs?vehicleId={vid}")
    call("GET", f"/api/vehicles/{vid}/fuel-stats")
for i in range(100):
    call("POST", "/api/fuel-logs", {"vehicleId": vid, "dateTime": f"2026-11-{1 + i // 4:02d}T{i % 4 + 8:02d}:00:00Z",
         "odometerReading": 20000 + 300 * i, "fuelUnits": "9.75", "costPerUnit": "3.599",
         "fuelType": "gasoline", "fullFill": True})
# The first part is written out here: its functions come first in the file.
subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
status, doc = call("GET", "/api/openapi.json")
assert status == 200, status
ids = {"id": vid, "vehicleId": vid}
for path, ops in doc["paths"].items():
    if "get" not in ops or "/admin/" in path or path.endswith("/export"):
        continue
    for key, value in ids.items():
        path = path.replace("{" + key + "}", value)
    path = path.replace("{vin}", "1HGCM82633A004352").replace("{file}", "x.ics")
    if "{" not in path:
        call("GET", path + ("?vehicleId=" + vid if path in ("/api/fuel-logs", "/api/maintenance/records") else ""))
PY
kill -TERM "$BACKEND"; wait "$BACKEND" 2>/dev/null || true
[ -s "$WORK/callgrind.out.1" ] && [ -s "$WORK/callgrind.out" ] \
  || die "callgrind wrote nothing: $(tail -n 5 "$WORK/backend.log")"

# The typical session's functions (the first dump) first, then those only the other routes ran.
python3 - "$BIN" crates/backend/link-order.txt "$WORK/callgrind.out.1" "$WORK/callgrind.out" <<'PY'
import re, subprocess, sys
binary, dest, outs = sys.argv[1], sys.argv[2], sys.argv[3:]
symbols = set()
for line in subprocess.run(["nm", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tTwW":
        symbols.add(parts[2])
seen, order, first = set(), [], 0
for out in outs:
    for line in open(out):
        m = re.match(r"c?fn=\(\d+\) (.+)", line.rstrip("\n"))
        if not m:
            continue
        name = re.sub(r"'\d+$", "", m.group(1))  # callgrind marks recursion levels with 'N
        if name in symbols and name not in seen:
            seen.add(name)
            order.append(name)
    first = first or len(order)
open(dest, "w").write("".join(n + "\n" for n in order))
print(f"{len(order)} functions written to {dest} ({first} from the typical session first)", file=sys.stderr)
PY
