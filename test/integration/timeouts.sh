#!/usr/bin/env bash
# Options lock_timeout and statement_timeout (DESIGN sections 0 and 6): in force only during the run.
#   1. A migration waiting on a table lock held by another session fails after lock_timeout with
#      SQLSTATE 55P03, the error names the migration, nothing is recorded (with apply_each: only
#      the migrations before it stay committed).
#   2. statement_timeout '300ms' with a SELECT pg_sleep(5) statement fails with 57014 naming the
#      migration; the timeout is re-armed for each statement (5 statements of 100 ms pass under a
#      400 ms timeout).
#   3. The settings do not leak: after apply (and apply_each) the caller's values are back, in the
#      same transaction; and the caller's own statement_timeout still bounds the rest of its
#      statement after a run that used the statement_timeout option.
. "$(dirname "$0")/../lib/check.sh"
. "$(dirname "$0")/lib/sessions.bash"
db=tm_timeouts
trap 'sessions_cleanup; dropdb --if-exists tm_timeouts 2>/dev/null' EXIT
createdb "$db"
psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION trovella_migrate" -c "CREATE TABLE t (id int)" >/dev/null
q() { PGOPTIONS='-c client_min_messages=warning' psql -X -At -d "$db" -c "$1"; }
nothing_recorded() {
  test "$(q "SELECT NOT EXISTS (SELECT FROM trovella_migrate.history)
                 AND NOT EXISTS (SELECT FROM trovella_migrate.migration_event)
                 AND to_regclass('t_first') IS NULL")" = t
}
J2='{"entries":[{"idx":0,"when":1,"tag":"0000_first"},{"idx":1,"when":2,"tag":"0001_alter_t"}]}'
M2=$'{"0000_first": "CREATE TABLE t_first (id int);", "0001_alter_t": "SELECT 1;\\n--> statement-breakpoint\\nALTER TABLE t ADD COLUMN note text;"}'

# 1. Session B holds ACCESS EXCLUSIVE on t in an open transaction.
session_open B "$db" timeouts_b
session_send B "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;"
wait_until "$db" 10 "SELECT EXISTS (SELECT FROM pg_locks WHERE relation = 't'::regclass AND mode = 'AccessExclusiveLock' AND granted)"
check "session B holds the table lock" test $? = 0
started=$(date +%s.%N)
out=$(psql -X -q -d "$db" -v j="$J2" -v m="$M2" 2>&1 <<'SQL'
\set VERBOSITY verbose
SELECT * FROM trovella_migrate.apply(:'j', :'m', '{"lock_timeout": "500ms"}');
SQL
)
printf '# apply with lock_timeout 500ms gave up after %.2f s\n' "$(echo "$(date +%s.%N) - $started" | bc)"
check_contains "apply: SQLSTATE 55P03 after lock_timeout" "ERROR:  55P03: canceling statement due to lock timeout" "$out"
check_contains "apply: the error context names the migration and statement" \
  'migration "0001_alter_t", statement 2 of 2 (line 3): ALTER TABLE t ADD COLUMN note text;' "$out"
check "apply: nothing recorded, the first migration rolled back too" nothing_recorded

# The same with a number of milliseconds, through apply_each: the migration that waits is not committed.
out=$(psql -X -q -d "$db" -v j="$J2" -v m="$M2" 2>&1 <<'SQL'
\set VERBOSITY verbose
CALL trovella_migrate.apply_each(:'j', :'m', '{"lock_timeout": 300}');
SQL
)
check_contains "apply_each: SQLSTATE 55P03 after lock_timeout (given in ms)" "ERROR:  55P03: canceling statement due to lock timeout" "$out"
check_contains "apply_each: the error context names the migration" 'migration "0001_alter_t", statement 2 of 2' "$out"
check_contains "apply_each: DETAIL says what stayed committed" 'apply_each committed 1 migration before the failure, which stay applied: "0000_first".' "$out"
check "apply_each: the waiting migration is not recorded" \
  test "$(q "SELECT string_agg(created_at::text, ',') FROM drizzle.__drizzle_migrations")" = 1
session_send B "ROLLBACK;"
session_close B 10
q "DROP SCHEMA drizzle CASCADE; DROP TABLE t_first; TRUNCATE trovella_migrate.migration_event, trovella_migrate.run" >/dev/null

# 2. statement_timeout.
J1='{"entries":[{"idx":0,"when":1,"tag":"0000_first"},{"idx":1,"when":2,"tag":"0001_slow"}]}'
started=$(date +%s.%N)
out=$(psql -X -q -d "$db" -v j="$J1" 2>&1 <<'SQL'
\set VERBOSITY verbose
SELECT * FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_first', 'CREATE TABLE t_first (id int);',
  '0001_slow', E'SELECT 1;\n--> statement-breakpoint\nSELECT pg_sleep(5);'), '{"statement_timeout": "300ms"}');
SQL
)
took=$(echo "$(date +%s.%N) - $started" | bc)
printf '# apply with statement_timeout 300ms and pg_sleep(5) gave up after %.2f s\n' "$took"
check_contains "statement_timeout: SQLSTATE 57014" "ERROR:  57014: canceling statement due to statement timeout" "$out"
check_contains "statement_timeout: the error names the migration and statement" \
  'migration "0001_slow", statement 2 of 2 (line 3): SELECT pg_sleep(5);' "$out"
check "statement_timeout: it did not wait for the 5 s sleep" bash -c "(( \$(echo \"$took < 4\" | bc) ))"
check "statement_timeout: nothing recorded" nothing_recorded

out=$(psql -X -q -d "$db" -v j="$J1" 2>&1 <<'SQL'
\set VERBOSITY verbose
SET client_min_messages = warning;
SELECT 'result=' || applied || ',' || verified FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_first', 'CREATE TABLE t_first (id int);',
  '0001_slow', E'SELECT pg_sleep(0.1);\n--> statement-breakpoint\nSELECT pg_sleep(0.1);\n--> statement-breakpoint\nSELECT pg_sleep(0.1);\n--> statement-breakpoint\nSELECT pg_sleep(0.1);\n--> statement-breakpoint\nSELECT pg_sleep(0.1);'),
  '{"statement_timeout": 400}');
SQL
)
check_contains "statement_timeout is per statement: 5 x 100 ms pass under 400 ms" "result=2,true" "$out"
q "DROP SCHEMA drizzle CASCADE; DROP TABLE t_first; TRUNCATE trovella_migrate.migration_event, trovella_migrate.run" >/dev/null

# 3. Nothing leaks: the caller's values are back right after the call, in the same transaction.
out=$(psql -X -q -At -d "$db" -v j="$J1" 2>&1 <<'SQL'
SET client_min_messages = warning;
SET statement_timeout = '9s';
BEGIN;
SET LOCAL lock_timeout = '7s';
SELECT 'applied=' || applied FROM trovella_migrate.apply(:'j', jsonb_build_object('0000_first', 'SELECT 1;',
  '0001_slow', 'SELECT 2;'), '{"lock_timeout": "1s", "statement_timeout": "2s"}');
SELECT 'in transaction: lock_timeout=' || current_setting('lock_timeout') || ' statement_timeout=' || current_setting('statement_timeout');
SHOW lock_timeout;
COMMIT;
SELECT 'after commit: lock_timeout=' || current_setting('lock_timeout') || ' statement_timeout=' || current_setting('statement_timeout');
SET lock_timeout = '6s';
CALL trovella_migrate.apply_each('{"entries":[{"idx":0,"when":1,"tag":"0000_first"},{"idx":1,"when":2,"tag":"0001_slow"},{"idx":2,"when":3,"tag":"0002_more"}]}',
  '{"0000_first": "SELECT 1;", "0001_slow": "SELECT 2;", "0002_more": "SELECT 3;"}', '{"lock_timeout": "1s", "statement_timeout": "2s"}') \gset r_
SELECT 'after apply_each (applied ' || :r_applied || '): lock_timeout=' || current_setting('lock_timeout') || ' statement_timeout=' || current_setting('statement_timeout');
SQL
)
check_contains "apply with options succeeded" "applied=2" "$out"
check_contains "in the same transaction, SHOW gives the caller's values back" "in transaction: lock_timeout=7s statement_timeout=9s" "$out"
check_contains "SHOW lock_timeout right after apply" $'\n7s\n' "$out"
check_contains "after commit: SET LOCAL ended, the session value stays" "after commit: lock_timeout=0 statement_timeout=9s" "$out"
check_contains "after apply_each: the session's values are back" "after apply_each (applied 1): lock_timeout=6s statement_timeout=9s" "$out"
q "DROP SCHEMA drizzle CASCADE" >/dev/null

# The caller's own statement_timeout still bounds the rest of the caller's statement once the run is
# over: without the option, pg_sleep(3) after apply in the same statement is cancelled at 1 s; with
# the option it must be too (the run's timeout must not switch the caller's timer off).
for opts in '{}' '{"statement_timeout": "10s"}'; do
  q "DROP SCHEMA IF EXISTS drizzle CASCADE" >/dev/null
  started=$(date +%s.%N)
  out=$(psql -X -q -d "$db" -v opts="$opts" 2>&1 <<'SQL'
SET client_min_messages = warning;
SET statement_timeout = '1s';
SELECT (SELECT applied FROM trovella_migrate.apply('{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}',
          '{"0000_a": "SELECT 1;"}', :'opts')) AS applied, pg_sleep(3);
\echo SQLSTATE=:LAST_ERROR_SQLSTATE
SQL
)
  printf '# options %s: the statement ended after %.2f s\n' "$opts" "$(echo "$(date +%s.%N) - $started" | bc)"
  check_contains "options $opts: the session's statement_timeout (1s) still cancels the caller's statement (57014)" "SQLSTATE=57014" "$out"
done

# 4. A failed run inside the caller's own subtransaction (a DO block with an EXCEPTION handler)
#    leaves neither its statement timer nor its settings behind: after the handled failure, the
#    rest of the same DO block runs its pg_sleep(2) in full (the run's 1 s timer must not fire),
#    and sees the caller's settings.
q "DROP SCHEMA IF EXISTS drizzle CASCADE" >/dev/null
for fail in statement timeout; do
  if [ "$fail" = statement ]; then text='SELECT 1/0;'; else text='SELECT pg_sleep(3);'; fi
  started=$(date +%s.%N)
  out=$(psql -X -q -At -d "$db" -v text="$text" 2>&1 <<'SQL'
SET client_min_messages = warning;
SET lock_timeout = '7s';
SELECT format($f$DO $do$
BEGIN
  BEGIN
    PERFORM * FROM trovella_migrate.apply('{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}',
                                          jsonb_build_object('0000_a', %L),
                                          '{"statement_timeout": "1s", "lock_timeout": "2s"}');
  EXCEPTION WHEN query_canceled OR others THEN
    RAISE WARNING 'handled: %%', SQLERRM;
  END;
  RAISE WARNING 'settings: lock_timeout=%% statement_timeout=%%', current_setting('lock_timeout'), current_setting('statement_timeout');
  PERFORM pg_sleep(2);
  RAISE WARNING 'slept 2 s';
END
$do$;$f$, :'text') AS block \gset
:block
\echo SQLSTATE=:LAST_ERROR_SQLSTATE
SQL
)
  elapsed=$(echo "$(date +%s.%N) - $started" | bc)
  printf '# failed migration (%s) in a DO block: the block ended after %.2f s\n' "$fail" "$elapsed"
  check_contains "failure by $fail in the caller's DO block: the handler saw it" "handled:" "$out"
  check_contains "failure by $fail: the rest of the block sees the caller's settings" "settings: lock_timeout=7s statement_timeout=0" "$out"
  check_contains "failure by $fail: the block's pg_sleep(2) is not cancelled by the run's 1 s timer" "slept 2 s" "$out"
  check_contains "failure by $fail: the block ends without error" "SQLSTATE=00000" "$out"
done
finish
