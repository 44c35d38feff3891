#!/usr/bin/env bash
# pg_dump / pg_restore of a migrated database, then a migrate (issue 7, item 7): the history
# tables and the sequences behind their identity columns are registered for dump, so the restored
# database keeps every run and event and the next run gets fresh ids (before: duplicate key value
# violates unique constraint "run_pkey"). Both pg_dump -Fc with pg_restore, and plain SQL with psql.
. "$(dirname "$0")/../lib/check.sh"
. "$(dirname "$0")/lib/examples.bash"
work=$(mktemp -d /tmp/trovella-dump.XXXXXX); chmod 755 "$work"
trap 'rm -rf "$work"; for d in tm_dump_src tm_dump_fc tm_dump_plain; do dropdb --if-exists $d 2>/dev/null; done' EXIT
examples_copy "$work/m"

summary() {
  psql -X -At -d "$1" -c "SELECT (SELECT count(*) FROM trovella_migrate.run) || ' runs, ' ||
    (SELECT count(*) FROM trovella_migrate.migration_event) || ' events, ' ||
    (SELECT count(*) FROM trovella_migrate.history) || ' history rows, ' ||
    (SELECT count(*) FROM drizzle.__drizzle_migrations) || ' tracking rows'"
}

createdb tm_dump_src
psql -X -q -d tm_dump_src -c "CREATE EXTENSION trovella_migrate"
check_contains "source: 8 migrations applied in a first run" "8,t" "$(apply_server_files tm_dump_src "$work/m" first8.json)"
before=$(summary tm_dump_src)
echo "# source: $before"

pg_dump -Fc -d tm_dump_src -f "$work/db.dump"
createdb tm_dump_fc
pg_restore -d tm_dump_fc "$work/db.dump" >"$work/restore.log" 2>&1
check "pg_restore -Fc: no error" test ! -s "$work/restore.log"
check_contains "pg_dump -Fc: the history came back whole" "$before" "$(summary tm_dump_fc)"
out=$(apply_server_files tm_dump_fc "$work/m" _journal.json)
check_contains "pg_dump -Fc: a migrate after the restore applies the other 2 (no duplicate run_id)" "2,t" "$out"
check_contains "pg_dump -Fc: its run and events are recorded after the restored ones" "2 runs, 10 events, 10 history rows, 10 tracking rows" "$(summary tm_dump_fc)"
check "pg_dump -Fc: the new run's id follows the restored ones" \
  test "$(psql -X -At -d tm_dump_fc -c "SELECT max(run_id) > (SELECT min(run_id) FROM trovella_migrate.run) AND count(DISTINCT run_id) = 2 FROM trovella_migrate.run")" = t

pg_dump -d tm_dump_src -f "$work/db.sql"
createdb tm_dump_plain
psql -X -q -d tm_dump_plain -v ON_ERROR_STOP=1 -f "$work/db.sql" >"$work/plain.log" 2>&1
check "plain pg_dump: psql restores it without error" test $? = 0
check_contains "plain pg_dump: the history came back whole" "$before" "$(summary tm_dump_plain)"
check_contains "plain pg_dump: a migrate after the restore applies the other 2" "2,t" "$(apply_server_files tm_dump_plain "$work/m" _journal.json)"
check_contains "plain pg_dump: status reads every migration applied" "10" \
  "$(psql -X -At -d tm_dump_plain -c "SELECT count(*) FROM trovella_migrate.status(pg_read_file('$work/m/meta/_journal.json')::json) WHERE state = 'applied'")"
finish
