#!/usr/bin/env bash
# `make secrets`: creates every missing secret file under secrets/ with a strong random value (an RSA
# key for jwt-signing-key, an htpasswd line for the Traefik dashboard). Existing files are kept.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
mkdir -p secrets
chmod 700 secrets
umask 077
random() { python3 -c "import secrets; print(secrets.token_urlsafe($1))"; }
made=()
create() { # name command...
  local file="secrets/$1"; shift
  [ -s "$file" ] && return 0
  "$@" > "$file"
  made+=("$file")
}
create postgres-superuser-password random 32
create postgres-password random 32
create redis-password random 32
create grafana-admin-password random 24
create jwt-signing-key openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -quiet
DASH_PASSWORD="$(random 18)"
create traefik-dashboard-users bash -c "printf 'admin:%s\n' \"\$(openssl passwd -apr1 '$DASH_PASSWORD')\""
# Third-party keys cannot be generated: empty files until you paste yours in.
for name in auth0-client-secret google-maps-api-key resend-api-key; do
  [ -e "secrets/$name" ] || { : > "secrets/$name"; made+=("secrets/$name (empty: paste your key)"); }
done
if [ ${#made[@]} -eq 0 ]; then
  say "all secret files exist; nothing changed"
else
  printf 'created %s\n' "${made[@]}"
  [[ " ${made[*]} " == *traefik-dashboard-users* ]] && say "Traefik dashboard: user admin, password $DASH_PASSWORD (shown once)"
fi
