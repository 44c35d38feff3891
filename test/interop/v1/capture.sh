#!/usr/bin/env bash
# Records, from the server's own log (log_statement = all), every statement drizzle-orm 1.x sends in
# three runs, into fixtures/captured/ (the evidence doc/drizzle-v1.md quotes):
#   fresh.log          migrate() of fixtures/migrations on a fresh database
#   nothing-to-do.log  the same again: nothing pending
#   upgrade.log        migrate() of fixtures/up on a version-0 table holding fixtures/v0's history
#                      (as drizzle-orm 0.x records it: hash, created_at = when)
#
#   bash test/interop/v1/capture.sh
#
# Starts its own throwaway server (test/lib/server.sh) and stops it. The log lines keep only what
# follows the prefix; PostgreSQL starts each continuation line of a multi-line statement with a tab.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
F=$HERE/fixtures
. "$ROOT/test/lib/server.sh"
TM_SERVER_OPTS="-c log_statement=all -c log_line_prefix='%d|'" start_server
LOG=$TM_SERVER_DIR/server.log
T='drizzle.__drizzle_migrations'
sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" >/dev/null; }

capture() {  # DB FOLDER OUT
  local from
  from=$(wc -l <"$LOG")
  node "$HERE/drizzle-migrate.mjs" "$2" "$1" || true
  sleep 0.5
  # the lines of database $1 (prefix "$1|"), and the continuation lines (a leading tab) that follow them
  tail -n +"$((from + 1))" "$LOG" | awk -v p="$1|" '
    index($0, p) == 1 { keep = 1; print substr($0, length(p) + 1); next }
    /^\t/ { if (keep) print; next }
    { keep = 0 }' >"$3"
}
mkdir -p "$F/captured"
createdb tm_v1_capture_fresh
capture tm_v1_capture_fresh "$F/migrations" "$F/captured/fresh.log"
capture tm_v1_capture_fresh "$F/migrations" "$F/captured/nothing-to-do.log"
createdb tm_v1_capture_upgrade
sql tm_v1_capture_upgrade "CREATE SCHEMA drizzle; CREATE TABLE $T (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)"
while read -r tag when; do
  psql -X -q -v ON_ERROR_STOP=1 -d tm_v1_capture_upgrade -f "$F/v0/$tag.sql" >/dev/null
  sql tm_v1_capture_upgrade "INSERT INTO $T (hash, created_at) VALUES ('$(sha256sum "$F/v0/$tag.sql" | cut -c1-64)', $when)"
done < <(node -e 'for (const e of require(process.argv[1]).entries) console.log(e.tag, e.when)' "$F/v0/meta/_journal.json")
capture tm_v1_capture_upgrade "$F/up" "$F/captured/upgrade.log"
wc -l "$F"/captured/*.log
