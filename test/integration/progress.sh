#!/usr/bin/env bash
# Progress (DESIGN section 9): a NOTICE as each migration starts ("applying <tag> (N statements)")
# and ends ("applied <tag> (N statements in X ms)"), and, while a statement runs, the applying
# backend's pg_stat_activity.query reads "trovella_migrate: applying <tag> statement i/n"; once
# apply returns, the query column shows the caller's statement again.
. "$(dirname "$0")/../lib/check.sh"
. "$(dirname "$0")/lib/sessions.bash"
db=tm_progress
trap 'sessions_cleanup; dropdb --if-exists tm_progress 2>/dev/null' EXIT
createdb "$db"
psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION trovella_migrate" >/dev/null
q() { psql -X -At -d "$db" -c "$1"; }

# 0001_slow sleeps 3 s in its second statement of three.
q "CREATE TABLE fixture AS SELECT
  '{\"entries\":[{\"idx\":0,\"when\":1,\"tag\":\"0000_one\"},{\"idx\":1,\"when\":2,\"tag\":\"0001_slow\"},{\"idx\":2,\"when\":3,\"tag\":\"0002_two\"}]}'::json AS journal,
  jsonb_build_object('0000_one', 'CREATE TABLE p_one (id int);',
                     '0001_slow', E'CREATE TABLE p_slow (id int);\n--> statement-breakpoint\nSELECT pg_sleep(3);\n--> statement-breakpoint\nINSERT INTO p_slow VALUES (1);',
                     '0002_two', E'CREATE TABLE p_two (id int);\n--> statement-breakpoint\nINSERT INTO p_two VALUES (2);') AS migrations" >/dev/null

session_open A "$db" progress_applier
session_send A '\set VERBOSITY default'
session_send A 'SELECT journal, migrations FROM fixture \gset'
session_send A 'BEGIN;'
session_send A "SELECT applied FROM trovella_migrate.apply(:'journal', :'migrations');"
# Watch the applier from a second session while the slow statement runs.
seen=""
for _ in $(seq 1 100); do
  seen=$(q "SELECT query FROM pg_stat_activity WHERE application_name = 'progress_applier' AND query LIKE 'trovella_migrate: applying%' AND wait_event = 'PgSleep'")
  [ -n "$seen" ] && break
  sleep 0.05
done
echo "# seen in pg_stat_activity: $seen"
check "while pg_sleep(3) runs, pg_stat_activity.query is the migration and statement" \
  test "$seen" = "trovella_migrate: applying 0001_slow statement 2/3"
wait_until "$db" 10 "SELECT state = 'idle in transaction' FROM pg_stat_activity WHERE application_name = 'progress_applier'"
check "apply returned (the caller's transaction is still open)" test $? = 0
after=$(q "SELECT left(query, 40) FROM pg_stat_activity WHERE application_name = 'progress_applier'")
check "after apply returned, pg_stat_activity.query shows the caller's statement again" \
  test "$after" = "SELECT applied FROM trovella_migrate.app"
session_send A 'COMMIT;'
session_close A 10
out=$(session_output A)

notices=$(grep -E '^NOTICE:  (applying|applied) ' <<<"$out")
echo "$notices" | sed 's/^/# /'
check "one NOTICE as each migration starts and one as it ends, in order" \
  test "$(echo "$notices" | sed -E 's/^NOTICE:  (applying|applied) ([^ ]+) .*/\1 \2/' | paste -sd,)" = \
  "applying 0000_one,applied 0000_one,applying 0001_slow,applied 0001_slow,applying 0002_two,applied 0002_two"
check "start NOTICEs: tag and statement count (singular and plural)" \
  bash -c 'grep -qxE "NOTICE:  applying 0000_one \(1 statement\)" <<<"$1" &&
           grep -qxE "NOTICE:  applying 0001_slow \(3 statements\)" <<<"$1" &&
           grep -qxE "NOTICE:  applying 0002_two \(2 statements\)" <<<"$1"' _ "$notices"
check "end NOTICEs: tag, statement count and milliseconds" \
  bash -c 'grep -qxE "NOTICE:  applied 0000_one \(1 statement in [0-9]+\.[0-9] ms\)" <<<"$1" &&
           grep -qxE "NOTICE:  applied 0001_slow \(3 statements in [0-9]+\.[0-9] ms\)" <<<"$1" &&
           grep -qxE "NOTICE:  applied 0002_two \(2 statements in [0-9]+\.[0-9] ms\)" <<<"$1"' _ "$notices"
slow_ms=$(sed -nE 's/^NOTICE:  applied 0001_slow \(3 statements in ([0-9]+)\.[0-9] ms\)$/\1/p' <<<"$notices")
check "the slow migration's time covers its 3 s sleep (${slow_ms:-?} ms)" test "${slow_ms:-0}" -ge 3000
check "the history records the same duration and statement count" \
  test "$(q "SELECT statements || ',' || (duration_ms >= 3000) FROM trovella_migrate.migration_event WHERE tag = '0001_slow'")" = 3,true

# apply_each shows its progress the same way, and says when each migration is committed.
q "UPDATE fixture SET journal = '{\"entries\":[{\"idx\":0,\"when\":1,\"tag\":\"0000_one\"},{\"idx\":1,\"when\":2,\"tag\":\"0001_slow\"},{\"idx\":2,\"when\":3,\"tag\":\"0002_two\"},{\"idx\":3,\"when\":4,\"tag\":\"0003_slow_each\"}]}',
   migrations = migrations || jsonb_build_object('0003_slow_each', E'SELECT 1;\n--> statement-breakpoint\nSELECT 2;\n--> statement-breakpoint\nSELECT 3;\n--> statement-breakpoint\nSELECT pg_sleep(2);')" >/dev/null
session_open E "$db" progress_each
session_send E '\set VERBOSITY default'
session_send E 'SELECT journal, migrations FROM fixture \gset'
session_send E "CALL trovella_migrate.apply_each(:'journal', :'migrations');"
seen=""
for _ in $(seq 1 100); do
  seen=$(q "SELECT query FROM pg_stat_activity WHERE application_name = 'progress_each' AND query LIKE 'trovella_migrate: applying%' AND wait_event = 'PgSleep'")
  [ -n "$seen" ] && break
  sleep 0.05
done
check "apply_each: pg_stat_activity.query shows the migration and statement" \
  test "$seen" = "trovella_migrate: applying 0003_slow_each statement 4/4"
session_close E 10
out=$(session_output E)
check "apply_each: start, end and commit NOTICEs" \
  bash -c 'grep -qxE "NOTICE:  applying 0003_slow_each \(4 statements\)" <<<"$1" &&
           grep -qxE "NOTICE:  applied 0003_slow_each \(4 statements in [0-9]+\.[0-9] ms\)" <<<"$1" &&
           grep -qxE "NOTICE:  committed 0003_slow_each" <<<"$1"' _ "$out"
finish
