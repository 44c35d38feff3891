#!/usr/bin/env bash
# Statements that cannot run through SPI are found before anything runs (DESIGN section 6); the
# main list is in sql/11_refused_statements.sql. This suite adds what pg_regress cannot show well:
#   1. apply_each, which commits after each migration, checks every pending migration before the
#      first commit: a refused statement in the 2nd migration leaves the 1st uncommitted;
#   2. statements PostgreSQL also refuses inside a function that the check must know about
#      (ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY, ALTER DATABASE ... SET TABLESPACE), and
#      one it must not refuse (REINDEX (CONCURRENTLY false), which PostgreSQL runs in a transaction).
. "$(dirname "$0")/../lib/check.sh"
db=tm_refused
trap 'dropdb --if-exists tm_refused 2>/dev/null' EXIT
createdb "$db"
psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION trovella_migrate" >/dev/null
q() { PGOPTIONS='-c client_min_messages=warning' psql -X -At -d "$db" -c "$1"; }
# run FUNCTION JOURNAL MIGRATIONS: apply, apply_each or plan; prints the error (if any) and SQLSTATE
run() {
  local call
  case $1 in
    apply) call="SELECT applied FROM trovella_migrate.apply(:'j', :'m');" ;;
    apply_each) call="CALL trovella_migrate.apply_each(:'j', :'m');" ;;
    plan) call="SELECT tag || ':' || statement || ':' || in_transaction FROM trovella_migrate.plan(:'j', :'m');" ;;
  esac
  psql -X -q -d "$db" -v j="$2" -v m="$3" 2>&1 <<SQL
SET client_min_messages = warning;
$call
\\echo SQLSTATE=:LAST_ERROR_SQLSTATE
SQL
}
nothing_recorded() {
  test "$(q "SELECT NOT EXISTS (SELECT FROM trovella_migrate.history) AND to_regclass('$1') IS NULL")" = t
}
J='{"entries":[{"idx":0,"when":1,"tag":"0000_first"},{"idx":1,"when":2,"tag":"0001_second"}]}'

# 1. apply_each: the check covers every pending migration before the first commit.
M=$'{"0000_first": "CREATE TABLE rf_first (id int);", "0001_second": "SELECT 1;\\n--> statement-breakpoint\\nCREATE INDEX CONCURRENTLY rf_i ON rf_first (id);\\n--> statement-breakpoint\\nVACUUM rf_first;"}'
out=$(run apply_each "$J" "$M")
check_contains "apply_each: refused before anything runs (0A000)" "SQLSTATE=0A000" "$out"
check_contains "apply_each: both statements are named, with number and line" \
  '"0001_second" statement 2 of 3 (line 3): CREATE INDEX CONCURRENTLY' "$out"
check_contains "apply_each: ... and the second" '"0001_second" statement 3 of 3 (line 5): VACUUM' "$out"
check "apply_each: the first migration was not committed" nothing_recorded rf_first

# 2a. ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY cannot run inside a function either
# ("ALTER TABLE ... DETACH CONCURRENTLY cannot be executed from a function", 25001).
q "CREATE TABLE rf_p (id int) PARTITION BY RANGE (id); CREATE TABLE rf_p1 PARTITION OF rf_p FOR VALUES FROM (0) TO (10)" >/dev/null
M=$'{"0000_first": "CREATE TABLE rf_first (id int);", "0001_second": "SELECT 1;\\n--> statement-breakpoint\\nALTER TABLE rf_p DETACH PARTITION rf_p1 CONCURRENTLY;"}'
out=$(run apply "$J" "$M")
check_contains "DETACH PARTITION CONCURRENTLY: apply() refuses it (0A000)" "SQLSTATE=0A000" "$out"
check_contains "DETACH PARTITION CONCURRENTLY: the error names migration, statement and line" '"0001_second" statement 2 of 2 (line 3)' "$out"
check_contains "DETACH PARTITION CONCURRENTLY: plan() lists its migration outside a transaction" \
  "0001_second:2:false" "$(run plan "$J" "$M")"
out=$(run apply_each "$J" "$M")
check_contains "DETACH PARTITION CONCURRENTLY: apply_each refuses it before anything runs (0A000)" "SQLSTATE=0A000" "$out"
check "DETACH PARTITION CONCURRENTLY: apply_each committed nothing" nothing_recorded rf_first
q "DROP SCHEMA IF EXISTS drizzle CASCADE; DROP TABLE IF EXISTS rf_first; TRUNCATE trovella_migrate.migration_event, trovella_migrate.run" >/dev/null

# 2b. ALTER DATABASE ... SET TABLESPACE ("cannot be executed from a function", 25001).
M=$'{"0000_first": "CREATE TABLE rf_first (id int);", "0001_second": "ALTER DATABASE tm_refused SET TABLESPACE pg_default;"}'
out=$(run apply "$J" "$M")
check_contains "ALTER DATABASE SET TABLESPACE: apply() refuses it (0A000)" "SQLSTATE=0A000" "$out"
check_contains "ALTER DATABASE SET TABLESPACE: the error names migration, statement and line" '"0001_second" statement 1 of 1 (line 1)' "$out"

# 2c. REINDEX (CONCURRENTLY false) is an ordinary REINDEX: PostgreSQL runs it inside a function.
q "DO \$\$ BEGIN CREATE TABLE rf_r (id int PRIMARY KEY); REINDEX (CONCURRENTLY false) TABLE rf_r; DROP TABLE rf_r; END \$\$" >/dev/null
check "REINDEX (CONCURRENTLY false) runs inside a function (PostgreSQL itself)" test $? = 0
M=$'{"0000_first": "CREATE TABLE rf_first (id int PRIMARY KEY);", "0001_second": "REINDEX (CONCURRENTLY false) TABLE rf_first;"}'
out=$(run apply "$J" "$M")
check_contains "REINDEX (CONCURRENTLY false): apply runs it (no refusal)" "SQLSTATE=00000" "$out"
finish
