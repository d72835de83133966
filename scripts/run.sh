#!/usr/bin/env bash
# `make run`: sets up what is missing on a Debian/Ubuntu machine, reuses a reachable Postgres/Redis or
# starts private ones under .data/, builds, starts the OCR service (mvp-ocr on 127.0.0.1:8000, for
# scanning receipts and VIN plates; stopped with the app) and serves the whole app at
# http://localhost:3001.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_rust
ensure_system_packages
# The OCR service reads receipts with Tesseract; the web app is built for wasm32. Without Tesseract
# the app still runs; scanning then says OCR is unavailable.
OCR_PACKAGES=(tesseract-ocr tesseract-ocr-eng poppler-utils)
( apt_ensure "${OCR_PACKAGES[@]}" ) \
  || say "could not install ${OCR_PACKAGES[*]}: scanning stays unavailable until they are installed (apt-get install ${OCR_PACKAGES[*]})"
rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown >/dev/null 2>&1 \
  || say "could not add the wasm32 target (needed once the web app is built)"

PORT="${MVP_PORT:-3001}"
DB_NAME="${MVP_DEV_DB:-motovaultpro}"

if [ -z "${DATABASE_URL:-}" ]; then
  if [ -z "${MVP_DEV_PRIVATE:-}" ] && pg_ready 127.0.0.1 5432 \
     && psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    PGURL="postgres://postgres@127.0.0.1:5432"
    say "using the PostgreSQL on 127.0.0.1:5432"
  else
    start_throwaway_pg "$DATA_DIR/pg" 55432
    PGURL="postgres://postgres@127.0.0.1:55432"
  fi
  if ! psql "$PGURL/postgres" -tAc "select 1 from pg_database where datname = '$DB_NAME'" | grep -q 1; then
    psql "$PGURL/postgres" -qc "create database \"$DB_NAME\"" >/dev/null
  fi
  export DATABASE_URL="$PGURL/$DB_NAME"
fi
if [ -z "${REDIS_URL:-}" ]; then
  if [ -z "${MVP_DEV_PRIVATE:-}" ] && redis_ready 127.0.0.1 6379; then
    export REDIS_URL="redis://127.0.0.1:6379"
    say "using the Redis on 127.0.0.1:6379"
  else
    start_throwaway_redis "$DATA_DIR/redis" 56379 yes
    export REDIS_URL="redis://127.0.0.1:56379"
  fi
fi

STATIC_DIR="$ROOT/crates/backend/static"
if [ -f "$ROOT/frontend/Cargo.toml" ] && [ -x "$ROOT/scripts/build-frontend.sh" ]; then
  "$ROOT/scripts/build-frontend.sh"
  STATIC_DIR="$ROOT/frontend/dist"
fi

say "building the backend and the OCR service (release)"
cargo build --release --locked -p mvp-backend -p mvp-ocr
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"

# The OCR service beside the app, unless MVP_OCR__URL points at one already.
OCR_PID=""
if [ -z "${MVP_OCR__URL:-}" ]; then
  if have tesseract; then
    OCR_BIND="${MVP_OCR_BIND:-127.0.0.1:8000}"
    mkdir -p "$DATA_DIR"
    MVP_OCR_BIND="$OCR_BIND" "$TARGET/release/mvp-ocr" serve >"$DATA_DIR/ocr.log" 2>&1 &
    OCR_PID=$!
    export MVP_OCR__URL="http://$OCR_BIND"
    say "OCR service at $MVP_OCR__URL (log: $DATA_DIR/ocr.log)"
  else
    say "tesseract is not installed: scanning receipts and VIN plates is unavailable (apt-get install ${OCR_PACKAGES[*]})"
  fi
fi

export CONFIG_PATH="${CONFIG_PATH:-$ROOT/config/development.yml}"
export APP_ENV="${APP_ENV:-development}"
export MVP_SERVER__BIND="${MVP_SERVER__BIND:-0.0.0.0:$PORT}"
export MVP_SERVER__PUBLIC_URL="${MVP_SERVER__PUBLIC_URL:-http://localhost:$PORT}"
export MVP_SERVER__STATIC_DIR="${MVP_SERVER__STATIC_DIR:-$STATIC_DIR}"
export MVP_STORAGE__DATA_DIR="${MVP_STORAGE__DATA_DIR:-$DATA_DIR}"
say "MotoVaultPro at http://localhost:$PORT (Ctrl-C stops it)"
if [ -n "$OCR_PID" ]; then
  # The OCR service stops with the app.
  trap 'kill "$OCR_PID" 2>/dev/null || true; wait "$OCR_PID" 2>/dev/null || true' EXIT
  trap 'exit 130' INT TERM
  status=0
  "$TARGET/release/mvp-backend" serve || status=$?
  exit "$status"
fi
exec "$TARGET/release/mvp-backend" serve
