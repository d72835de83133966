#!/bin/sh
# The app's database role, made once on the first start of an empty data directory (the postgres
# image runs /docker-entrypoint-initdb.d/*.sh then, as the superuser). The app connects as this role:
# it owns the database and its public schema, so migrations run as it, but it is no superuser and can
# create no roles or databases — a SQL injection or a stolen app password reaches the app's own data,
# not the server. Also run by the backend's process tests against a real server.
#   POSTGRES_USER / POSTGRES_DB    set by the postgres image (the superuser and the app's database)
#   POSTGRES_APP_PASSWORD_FILE     the app role's password (default /run/secrets/postgres-password)
#   MVP_DB_ROLE                    the role's name (default mvp_app)
set -eu
password_file="${POSTGRES_APP_PASSWORD_FILE:-/run/secrets/postgres-password}"
role="${MVP_DB_ROLE:-mvp_app}"
password="$(cat "$password_file")"
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=role="$role" --set=password="$password" --set=db="$POSTGRES_DB" <<'SQL'
create role :"role" login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls
  password :'password';
alter database :"db" owner to :"role";
alter schema public owner to :"role";
revoke all on database :"db" from public;
grant connect, temporary on database :"db" to :"role";
SQL
echo "init-app-role: role $role owns database $POSTGRES_DB"
