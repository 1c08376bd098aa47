#!/bin/sh
# Start or stop a throwaway PostgreSQL 15 cluster for CI (run as root or as postgres).
#   eval "$(.ci/pg.sh start)"   # exports DATABASE_URL and PG_CI_DIR
#   .ci/pg.sh stop               # stops it and deletes its folder
# The server binds 127.0.0.1 on a free port with trust auth; nothing outside the temp folder is touched.
set -eu
BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sh -c "$1"; fi
}

case "${1:-}" in
  start)
    dir="$(mktemp -d "${TMPDIR:-/tmp}/re-ci-pg.XXXXXX")"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
    as_postgres "$BIN/initdb -D '$dir/data' -U postgres -A trust --no-sync -E UTF8 --locale=C >/dev/null"
    as_postgres "$BIN/pg_ctl -D '$dir/data' -l '$dir/log' -w -t 60 -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off\" start >/dev/null"
    echo "export PG_CI_DIR='$dir'"
    echo "export DATABASE_URL='postgres://postgres@127.0.0.1:$port/postgres'"
    ;;
  stop)
    dir="${2:-${PG_CI_DIR:-}}"
    [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "usage: $0 stop [DIR] (or set PG_CI_DIR)" >&2; exit 2; }
    as_postgres "$BIN/pg_ctl -D '$dir/data' -m fast -w stop >/dev/null" || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop [DIR]" >&2
    exit 2
    ;;
esac
