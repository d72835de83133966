#!/usr/bin/env bash
# Shared helpers for run.sh and test.sh: install only what is missing (non-interactive, quiet),
# reuse a reachable Postgres/Redis, or start throwaway ones under .data/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${MVP_DEV_DATA:-$ROOT/.data}"

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo "$@"; else die "need root for: $*"; fi
}

APT_UPDATED=0
# apt_ensure PACKAGE... : installs the packages that are not installed yet; nothing when all are.
apt_ensure() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  have apt-get || die "missing packages (${missing[*]}) and no apt-get: install them by hand"
  say "installing ${missing[*]}"
  if [ "$APT_UPDATED" = 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
  if ! have cargo; then
    [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  have cargo || die "Rust is not installed: install it with rustup (https://rustup.rs), Rust 1.95 or newer"
  local version
  version="$(rustc --version | awk '{print $2}')"
  case "$version" in
    1.[0-8][0-9].*|1.9[0-4].*) die "Rust $version is too old: 1.95 or newer is needed (rustup update)";;
  esac
}

# The directory of the PostgreSQL server binaries (initdb, pg_ctl, postgres).
pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  have pg_config && [ -x "$(pg_config --bindir)/initdb" ] && { pg_config --bindir; return; }
  echo ""
}

ensure_system_packages() {
  # Server binaries are needed even when a Postgres is already running: the fault tests start their own.
  local pkgs=(ca-certificates pkg-config)
  [ -n "$(pg_bindir)" ] || pkgs+=(postgresql)
  have psql || pkgs+=(postgresql-client)
  have redis-server || pkgs+=(redis-server)
  have redis-cli || pkgs+=(redis-tools)
  apt_ensure "${pkgs[@]}"
  [ -n "$(pg_bindir)" ] || die "PostgreSQL server binaries not found after install"
}

pg_ready() { # host port
  have pg_isready && pg_isready -q -h "$1" -p "$2" -t 2
}

redis_ready() { # host port
  have redis-cli && [ "$(redis-cli -h "$1" -p "$2" ping 2>/dev/null || true)" = "PONG" ]
}

run_pg() { # as the postgres user when root (initdb refuses root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_throwaway_pg DIR PORT: a private cluster with trust auth on 127.0.0.1:PORT (kept in DIR).
start_throwaway_pg() {
  local dir="$1" port="$2" bin
  bin="$(pg_bindir)"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "creating a PostgreSQL cluster in $dir"
    run_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  fi
  if ! pg_ready 127.0.0.1 "$port"; then
    say "starting PostgreSQL on 127.0.0.1:$port"
    run_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 ${MVP_PG_EXTRA_OPTS:-}" start >/dev/null
  fi
}

stop_throwaway_pg() { # DIR
  local bin; bin="$(pg_bindir)"
  [ -f "$1/data/postmaster.pid" ] && run_pg "$bin/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

# start_throwaway_redis DIR PORT [persist]
start_throwaway_redis() {
  local dir="$1" port="$2" persist="${3:-no}"
  mkdir -p "$dir"
  if ! redis_ready 127.0.0.1 "$port"; then
    say "starting Redis on 127.0.0.1:$port"
    if [ "$persist" = yes ]; then
      redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --save '' \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    else
      redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly no --save '' \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    fi
    for _ in $(seq 1 50); do redis_ready 127.0.0.1 "$port" && break; sleep 0.1; done
  fi
}

stop_throwaway_redis() { # DIR
  [ -f "$1/redis.pid" ] && kill "$(cat "$1/redis.pid")" 2>/dev/null || true
  rm -f "$1/redis.pid"
}

# drop_test_run ADMIN_URL DB REDIS_URL KEY_PATTERN DIR: what a script that ran backends against a
# database of its own leaves — the database, its Redis keys, its data dir (each step best-effort).
drop_test_run() {
  local admin="$1" db="$2" redis="$3" pattern="$4" dir="$5"
  psql "$admin" -qc "drop database if exists \"$db\" with (force)" >/dev/null 2>&1 || true
  if have redis-cli; then
    redis-cli -u "$redis" --scan --pattern "$pattern" 2>/dev/null | xargs -r redis-cli -u "$redis" del >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

# use_test_services: the Postgres and Redis that tests and benches run against: the ones on 127.0.0.1
# when they answer (MVP_TEST_DATABASE_URL / MVP_TEST_REDIS_URL override), else throwaway servers under
# .data/test-* that stop_test_services stops (put it in the caller's EXIT trap). Exports both URLs.
STARTED_PG=""; STARTED_REDIS=""
use_test_services() {
  local port
  if [ -z "${MVP_TEST_DATABASE_URL:-}" ]; then
    if pg_ready 127.0.0.1 5432 && psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
      export MVP_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
    else
      port="${MVP_TEST_PG_PORT:-55433}"
      MVP_PG_EXTRA_OPTS="-c fsync=off -c full_page_writes=off -c max_connections=300" \
        start_throwaway_pg "$DATA_DIR/test-pg" "$port"
      STARTED_PG="$DATA_DIR/test-pg"
      export MVP_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    fi
  fi
  if [ -z "${MVP_TEST_REDIS_URL:-}" ]; then
    if redis_ready 127.0.0.1 6379; then
      export MVP_TEST_REDIS_URL="redis://127.0.0.1:6379"
    else
      port="${MVP_TEST_REDIS_PORT:-56380}"
      start_throwaway_redis "$DATA_DIR/test-redis" "$port"
      STARTED_REDIS="$DATA_DIR/test-redis"
      export MVP_TEST_REDIS_URL="redis://127.0.0.1:$port"
    fi
  fi
}

stop_test_services() {
  [ -n "$STARTED_PG" ] && stop_throwaway_pg "$STARTED_PG"
  [ -n "$STARTED_REDIS" ] && stop_throwaway_redis "$STARTED_REDIS"
  return 0
}
