#!/usr/bin/env bash
# status and verify on a real hot standby (DESIGN section 5): a streaming replica of the test
# server, made with pg_basebackup, answers both; apply is refused there by PostgreSQL itself.
. "$(dirname "$0")/../lib/check.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/test/lib/server.sh"
standby=$(mktemp -d /tmp/trovella-standby.XXXXXX); chmod 755 "$standby"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$standby"
port=$(free_port)
cleanup() {
  _as_owner "$PG_BIN/pg_ctl" -D "$standby/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$standby"
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS tm_standby" 2>/dev/null
}
trap cleanup EXIT

createdb tm_standby
psql -X -q -d tm_standby -c "CREATE EXTENSION trovella_migrate"
journal=$(cat "$here/examples/migrations/meta/_journal.json")
# Apply the first 8 of the 10 example migrations on the primary (server-side file reads).
dir=$(mktemp -d /tmp/trovella-standby-m.XXXXXX); cp -r "$here/examples/migrations/." "$dir/"; chmod -R a+rX "$dir"
node -e 'const fs=require("fs"),p=process.argv[1]+"/meta/_journal.json",j=JSON.parse(fs.readFileSync(p,"utf8"));j.entries=j.entries.slice(0,8);fs.writeFileSync(p,JSON.stringify(j,null,2));' "$dir"
psql -X -q -d tm_standby -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
  -c "SELECT 1 FROM trovella_migrate.apply_folder('$dir')" >/dev/null
rm -rf "$dir"

_as_owner "$PG_BIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U postgres -D "$standby/data" -R -X stream >/dev/null 2>&1
check "pg_basebackup made a replica" test -f "$standby/data/standby.signal"
_as_owner "$PG_BIN/pg_ctl" -D "$standby/data" -l "$standby/server.log" -w \
  -o "-p $port -k $standby -c listen_addresses='' -c hot_standby=on" start >/dev/null
in_recovery=$(psql -X -At -h "$standby" -p "$port" -d tm_standby -c "SELECT pg_is_in_recovery()")
check "the replica is a hot standby (pg_is_in_recovery)" test "$in_recovery" = t

out=$(psql -X -At -h "$standby" -p "$port" -d tm_standby -v j="$journal" 2>&1 <<'SQL'
SELECT state, count(*) FROM trovella_migrate.status(:'j') GROUP BY state ORDER BY state;
SELECT expected, actual, ok FROM trovella_migrate.verify(:'j', NULL, '{"raise": false}');
SELECT count(*) FROM trovella_migrate.history;
SQL
)
check_contains "status on the standby: 8 applied" "applied|8" "$out"
check_contains "status on the standby: 2 pending" "pending|2" "$out"
check_contains "verify on the standby returns its row" "10|8|f" "$out"
check_contains "the history view reads on the standby" $'\n8' "$out"
out=$(echo "SELECT * FROM trovella_migrate.verify(:'j')" | psql -X -h "$standby" -p "$port" -d tm_standby -v ON_ERROR_STOP=1 -v j="$journal" 2>&1)
check "verify raises on the standby (psql exits non-zero)" test $? != 0
check_contains "... with the wiki's message" "Migration count mismatch: database has 8 but expected 10" "$out"
out=$(psql -X -h "$standby" -p "$port" -d tm_standby -c "SELECT * FROM trovella_migrate.apply('{\"entries\":[]}', '{}')" 2>&1)
check_contains "apply on the standby is refused, saying where to run it" "ERROR:  apply() cannot run on a hot standby: it writes the tracking table" "$out"
check_contains "... and what works there" "HINT:  Run it against the primary; status() and verify() work on a standby." "$out"
out=$(psql -X -h "$standby" -p "$port" -d tm_standby -v VERBOSITY=verbose -c "SELECT * FROM trovella_migrate.apply('{\"entries\":[]}', '{}')" 2>&1)
check_contains "... with SQLSTATE 25006 (this session cannot migrate), not 55000 (the history disagrees)" "ERROR:  25006: apply() cannot run on a hot standby" "$out"
finish
