#!/usr/bin/env bash
# CALL trovella_migrate.apply_each(...) commits after each migration (DESIGN sections 0 and 6):
#   1. a failure in migration 6 of 10 leaves migrations 1-5 committed and recorded, and the error
#      says so (DETAIL lists them, HINT says to call again); after the file is fixed a second call
#      continues at migration 6 and ends verified;
#   2. inside a transaction block it refuses with a clear error; when another runner takes the
#      migration lock between two migrations and lock_timeout expires, the error names the holder
#      and what stayed committed, without blaming the next migration's file;
#   3. a 3,000-migration journal that apply() cannot hold in one transaction (a second server with a
#      small lock table): apply() fails with "out of shared memory" and a HINT naming apply_each,
#      nothing is recorded; apply_each applies all 3,000.
. "$(dirname "$0")/../lib/check.sh"
. "$(dirname "$0")/lib/sessions.bash"
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/trovella-each.XXXXXX)
trap 'sessions_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"; dropdb --if-exists tm_each 2>/dev/null' EXIT

db=tm_each
createdb "$db"
psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION trovella_migrate" >/dev/null
# 10 migrations; the 6th (0005_m5) divides by zero in its third statement.
make_fixture "$db" 10 $'CREATE TABLE ae_%1$s (id int PRIMARY KEY);\n--> statement-breakpoint\nINSERT INTO ae_%1$s VALUES (%1$s);\n--> statement-breakpoint\nSELECT 1 / (%1$s - 5);\n'
call_each() {
  psql -X -q -d "$db" 2>&1 <<'SQL'
\set VERBOSITY verbose
SELECT journal, migrations FROM fixture \gset
SELECT 'session pid=' || pg_backend_pid();
CALL trovella_migrate.apply_each(:'journal', :'migrations') \gset r_
\echo result applied_before=:r_applied_before applied=:r_applied verified=:r_verified tags=:r_applied_tags
SQL
}
q() { PGOPTIONS='-c client_min_messages=warning' psql -X -At -d "$db" -c "$1"; }

# 1. Failure in the 6th migration.
out=$(call_each)
first_pid=$(echo "$out" | sed -n 's/.*session pid=\([0-9]*\).*/\1/p')
check_contains "the failing statement keeps its SQLSTATE and message" "ERROR:  22012: division by zero" "$out"
check_contains "DETAIL lists the migrations committed before the failure" \
  'DETAIL:  apply_each committed 5 migrations before the failure, which stay applied: "0000_m0", "0001_m1", "0002_m2", "0003_m3", "0004_m4".' "$out"
check_contains "HINT says to fix the file and call again" \
  'HINT:  Fix "0005_m5" and call apply_each again: it continues with that migration.' "$out"
check_contains "CONTEXT names the migration and statement" 'migration "0005_m5", statement 3 of 3 (line 5): SELECT 1 / (5 - 5);' "$out"
check_contains "each migration was committed as it went" "NOTICE:  00000: committed 0004_m4" "$out"
check "migrations 1-5 are recorded (5 rows, the right created_at)" \
  test "$(q "SELECT array_agg(created_at - 1700000000000 ORDER BY id) FROM drizzle.__drizzle_migrations")" = "{0,1,2,3,4}"
check "migrations 1-5 stay applied (their tables and rows exist)" \
  test "$(q "SELECT count(*) FROM pg_class WHERE relname ~ '^ae_[0-4]\$' AND relkind = 'r'")" = 5
check "migration 6 left nothing (rolled back)" test "$(q "SELECT to_regclass('ae_5') IS NULL")" = t
check "5 applied events, all from the failed call's session" \
  test "$(q "SELECT count(*) || '/' || count(*) FILTER (WHERE r.backend_pid = ${first_pid:-0})
             FROM trovella_migrate.migration_event e JOIN trovella_migrate.run r USING (run_id) WHERE e.action = 'applied'")" = 5/5
check "status: 5 applied, 5 pending" \
  test "$(q "SELECT string_agg(state || ':' || n, ',' ORDER BY state) FROM (SELECT state, count(*) n FROM fixture,
             LATERAL trovella_migrate.status(journal, migrations) GROUP BY state) s")" = "applied:5,pending:5"

# Fix 0005_m5 and call again: it continues at migration 6 and ends verified.
q "UPDATE fixture SET migrations = jsonb_set(migrations, '{0005_m5}',
     to_jsonb(E'CREATE TABLE ae_5 (id int PRIMARY KEY);\n--> statement-breakpoint\nINSERT INTO ae_5 VALUES (5);\n'::text))" >/dev/null
out=$(call_each)
check_contains "second call starts from 5 applied" "NOTICE:  00000: Migration state: 5 applied, 10 expected, 5 pending" "$out"
check_contains "second call applies 0005_m5 .. 0009_m9 and is verified" \
  "result applied_before=5 applied=5 verified=t tags={0005_m5,0006_m6,0007_m7,0008_m8,0009_m9}" "$out"
check_contains "second call's last line" "NOTICE:  00000: Verified: database has all 10 migrations." "$out"
check "verify() agrees (layer 2)" \
  test "$(q "SELECT ok FROM fixture, LATERAL trovella_migrate.verify(journal, migrations)")" = t
check "10 rows, 10 distinct created_at, 10 applied events" \
  test "$(q "SELECT (SELECT count(DISTINCT created_at) FROM drizzle.__drizzle_migrations) || '/' ||
                    (SELECT count(*) FROM trovella_migrate.migration_event WHERE action = 'applied')")" = 10/10
check "every ae_ table holds its row" test "$(q "SELECT (SELECT count(*) FROM ae_5) + (SELECT count(*) FROM ae_9)")" = 2

# 2. Inside a transaction block: refused, nothing done.
q "DELETE FROM fixture; INSERT INTO fixture SELECT '{\"entries\":[{\"idx\":0,\"when\":99,\"tag\":\"0000_x\"}]}', '{\"0000_x\":\"CREATE TABLE ae_x (id int);\"}'" >/dev/null
out=$(psql -X -q -d "$db" 2>&1 <<'SQL'
\set VERBOSITY verbose
SELECT journal, migrations FROM fixture \gset
BEGIN;
CALL trovella_migrate.apply_each(:'journal', :'migrations');
ROLLBACK;
BEGIN;
DO $$ DECLARE j json; m jsonb; e int; ab int; p int; a int; v bool; t text[]; msg text;
BEGIN
  SELECT journal, migrations INTO j, m FROM fixture;
  CALL trovella_migrate.apply_each(j, m, '{}', e, ab, p, a, v, t, msg);
END $$;
ROLLBACK;
SQL
)
check_contains "inside BEGIN: refused with SQLSTATE 25001 (this session cannot, not the history) and a clear message" \
  "ERROR:  25001: apply_each() commits after each migration, so it cannot run inside a transaction block" "$out"
check_contains "inside BEGIN: the HINT says how to call it" \
  "HINT:  Run CALL trovella_migrate.apply_each(...) on its own (autocommit), or use SELECT * FROM trovella_migrate.apply(...) to apply everything in the current transaction." "$out"
check "inside BEGIN, through a DO block too: refused twice" test "$(grep -c 'cannot run inside a transaction block' <<<"$out")" = 2
check "nothing recorded or created by the refused calls" \
  test "$(q "SELECT count(*) || '/' || (to_regclass('ae_x') IS NULL) FROM drizzle.__drizzle_migrations WHERE created_at = 99")" = 0/true

# apply_each takes the migration lock again for each migration. When another runner takes it in
# between and lock_timeout expires, the error says who holds it and what stayed committed, and does
# not blame the next migration's file (nothing is wrong with it).
q "DROP SCHEMA drizzle CASCADE; TRUNCATE fixture" >/dev/null
q "INSERT INTO fixture SELECT journal, migrations FROM (SELECT
     '{\"entries\":[{\"idx\":0,\"when\":1,\"tag\":\"0000_slow\"},{\"idx\":1,\"when\":2,\"tag\":\"0001_fine\"}]}'::json AS journal,
     '{\"0000_slow\": \"SELECT pg_sleep(1);\", \"0001_fine\": \"CREATE TABLE ae_fine (id int);\"}'::jsonb AS migrations) s" >/dev/null
psql -X -q -d "$db" >"$work/between.out" 2>&1 <<'SQL' &
\set VERBOSITY verbose
SELECT journal, migrations FROM fixture \gset
CALL trovella_migrate.apply_each(:'journal', :'migrations', '{"lock_timeout": "300ms"}');
SQL
each_job=$!
wait_until "$db" 10 "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE query = 'trovella_migrate: applying 0000_slow statement 1/1')"
# Another runner queues for the lock; it gets it as soon as 0000_slow commits, and keeps it.
session_open other "$db" ae_other_runner
session_send other "BEGIN; SELECT pg_advisory_xact_lock(x'74726f76'::int, hashtext('drizzle.__drizzle_migrations'));"
wait_pid "$each_job" 30
session_send other "COMMIT;"
session_close other 10
out=$(cat "$work/between.out")
check_contains "lock taken between migrations: 55P03 after lock_timeout" "ERROR:  55P03: canceling statement due to lock timeout" "$out"
check_contains "lock taken between migrations: DETAIL names the holder" 'held by pid' "$out"
check_contains "lock taken between migrations: DETAIL says 0000_slow stays committed" \
  'apply_each committed 1 migration before the failure, which stay applied: "0000_slow".' "$out"
check "lock taken between migrations: the HINT does not tell to fix 0001_fine (its file is fine)" \
  bash -c '! grep -q "Fix \"0001_fine\"" <<<"$1"' _ "$out"
dropdb "$db"

# 3. 3,000 migrations, each creating a table with a primary key, on a second server whose lock table
# is small (max_locks_per_transaction=64, max_connections=20): one transaction cannot hold them.
(
  TM_SERVER_OPTS="-c max_locks_per_transaction=64 -c max_connections=20"
  . "$here/test/lib/server.sh"
  start_server || exit 1
  createdb big
  psql -X -q -d big -c "CREATE EXTENSION trovella_migrate" >/dev/null
  make_fixture big 3000 'CREATE TABLE big_%1$s (id int PRIMARY KEY);'
  t0=$(date +%s.%N)
  psql -X -q -d big >"$work/big_apply.out" 2>&1 <<'SQL'
\set VERBOSITY verbose
SET client_min_messages = warning;
SELECT journal, migrations FROM fixture \gset
SELECT applied FROM trovella_migrate.apply(:'journal', :'migrations');
SQL
  t1=$(date +%s.%N)
  psql -X -At -d big >"$work/big_after_apply.out" 2>&1 <<'SQL'
SELECT (to_regclass('drizzle.__drizzle_migrations') IS NULL)
  || '/' || (SELECT count(*) FROM trovella_migrate.migration_event)
  || '/' || (SELECT count(*) FROM pg_class WHERE relname LIKE 'big\_%');
SQL
  t2=$(date +%s.%N)
  psql -X -q -d big >"$work/big_each.out" 2>&1 <<'SQL'
\set VERBOSITY verbose
SET client_min_messages = warning;
SELECT journal, migrations FROM fixture \gset
CALL trovella_migrate.apply_each(:'journal', :'migrations') \gset r_
\echo result applied=:r_applied verified=:r_verified
SQL
  t3=$(date +%s.%N)
  psql -X -q -At -d big >"$work/big_after_each.out" 2>&1 <<'SQL'
SET client_min_messages = warning;
SELECT count(*) || '/' || count(DISTINCT created_at) FROM drizzle.__drizzle_migrations;
SELECT ok FROM fixture, LATERAL trovella_migrate.verify(journal, migrations);
SELECT count(*) FROM pg_class WHERE relname ~ '^big_[0-9]+$' AND relkind = 'r';
SQL
  printf '# 3000 migrations: apply() failed after %.1f s; apply_each applied them in %.1f s\n' \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$t3 - $t2" | bc)" >"$work/big_times"
  stop_server
) || echo "# the second server did not start"
cat "$work/big_times" 2>/dev/null
out=$(cat "$work/big_apply.out" 2>/dev/null)
check_contains "apply() of 3000 migrations: out of shared memory (53200)" "ERROR:  53200: out of shared memory" "$out"
check_contains "the HINT names apply_each" \
  "Use CALL trovella_migrate.apply_each(...), which commits after each migration, or raise max_locks_per_transaction." "$out"
check_contains "the error names the migration it reached" 'CONTEXT:  SQL statement "CREATE TABLE big_' "$out"
check "after the failed apply(): nothing recorded, no table left (no tracking table/events/tables)" \
  test "$(cat "$work/big_after_apply.out" 2>/dev/null)" = true/0/0
check_contains "apply_each applied all 3000 and verified" "result applied=3000 verified=t" "$(cat "$work/big_each.out" 2>/dev/null)"
check "3000 rows, 3000 distinct created_at; verify() ok; 3000 tables" \
  test "$(paste -sd' ' "$work/big_after_each.out" 2>/dev/null)" = "3000/3000 t 3000"
finish
