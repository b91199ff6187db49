# Sourced by the benchmark scripts: starts a throwaway PostgreSQL cluster on a free loopback
# port (as the postgres user when run as root), with a role `koomy` (SCRAM password drawn
# at run time) owning a database `koomy`, and stops and removes it on exit. Sets: pgbin,
# dir, port, password.
pgbin=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")")
dir=$(mktemp -d /tmp/gardefou-bench-XXXXXX)
chmod 755 "$dir"
as_pg=()
if [[ $(id -u) == 0 ]]; then as_pg=(runuser -u postgres --); chown postgres "$dir"; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
cleanup() { "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT

"${as_pg[@]}" "$pgbin/initdb" -D "$dir/data" -U bench_admin -A trust --no-sync --no-instructions >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
CONF
printf 'local all bench_admin trust\nhost all all 127.0.0.1/32 scram-sha-256\n' >"$dir/data/pg_hba.conf"
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
"$pgbin/psql" -X -q -h "$dir" -p "$port" -U bench_admin -d postgres \
  -c "CREATE ROLE koomy LOGIN PASSWORD '$password'" -c "CREATE DATABASE koomy OWNER koomy"
