#!/usr/bin/env bash
# `make dockerfiles`: runs every Dockerfile's build steps on this machine — the same RUN commands with
# the same flags, stage by stage — with deploy/dockerfile_run.py (bubblewrap gives each stage its own
# WORKDIR, /usr/local/bin, /app and /etc). No Docker engine is needed; the host stands in for the
# Debian 12 / Rust 1.95 base images. Cargo output is cached under ~/.cache/motovaultpro/docker-target.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_rust
apt_ensure bubblewrap
CACHE="${MVP_DOCKER_CACHE:-$HOME/.cache/motovaultpro/docker-target}"
files=(crates/backend/Dockerfile ocr-service/Dockerfile)
[ -f frontend/Dockerfile ] && files+=(frontend/Dockerfile)
for f in "${files[@]}"; do
  # The two Rust images share one cargo cache (same workspace); the SPA has its own.
  cache="$CACHE"; [ "$f" = frontend/Dockerfile ] && cache="$CACHE-frontend"
  python3 deploy/dockerfile_run.py "$f" --context "$ROOT" --cache "$cache"
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
fi

say "every Dockerfile's build steps ran: ${files[*]}"
