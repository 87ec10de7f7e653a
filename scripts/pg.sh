#!/usr/bin/env bash
# A project-local PostgreSQL cluster: `scripts/pg.sh start DIR` prints a DATABASE_URL for it,
# `scripts/pg.sh stop DIR` stops it. It listens on a unix socket inside DIR only (no TCP port),
# so several clusters (make run, make test, a second clone) never collide.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop DIR}
dir=$(mkdir -p "${2:?usage: pg.sh start|stop DIR}" && cd "$2" && pwd)
data="$dir/data"
sock="$dir/run"
db=${PGDATABASE_NAME:-factcheck}

find_bin() {
    local name=$1 candidate
    if candidate=$(command -v "$name" 2>/dev/null); then echo "$candidate"; return 0; fi
    for candidate in /usr/lib/postgresql/*/bin/"$name"; do
        [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
    return 1
}

if ! initdb=$(find_bin initdb) || ! pg_ctl=$(find_bin pg_ctl) || ! psql=$(find_bin psql) \
    || ! createdb=$(find_bin createdb); then
    cat >&2 <<MSG
PostgreSQL programs (initdb, pg_ctl, psql, createdb) were not found.
Install them (Debian/Ubuntu: apt-get install postgresql) or point DATABASE_URL at a
PostgreSQL 15 database you already have, e.g.
  DATABASE_URL=postgresql://user:password@localhost:5432/factcheck make run
MSG
    exit 3
fi

# PostgreSQL refuses to run as root: as root, run its programs as the `postgres` user.
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    mkdir -p "$sock"
    [ "$(id -u)" = 0 ] && chown postgres "$dir" "$sock"
    if [ ! -s "$data/PG_VERSION" ]; then
        as_pg "$initdb" -D "$data" -U factcheck --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if ! as_pg "$pg_ctl" -D "$data" status >/dev/null 2>&1; then
        as_pg "$pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses='' -c unix_socket_directories='$sock' -c fsync=${PG_FSYNC:-on}" \
            start >/dev/null || { tail -n 20 "$dir/server.log" >&2; exit 1; }
    fi
    if ! "$psql" -h "$sock" -U factcheck -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
        "$createdb" -h "$sock" -U factcheck "$db"
    fi
    # dj-database-url reads a percent-encoded path as a unix-socket host.
    encoded=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$sock")
    echo "postgresql://factcheck@${encoded}/${db}"
    ;;
stop)
    if [ -s "$data/PG_VERSION" ]; then
        as_pg "$pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
*)
    echo "usage: pg.sh start|stop DIR" >&2
    exit 2
    ;;
esac
