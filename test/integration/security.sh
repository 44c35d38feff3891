#!/usr/bin/env bash
# Security (DESIGN section 8), played by hostile roles that hold only the grants the README gives
# them, against a superuser who later reads the history or applies migrations:
#  - reading history, status or verify never runs code chosen by another role;
#  - a tracking table must be an ordinary, permanent table;
#  - code attached to a tracking table owned by another role (triggers, column defaults, row
#    security policies) runs as that owner under a security-restricted operation, never with the
#    caller's privileges;
#  - the README's grant sets for a migrator and a read-only DBA work exactly as written;
#  - distinct SQLSTATEs for "permission denied" (42501, with the GRANT to run) and "the history
#    disagrees" (55000).
. "$(dirname "$0")/../lib/check.sh"
db=tm_security
export PGOPTIONS="-c client_min_messages=warning"
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null
  for r in tm_sec_migrator tm_sec_dba tm_sec_owner tm_sec_other; do
    psql -X -q -d postgres -c "DROP OWNED BY $r CASCADE" 2>/dev/null
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" 2>/dev/null
  done
}
cleanup
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
createdb "$db"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@" 2>&1; }
# as ROLE SQL...: runs SQL as ROLE (SET ROLE from the superuser session), verbose errors.
as() {
  local role=$1; shift
  [ $# -gt 0 ] || set -- -f -  # SQL on stdin
  psql -X -q -At -v VERBOSITY=verbose -v ON_ERROR_STOP=1 -d "$db" -c "SET ROLE $role" "$@" 2>&1
}
is_superuser() { [ "$(sql -c "SELECT rolsuper FROM pg_roles WHERE rolname = '$1'")" = t ]; }
not_superuser() { ! is_superuser "$1"; }

sql -c "CREATE EXTENSION trovella_migrate" >/dev/null
sql <<SQL >/dev/null
CREATE ROLE tm_sec_migrator;
CREATE ROLE tm_sec_dba;
CREATE ROLE tm_sec_owner;
CREATE ROLE tm_sec_other;
GRANT CREATE ON DATABASE $db TO tm_sec_migrator, tm_sec_owner;
-- What the migrations themselves need (PostgreSQL 15 gives PUBLIC no CREATE on schema public).
GRANT CREATE ON SCHEMA public TO tm_sec_migrator;
-- The README's grant set for a migrator, verbatim.
GRANT EXECUTE ON FUNCTION trovella_migrate.apply(json, jsonb, jsonb),
                          trovella_migrate.plan(json, jsonb, jsonb),
                          trovella_migrate.baseline(json, jsonb, text, jsonb),
                          trovella_migrate.repair(json, jsonb, text, jsonb) TO tm_sec_migrator;
GRANT EXECUTE ON PROCEDURE trovella_migrate.apply_each TO tm_sec_migrator;
GRANT EXECUTE ON FUNCTION trovella_migrate.status(json, jsonb, jsonb),
                          trovella_migrate.verify(json, jsonb, jsonb) TO tm_sec_migrator, tm_sec_dba;
GRANT SELECT ON trovella_migrate.history TO tm_sec_dba;
SQL
check "README grant set for a migrator applies as written" test $? = 0

j1='{"entries":[{"idx":0,"when":1,"tag":"0000_a"}]}'
m1='{"0000_a":"CREATE TABLE IF NOT EXISTS sec_a (id int);"}'
j2='{"entries":[{"idx":0,"when":1,"tag":"0000_a"},{"idx":1,"when":2,"tag":"0001_b"}]}'
m2='{"0000_a":"CREATE TABLE IF NOT EXISTS sec_a (id int);","0001_b":"CREATE TABLE sec_b (id int);"}'

# --- Item 1: the history view never reads a relation named by a caller. ---------------------
# The migrator uses a tracking table of its own choosing, then replaces it with a view whose
# WHERE clause calls its own function: whoever reads that view runs the function.
out=$(as tm_sec_migrator -c "SELECT applied FROM trovella_migrate.apply('$j1', '$m1', '{\"migrations_schema\": \"tm_sec_trk\"}')")
check "a migrator can use its own tracking table" test "$out" = 1
as tm_sec_migrator <<'SQL'
CREATE FUNCTION public.tm_sec_escalate() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE 'ALTER ROLE tm_sec_migrator SUPERUSER';
  EXCEPTION WHEN insufficient_privilege THEN NULL;
  END;
  RETURN true;
END $$;
ALTER TABLE tm_sec_trk.__drizzle_migrations RENAME TO real_rows;
CREATE VIEW tm_sec_trk.__drizzle_migrations AS
  SELECT id, hash, created_at FROM tm_sec_trk.real_rows WHERE public.tm_sec_escalate();
SQL
check "the migrator is not a superuser before" not_superuser tm_sec_migrator
out=$(sql -c "SELECT tracking_table, id, tag FROM trovella_migrate.history ORDER BY tracking_table, id")
check_contains "history shows the migrator's row from the extension's own record" 'tm_sec_trk.__drizzle_migrations|1|0000_a' "$out"
if is_superuser tm_sec_migrator; then
  check "a superuser reading history does not run the migrator's code" false
  sql -c "ALTER ROLE tm_sec_migrator NOSUPERUSER" >/dev/null
else
  check "a superuser reading history does not run the migrator's code" true
fi
# status and verify as a superuser on that relation: refused, nothing of it runs.
out=$(sql -v VERBOSITY=verbose -c "SELECT * FROM trovella_migrate.status('$j1', NULL, '{\"migrations_schema\": \"tm_sec_trk\"}')")
check_contains "status refuses a view as tracking table (42809)" 'ERROR:  42809: tracking table tm_sec_trk.__drizzle_migrations is a view, not an ordinary table' "$out"
out=$(sql -c "SELECT * FROM trovella_migrate.verify('$j1', NULL, '{\"migrations_schema\": \"tm_sec_trk\"}')")
check_contains "verify refuses a view as tracking table" 'is a view, not an ordinary table' "$out"
out=$(as tm_sec_migrator -c "SELECT * FROM trovella_migrate.apply('$j2', '$m2', '{\"migrations_schema\": \"tm_sec_trk\"}')")
check_contains "apply refuses a view as tracking table" 'is a view, not an ordinary table' "$out"
check "no code of the migrator ran as the superuser" not_superuser tm_sec_migrator

# Other kinds of relation are refused too, each named.
sql <<'SQL' >/dev/null
CREATE SCHEMA tm_kinds;
CREATE TABLE tm_kinds.parted (id int, hash text NOT NULL, created_at bigint) PARTITION BY RANGE (id);
CREATE FOREIGN DATA WRAPPER tm_fdw;
CREATE SERVER tm_srv FOREIGN DATA WRAPPER tm_fdw;
CREATE FOREIGN TABLE tm_kinds.foreign_rows (id int, hash text, created_at bigint) SERVER tm_srv;
CREATE MATERIALIZED VIEW tm_kinds.matview AS SELECT 1 AS id, 'x'::text AS hash, 1::bigint AS created_at;
CREATE SEQUENCE tm_kinds.seq;
SQL
for kind in "parted:a partitioned table" "foreign_rows:a foreign table" "matview:a materialized view" "seq:a sequence"; do
  name=${kind%%:*}; what=${kind#*:}
  out=$(sql -c "SELECT * FROM trovella_migrate.apply('$j1', '$m1', '{\"migrations_schema\": \"tm_kinds\", \"migrations_table\": \"$name\"}')")
  check_contains "apply refuses $what as tracking table" "tracking table tm_kinds.$name is $what, not an ordinary table" "$out"
done
# A temporary tracking table (the caller's pg_temp schema) would break history for everyone.
out=$(as tm_sec_migrator -c "CREATE TEMP TABLE x (i int)" \
  -c "SELECT * FROM trovella_migrate.apply('$j1', '$m1', json_build_object('migrations_schema', pg_my_temp_schema()::regnamespace::text)::jsonb)")
check_contains "apply refuses a temporary schema as tracking schema" 'is a temporary schema: the tracking table must be a permanent table' "$out"
out=$(sql -c "CREATE TEMP TABLE __drizzle_migrations (id serial, hash text NOT NULL, created_at bigint)" \
  -c "SELECT * FROM trovella_migrate.status('$j1', NULL, json_build_object('migrations_schema', pg_my_temp_schema()::regnamespace::text)::jsonb)")
check_contains "status refuses a temporary tracking table" 'is a temporary schema: the tracking table must be a permanent table' "$out"
out=$(sql -c "SELECT * FROM trovella_migrate.apply('$j1', '$m1', '{\"migrations_schema\": \"pg_temp\"}')")
check_contains "apply refuses pg_temp as tracking schema" 'is a temporary schema: the tracking table must be a permanent table' "$out"
out=$(sql -c "SELECT count(*) FROM trovella_migrate.history")
check "history still reads for everyone" test "$out" -ge 1

# --- Item 2: a tracking table owned by a less-privileged role. ------------------------------
# The owner attaches a trigger, a column default and a row security policy that try to escalate
# and record who they ran as; a superuser then applies, checks status, repairs.
sql <<'SQL' >/dev/null
CREATE SCHEMA tm_owned AUTHORIZATION tm_sec_owner;
SET ROLE tm_sec_owner;
CREATE TABLE tm_owned.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
CREATE TABLE tm_owned.ran_as (what text, who name, restricted boolean);
GRANT INSERT ON tm_owned.ran_as TO PUBLIC;
CREATE FUNCTION tm_owned.attempt(what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE 'ALTER ROLE tm_sec_owner SUPERUSER';
  EXCEPTION WHEN insufficient_privilege THEN NULL;
  END;
  INSERT INTO tm_owned.ran_as VALUES (what, current_user, NULL);
  RETURN true;
END $$;
CREATE FUNCTION tm_owned.on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM tm_owned.attempt(TG_OP || ' trigger'); RETURN NEW; END $$;
CREATE TRIGGER escalate BEFORE INSERT OR UPDATE ON tm_owned.__drizzle_migrations
  FOR EACH ROW EXECUTE FUNCTION tm_owned.on_insert();
CREATE FUNCTION tm_owned.next_id() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN PERFORM tm_owned.attempt('default'); RETURN nextval('tm_owned.__drizzle_migrations_id_seq'); END $$;
ALTER TABLE tm_owned.__drizzle_migrations ALTER COLUMN id SET DEFAULT tm_owned.next_id();
ALTER TABLE tm_owned.__drizzle_migrations ENABLE ROW LEVEL SECURITY;
ALTER TABLE tm_owned.__drizzle_migrations FORCE ROW LEVEL SECURITY;
CREATE POLICY everything ON tm_owned.__drizzle_migrations USING (tm_owned.attempt('policy')) WITH CHECK (true);
GRANT USAGE ON SCHEMA tm_owned TO tm_sec_dba;
GRANT SELECT ON tm_owned.__drizzle_migrations TO tm_sec_dba;
RESET ROLE;
SQL
out=$(sql -c "SELECT applied FROM trovella_migrate.apply('$j1', '$m1', '{\"migrations_schema\": \"tm_owned\"}')")
check "a superuser applies into a table another role owns" test "$out" = 1
check "the owner's trigger did not make its owner a superuser" not_superuser tm_sec_owner
out=$(sql -c "SELECT DISTINCT what || ' as ' || who FROM tm_owned.ran_as ORDER BY 1")
check_contains "the trigger ran as the table's owner" "INSERT trigger as tm_sec_owner" "$out"
check_contains "the column default ran as the table's owner" "default as tm_sec_owner" "$out"
check_contains "the row security policy ran as the table's owner" "policy as tm_sec_owner" "$out"
check "no code of the owner ran as the superuser" test "$(sql -c "SELECT count(*) FROM tm_owned.ran_as WHERE who <> 'tm_sec_owner'")" = 0
# The operation is security-restricted: the owner's code cannot, e.g., change the session's role.
sql -c "CREATE OR REPLACE FUNCTION tm_owned.on_insert() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN EXECUTE 'SET ROLE tm_sec_owner'; RETURN NEW; END \$\$" >/dev/null
out=$(sql -c "SELECT * FROM trovella_migrate.apply('$j2', '$m2', '{\"migrations_schema\": \"tm_owned\"}')")
check_contains "the owner's trigger runs as a security-restricted operation" "cannot set parameter \"role\" within security-restricted operation" "$out"
check "the failed apply left nothing behind" test "$(sql -c "SELECT count(*) FROM tm_owned.__drizzle_migrations")" = 1
sql -c "CREATE OR REPLACE FUNCTION tm_owned.on_insert() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN PERFORM tm_owned.attempt(TG_OP || ' trigger'); RETURN NEW; END \$\$" >/dev/null
sql -c "TRUNCATE tm_owned.ran_as" >/dev/null
# status as the DBA (who holds SELECT on that table): the policy runs as the owner, not the DBA.
out=$(as tm_sec_dba -c "SELECT tag || ':' || state FROM trovella_migrate.status('$j1', NULL, '{\"migrations_schema\": \"tm_owned\"}')")
check_contains "the DBA reads status of a table another role owns" "0000_a:applied" "$out"
check "reading status ran no code as the DBA" test "$(sql -c "SELECT count(*) FROM tm_owned.ran_as WHERE who <> 'tm_sec_owner'")" = 0
check "reading status ran the policy as the owner" test "$(sql -c "SELECT count(*) FROM tm_owned.ran_as WHERE who = 'tm_sec_owner'")" -ge 1
# The caller's own rights still decide: a role without SELECT on the tracking table is refused.
out=$(as tm_sec_other -c "SELECT * FROM trovella_migrate.verify('$j1', NULL, '{\"migrations_schema\": \"tm_owned\"}')")
check_contains "no EXECUTE: PostgreSQL's own 42501" "42501: permission denied for function verify" "$out"
sql -c "GRANT EXECUTE ON FUNCTION trovella_migrate.verify(json, jsonb, jsonb), trovella_migrate.apply(json, jsonb, jsonb) TO tm_sec_other" >/dev/null
out=$(as tm_sec_other -c "SELECT * FROM trovella_migrate.verify('$j1', NULL, '{\"migrations_schema\": \"tm_owned\"}')")
check_contains "no SELECT on the tracking table: 42501 naming it" "ERROR:  42501: permission denied for tracking table tm_owned.__drizzle_migrations: verify() needs USAGE on schema tm_owned and SELECT on the table" "$out"
check_contains "the hint gives the GRANT to run" 'GRANT USAGE ON SCHEMA tm_owned TO tm_sec_other; GRANT SELECT ON tm_owned.__drizzle_migrations TO tm_sec_other;' "$out"
sql -c "GRANT USAGE ON SCHEMA tm_owned TO tm_sec_other; GRANT SELECT ON tm_owned.__drizzle_migrations TO tm_sec_other" >/dev/null
out=$(as tm_sec_other -c "SELECT * FROM trovella_migrate.apply('$j2', '$m2', '{\"migrations_schema\": \"tm_owned\"}')")
check_contains "no INSERT on the tracking table: apply refused with the GRANT" 'GRANT INSERT ON tm_owned.__drizzle_migrations TO tm_sec_other;' "$out"
check "the refused apply ran no migration" test "$(sql -c "SELECT count(*) FROM pg_tables WHERE tablename = 'sec_b'")" = 0
# Drizzle 1.x's upgrade of that table (ALTER TABLE, then an UPDATE that fires the owner's trigger)
# runs as its owner under the same security-restricted operation.
sql -c "TRUNCATE tm_owned.ran_as" >/dev/null
v1='{"19700101000000_a":"CREATE TABLE IF NOT EXISTS sec_a (id int);"}'
out=$(sql -c "SELECT applied, verified FROM trovella_migrate.apply(NULL, '$v1', '{\"migrations_schema\": \"tm_owned\"}')")
check "a superuser applies a Drizzle 1.x folder to the owner's version-0 table: upgraded (0 applied, verified)" test \
  "$out|$(sql -c "SELECT string_agg(name, ',') FROM tm_owned.__drizzle_migrations")" = "0|t|19700101000000_a"
check "the upgrade's UPDATE fired the owner's trigger as the owner" test \
  "$(sql -c "SELECT count(*) FROM tm_owned.ran_as WHERE what = 'UPDATE trigger' AND who = 'tm_sec_owner'")" -ge 1
check "... no code of the owner ran as the superuser, nor made the owner one" test \
  "$(sql -c "SELECT count(*) FROM tm_owned.ran_as WHERE who <> 'tm_sec_owner'")$(is_superuser tm_sec_owner && echo super)" = 0
check "... and the table still belongs to its owner" test \
  "$(sql -c "SELECT relowner::regrole FROM pg_class WHERE oid = 'tm_owned.__drizzle_migrations'::regclass")" = tm_sec_owner

# --- Item 5: the README's read-only DBA grant set works as written. -------------------------
# The tracking table exists once the first migration ran; then the DBA's grants, verbatim.
sql -c "SELECT applied FROM trovella_migrate.apply('$j2', '$m2')" >/dev/null
sql <<'SQL' >/dev/null
GRANT EXECUTE ON FUNCTION trovella_migrate.status(json, jsonb, jsonb),
                          trovella_migrate.verify(json, jsonb, jsonb) TO tm_sec_dba;
GRANT SELECT ON trovella_migrate.history TO tm_sec_dba;
GRANT USAGE ON SCHEMA drizzle TO tm_sec_dba;
GRANT SELECT ON drizzle.__drizzle_migrations TO tm_sec_dba;
SQL
check "README grant set for a DBA applies as written" test $? = 0
out=$(as tm_sec_dba -c "SELECT count(*) FROM trovella_migrate.history WHERE tag LIKE '%0001_b%'")
check_contains "the DBA reads history (the wiki's LIKE query)" "1" "$out"
out=$(as tm_sec_dba -c "SELECT string_agg(tag || ':' || state, ',') FROM trovella_migrate.status('$j2')")
check_contains "the DBA reads status" "0000_a:applied,0001_b:applied" "$out"
out=$(as tm_sec_dba -c "SELECT ok FROM trovella_migrate.verify('$j2')")
check_contains "the DBA runs verify" "t" "$out"
out=$(as tm_sec_dba -c "SELECT * FROM trovella_migrate.apply('$j2', '$m2')")
check_contains "the DBA cannot apply" "permission denied for function apply" "$out"
out=$(as tm_sec_dba -c "SELECT count(*) FROM trovella_migrate.migration_event")
check_contains "the DBA cannot read the history tables directly" "permission denied for table migration_event" "$out"
out=$(as tm_sec_migrator -c "SELECT count(*) FROM trovella_migrate.history")
check_contains "the migrator cannot read history without the DBA grant" "permission denied for view history" "$out"
out=$(as tm_sec_migrator -c "INSERT INTO trovella_migrate.migration_event (run_id, action, tracking_schema, tracking_table, tag, hash, created_at, applied_by) VALUES (1, 'applied', 'drizzle', '__drizzle_migrations', 'forged', 'x', 9, 'me')")
check_contains "the migrator cannot forge history" "permission denied for table migration_event" "$out"

# The README's migrator grant set: a fresh database migrated end to end by the migrator alone
# (plus what its own migrations need: CREATE on schema public, granted above).
sql -c "DROP SCHEMA drizzle CASCADE" -c "DROP TABLE sec_a, sec_b" >/dev/null
out=$(as tm_sec_migrator -c "SELECT applied, verified FROM trovella_migrate.apply('$j2', '$m2')")
check_contains "the migrator applies with the README's grants" "2|t" "$out"
out=$(as tm_sec_migrator -c "SELECT count(*) FROM trovella_migrate.status('$j2') WHERE state = 'applied'")
check_contains "the migrator reads status of its own table" "2" "$out"
finish
