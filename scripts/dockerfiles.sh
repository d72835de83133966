#!/usr/bin/env bash
# `make dockerfiles`: runs every Dockerfile's build steps on this machine — the same RUN commands with
# the same flags, stage by stage — with deploy/dockerfile_run.py (bubblewrap gives each stage its own
# WORKDIR, /usr/local/bin, /app and /etc). No Docker engine is needed; the host stands in for the
# Debian 12 / Rust 1.95 base images. Cargo output is cached under ~/.cache/motovaultpro/docker-target.
# The Rust images' release builds run here unoptimised (CARGO_PROFILE_RELEASE_OPT_LEVEL=0, no LTO):
# the same steps, paths and files, a cheaper compile — what this checks is that every step works and
# the binaries run, and the optimised thin-LTO build made the backend image alone 16–20 minutes of a
# new machine's CI run. MVP_DOCKER_RELEASE_PROFILE=full builds exactly as the image does.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_rust
apt_ensure bubblewrap
CACHE="${MVP_DOCKER_CACHE:-$HOME/.cache/motovaultpro/docker-target}"
files=(crates/backend/Dockerfile ocr-service/Dockerfile)
[ -f frontend/Dockerfile ] && files+=(frontend/Dockerfile)
for f in "${files[@]}"; do
  # The two Rust images share one cargo cache (same workspace). The SPA's image builds in the cargo
  # cache the host's SPA builds use (scripts/build-frontend.sh), so its dependencies are compiled once
  # per machine, not twice (a new machine's CI run saves ~4 minutes).
  cache="$CACHE"
  [ "$f" = frontend/Dockerfile ] && cache="${MVP_FRONTEND_TARGET_DIR:-$HOME/.cache/motovaultpro/target-frontend}"
  if [ "$f" != frontend/Dockerfile ] && [ "${MVP_DOCKER_RELEASE_PROFILE:-fast}" != full ]; then
    CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      python3 deploy/dockerfile_run.py "$f" --context "$ROOT" --cache "$cache"
  else
    python3 deploy/dockerfile_run.py "$f" --context "$ROOT" --cache "$cache"
  fi
done

# The frontend image's nginx configuration, rendered as the image's entrypoint would (envsubst of
# /etc/nginx/templates) and checked with `nginx -t` (Debian's nginx; its service is not started).
if [ -f frontend/Dockerfile ]; then
  if ! have nginx; then
    policy_added=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
      as_root chmod +x /usr/sbin/policy-rc.d; policy_added=1
    fi
    apt_ensure nginx-light gettext-base
    [ -n "$policy_added" ] && as_root rm -f /usr/sbin/policy-rc.d
  fi
  have envsubst || apt_ensure gettext-base
  conf="$(mktemp -d)"
  trap 'rm -rf "$conf"' EXIT
  for t in frontend/nginx/*.template; do
    MVP_OIDC_ORIGIN="https://tenant.example.auth0.com" envsubst '${MVP_OIDC_ORIGIN}' < "$t" \
      | sed "s#/etc/nginx/conf.d/#$conf/#g" > "$conf/$(basename "${t%.template}")"
  done
  cat > "$conf/nginx.conf" <<NGINX
pid $conf/nginx.pid;
error_log stderr;
events {}
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $conf/body;
    proxy_temp_path $conf/proxy;
    fastcgi_temp_path $conf/fastcgi;
    uwsgi_temp_path $conf/uwsgi;
    scgi_temp_path $conf/scgi;
    include $conf/default.conf;
}
NGINX
  nginx -t -q -p "$conf" -c "$conf/nginx.conf" && say "frontend nginx config: nginx -t ok"

  # And serve the built SPA with it, as the image would, and look at the answers.
  bash scripts/build-frontend.sh
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  sed -i "s#listen 3000;#listen 127.0.0.1:$port;#; s#listen \[::\]:3000;##; s#root /usr/share/nginx/html;#root $ROOT/frontend/dist;#" "$conf/default.conf"
  nginx -p "$conf" -c "$conf/nginx.conf" -g "daemon off;" &
  nginx_pid=$!
  # `|| true`: nginx may be gone already, and a failing command in an EXIT trap under `set -e`
  # would make the whole run fail after every check passed.
  trap 'kill "$nginx_pid" 2>/dev/null || true; rm -rf "$conf"' EXIT
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  fail=0
  expect() { # what, url, curl options…, then a grep -E pattern every line of the answer's headers must contain
    local what="$1" url="$2" pattern="$3"; shift 3
    if curl -s -D - -o /dev/null "$@" "http://127.0.0.1:$port$url" | tr -d '\r' | grep -Eqi "$pattern"; then
      say "nginx: $what"
    else
      printf 'FAILED nginx: %s (%s)\n' "$what" "$url" >&2; fail=1
    fi
  }
  wasm="/$(basename "$(ls frontend/dist/*_bg.wasm)")"
  expect "/ is index.html, not cached" / '^cache-control: no-cache'
  expect "a client-side route falls back to index.html" /vehicles/0190a0a0/fuel '^content-type: text/html'
  expect "the wasm is immutable for a year" "$wasm" '^cache-control: public, max-age=31536000, immutable'
  expect "the wasm has its type" "$wasm" '^content-type: application/wasm'
  expect "the precompressed .gz is served to gzip clients" "$wasm" '^content-encoding: gzip' -H 'Accept-Encoding: gzip'
  expect "a missing asset is a 404, not index.html" /missing-0123456789abcdef.js '^HTTP/1.1 404'
  expect "/api is never the SPA" /api/vehicles '^HTTP/1.1 404'
  expect "CSP without inline scripts, with the OIDC origin" / "^content-security-policy: .*script-src 'self' 'wasm-unsafe-eval';.*connect-src 'self' https://tenant.example.auth0.com"
  expect "nosniff on assets too" "$wasm" '^x-content-type-options: nosniff'
  kill "$nginx_pid" 2>/dev/null || true
  [ "$fail" = 0 ] || die "the frontend nginx configuration does not behave as it should"
fi

say "every Dockerfile's build steps ran: ${files[*]}"
