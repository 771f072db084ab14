#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (15 or whatever the machine has) for the relay's tests and
# prints the URL to export:
#   export TANDEM_TEST_POSTGRES_URL="$(sync-server/scripts/throwaway-postgres.sh)"
# Installs the server with apt-get when missing (Debian/Ubuntu, as root). Data lives in
# ${TANDEM_PG_DIR:-/tmp/tandem-pg}; stop it with: pg_ctl -D /tmp/tandem-pg/data stop
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
port="${TANDEM_PG_PORT:-55432}"
base="${TANDEM_PG_DIR:-/tmp/tandem-pg}"

# The newest server installed: /usr/lib/postgresql/<major>/bin.
newest_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do if [ -d "$d" ]; then echo "$d"; fi; done | sort -V | tail -n1
}
bin="$(newest_bin)"
if [ -z "$bin" ]; then
    apt_install postgresql
    bin="$(newest_bin)"
fi

as_pg() {
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

mkdir -p "$base"
[ "$(id -u)" = 0 ] && chown postgres "$base"
if [ ! -f "$base/data/PG_VERSION" ]; then
    as_pg "'$bin/initdb' -D '$base/data' -A trust -U postgres" >&2
fi
if ! as_pg "'$bin/pg_ctl' -D '$base/data' status" >/dev/null 2>&1; then
    as_pg "'$bin/pg_ctl' -D '$base/data' -o \"-p $port -k '$base' -c max_connections=300\" -l '$base/log' -w start" >&2
fi
echo "postgres://postgres@127.0.0.1:$port/postgres"
