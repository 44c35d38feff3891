#!/usr/bin/env bash
# One database, both engines (issue 10). A private copy of PostgreSQL without trovella_migrate at
# all (test/lib/private_pg.sh, the extension's files removed) stands for a managed service: a role
# that is no superuser but owns the database (Cloud SQL's postgres user, RDS's master user: LOGIN
# CREATEROLE) migrates it with the client engine. The same data directory is then started with
# the system's PostgreSQL, where the extension is installed; CREATE EXTENSION adopts the client
# engine's history, the extension migrates further, the client engine again (the extension still
# installed), then the extension: `history` shows every migration, with the run and the engine
# that applied it, and no row twice. Then: an extension runner and a client runner at once apply
# each migration exactly once (either holding the lock); a client history that reading could run
# code from is not adopted (a WARNING, the run goes on); a dump and restore adopts nothing twice.
. "$(dirname "$0")/../lib/check.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$root/trovella_migrate.control")
. "$root/test/lib/client.sh"
work=$(mktemp -d /tmp/trovella-engines.XXXXXX); chmod 755 "$work"
cleanup() { stop_server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
unset TROVELLA_ENGINE   # this suite chooses the engine itself, per command

# A PostgreSQL 15 with no trovella_migrate: the copy, without the extension's files.
pg_config=$(bash "$root/test/lib/private_pg.sh" "$work/pg")
rm -f "$("$pg_config" --pkglibdir)"/trovella_migrate* "$("$pg_config" --sharedir)"/extension/trovella_migrate*
rm -rf "$("$pg_config" --pkglibdir)/bitcode/trovella_migrate"*
PG_BIN=$("$pg_config" --bindir)
. "$root/test/lib/server.sh"
start_server || { echo "not ok - cannot start the private server"; finish; exit 1; }
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" "${@:2}" 2>&1; }

# The migrations: examples/migrations, then four more appended to its journal as the suite goes.
m=$work/m
mkdir -p "$m"; cp -r "$root/examples/migrations/." "$m/"; chmod -R a+rX "$m"
add_migration() {  # TAG SQL: appends an entry (one second after the last) and its file
  local last
  last=$(jq '.entries[-1].when' "$m/meta/_journal.json")
  jq --arg tag "$1" --argjson when $((last + 1000)) \
    '.entries += [{idx: (.entries | length), version: "7", when: $when, tag: $tag, breakpoints: true}]' \
    "$m/meta/_journal.json" >"$work/j" && mv "$work/j" "$m/meta/_journal.json"
  printf '%s\n' "$2" >"$m/$1.sql"
}
OUT=$work/out ERR=$work/err
# tm ROLE ARGS...: the client against tm_app as ROLE; RC, $OUT, $ERR
tm() { local role=$1; shift; PGUSER=$role PGDATABASE=tm_app "$CLIENT" "$@" --dir "$m" >"$OUT" 2>"$ERR"; RC=$?; }

sql postgres -c "CREATE ROLE tm_owner LOGIN CREATEROLE" -c "CREATE DATABASE tm_app OWNER tm_owner" >/dev/null
check_contains "this PostgreSQL has no trovella_migrate to install" 'extension "trovella_migrate" is not available' \
  "$(sql tm_app -c "CREATE EXTENSION trovella_migrate")"
check_contains "the database's owner is no superuser" "f|f|t" \
  "$(sql tm_app -c "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'tm_owner'")"

# ---------------------------------------------------------------------------------------------
echo "# 1. the client engine, as the owner, on a PostgreSQL without the extension"
tm tm_owner migrate --to 0003_happy_rhodey
check "client engine: migrate --to 0003 exits 0" test "$RC" = 0
check_contains "client engine: its first line names the engine and why" \
  "Engine: client (trovella_migrate is not installed in the database)" "$(head -1 "$OUT")"
check_contains "client engine: layer 2 passes" "Verified: database has all 4 migrations." "$(cat "$OUT")"
tm tm_owner migrate --to 0005_clumsy_wolfsbane --commit-each
check "client engine: migrate --commit-each --to 0005 exits 0" test "$RC" = 0
tm tm_owner status --json
check "client engine: status --json says engine client and 6 applied, 4 pending" \
  test "$(jq -r '[.engine, .counts.applied, .counts.pending] | join(" ")' "$OUT")" = "client 6 4"
check_contains "client engine: its history belongs to the owner, in ordinary tables" "tm_owner|r|2" \
  "$(sql tm_app -c "SELECT DISTINCT pg_get_userbyid(relowner) || '|' || relkind::text || '|' || count(*) OVER ()
                     FROM pg_class WHERE relnamespace = 'trovella_migrate_history'::regnamespace AND relkind = 'r'")"
check_contains "client engine: two runs, six applied events, each with its duration" "2|6|6" \
  "$(sql tm_app -c "SELECT (SELECT count(*) FROM trovella_migrate_history.run) || '|' || count(*) || '|' || count(duration_ms)
                     FROM trovella_migrate_history.migration_event WHERE action = 'applied'")"

# ---------------------------------------------------------------------------------------------
echo "# 2. the same data directory under the PostgreSQL that has the extension"
stop_pid=$TM_SERVER_PID
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$TM_SERVER_DIR/data" -m fast -w stop >/dev/null
for _ in $(seq 1 50); do kill -0 "$stop_pid" 2>/dev/null || break; sleep 0.1; done
PG_BIN=$(/usr/lib/postgresql/15/bin/pg_config --bindir)
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$TM_SERVER_DIR/data" -l "$TM_SERVER_DIR/server.log" -w \
  -o "-p $TM_PORT -k $TM_SERVER_DIR -c listen_addresses='' -c fsync=off" start >/dev/null
TM_SERVER_PID=$(head -1 "$TM_SERVER_DIR/data/postmaster.pid")
check_contains "CREATE EXTENSION on the client-migrated database" "$version" \
  "$(sql tm_app -c "CREATE EXTENSION trovella_migrate" -c "SELECT extversion FROM pg_extension WHERE extname = 'trovella_migrate'")"
sql tm_app <<'SQL' >/dev/null
GRANT EXECUTE ON FUNCTION trovella_migrate.apply(json, jsonb, jsonb), trovella_migrate.status(json, jsonb, jsonb),
  trovella_migrate.verify(json, jsonb, jsonb) TO tm_owner;
GRANT EXECUTE ON PROCEDURE trovella_migrate.apply_each(json, jsonb, jsonb, integer, integer, integer, integer, boolean, text[], text) TO tm_owner;
GRANT SELECT ON trovella_migrate.history, trovella_migrate.run TO tm_owner;
SQL
history() { sql tm_app -c "SELECT string_agg(tag || ':' || action || ':' || engine, ' ' ORDER BY id) FROM trovella_migrate.history"; }
runs() { sql tm_app -c "SELECT string_agg(function || ':' || engine || ':' || coalesce(source_run_id::text, '-'), ' ' ORDER BY run_id) FROM trovella_migrate.run"; }
check_contains "CREATE EXTENSION adopted the client's history: 6 rows, applied by the client engine" \
  "0000_lying_agent_zero:applied:client 0001_setup_role_grants:applied:client 0002_giant_scarlet_spider:applied:client 0003_happy_rhodey:applied:client 0004_brave_hulkling:applied:client 0005_clumsy_wolfsbane:applied:client" \
  "$(history)"
check_contains "... and its two runs, with their ids in the client's history" "apply:client:1 apply_each:client:2" "$(runs)"
check_contains "... with who applied them and their durations" "6|6" \
  "$(sql tm_app -c "SELECT count(*) FILTER (WHERE applied_by = 'tm_owner') || '|' || count(duration_ms) FROM trovella_migrate.history")"

tm tm_owner migrate --to 0007_tro-101-research-improvements
check "extension engine (auto): migrate --to 0007 as the owner exits 0" test "$RC" = 0
check_contains "auto chose the extension, now installed" "Engine: extension (trovella_migrate $version is installed in the database)" "$(head -1 "$OUT")"

tm tm_owner migrate --to 0008_add-correlation-id-and-embedding-count --engine client
check "client engine again (the extension installed): migrate --to 0008 exits 0" test "$RC" = 0
check_contains "... its first line says it was asked for" "Engine: client (--engine client;" "$(head -1 "$OUT")"
tm tm_owner migrate
check "extension again: migrate the rest exits 0" test "$RC" = 0
check_contains "every migration is in the history once, applied by the engine that ran it" \
  "0000_lying_agent_zero:applied:client 0001_setup_role_grants:applied:client 0002_giant_scarlet_spider:applied:client 0003_happy_rhodey:applied:client 0004_brave_hulkling:applied:client 0005_clumsy_wolfsbane:applied:client 0006_dusty_mojo:applied:extension 0007_tro-101-research-improvements:applied:extension 0008_add-correlation-id-and-embedding-count:applied:client 0009_add-document-chunk-table:applied:extension" \
  "$(history)"
check_contains "every run, in order: client, client, extension, client (adopted), extension" \
  "apply:client:1 apply_each:client:2 apply:extension:- apply:client:3 apply:extension:-" "$(runs)"
check_contains "no client event adopted twice, no tracking row with two applied events" "0|0" \
  "$(sql tm_app -c "SELECT (SELECT count(*) FROM (SELECT source_event_id FROM trovella_migrate.migration_event
                                                   WHERE source_event_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d)
                     || '|' || (SELECT count(*) FROM (SELECT tracking_id FROM trovella_migrate.migration_event
                                                      WHERE action = 'applied' GROUP BY 1 HAVING count(*) > 1) d)")"
tm tm_owner status --engine client --json
check "the client engine's status agrees: 10 applied, 0 pending" \
  test "$(jq -r '[.counts.applied, .counts.pending] | join(" ")' "$OUT")" = "10 0"
tm tm_owner verify
check "the extension's verify agrees (exit 0)" test "$RC" = 0

# ---------------------------------------------------------------------------------------------
echo "# 3. an extension runner and a client runner at the same time"
add_migration 0010_slow "CREATE TABLE slow_t (id int);
--> statement-breakpoint
SELECT pg_sleep(2);"
add_migration 0011_after "CREATE TABLE after_t (id int);"
# race FIRST SECOND TAG: FIRST's engine starts and holds the lock while TAG's pg_sleep runs (the
# extension shows the statement in pg_stat_activity.query, the client in application_name); then
# SECOND's starts and waits for it.
race() {
  tm_bg() { PGUSER=tm_owner PGDATABASE=tm_app "$CLIENT" migrate --dir "$m" --engine "$1" >"$work/$1.out" 2>&1; echo $? >"$work/$1.rc"; }
  tm_bg "$1" & local first=$!
  for _ in $(seq 1 100); do
    [ "$(sql tm_app -c "SELECT count(*) FROM pg_stat_activity
                        WHERE query LIKE '%applying $3 statement 2/2' OR application_name LIKE '%applying $3 statement 2/2'")" = 1 ] && break
    sleep 0.05
  done
  tm_bg "$2" & local second=$!
  wait "$first" "$second"
}
exactly_once() {
  sql tm_app -c "SELECT count(*) || '|' || count(DISTINCT created_at) || '|' || count(DISTINCT hash) FROM drizzle.__drizzle_migrations"
}
race extension client 0010_slow
check "extension holds the lock, client waits: both exit 0" test "$(cat "$work/extension.rc") $(cat "$work/client.rc")" = "0 0"
check_contains "... each migration applied exactly once (12 rows, 12 distinct)" "12|12|12" "$(exactly_once)"
check_contains "... the client said it was waiting for the extension's lock" "waiting for the migration lock on drizzle.__drizzle_migrations" \
  "$(cat "$work/client.out")"
check_contains "... the client, after waiting, found nothing to apply" "Migration state: 12 applied, 12 expected, 0 pending" \
  "$(cat "$work/client.out")"
add_migration 0012_slow_again "CREATE TABLE slow2_t (id int);
--> statement-breakpoint
SELECT pg_sleep(2);"
add_migration 0013_last "CREATE TABLE last_t (id int);"
race client extension 0012_slow_again
check "client holds the lock, extension waits: both exit 0" test "$(cat "$work/client.rc") $(cat "$work/extension.rc")" = "0 0"
check_contains "... each migration applied exactly once (14 rows, 14 distinct)" "14|14|14" "$(exactly_once)"
check_contains "... the extension said it was waiting for the client's lock" "waiting for the migration lock on drizzle.__drizzle_migrations" \
  "$(cat "$work/extension.out")"
check_contains "... the extension, after waiting, found nothing to apply" "Migration state: 14 applied, 14 expected, 0 pending" \
  "$(cat "$work/extension.out")"
check_contains "the history has each of the 14 once" "14|14" \
  "$(sql tm_app -c "SELECT count(*) || '|' || count(DISTINCT tag) FROM trovella_migrate.history")"

# ---------------------------------------------------------------------------------------------
echo "# 4. a client history that reading could run code from is not adopted"
sql tm_app -c "ALTER TABLE trovella_migrate_history.run ENABLE ROW LEVEL SECURITY" >/dev/null
add_migration 0014_with_rls "CREATE TABLE rls_t (id int);"
tm tm_owner migrate
check "extension apply with RLS on the client's run table: exit 0 (the run goes on)" test "$RC" = 0
check_contains "... a WARNING names the table and why" \
  "the client engine's history was not adopted: trovella_migrate_history.run is protected by row level security" "$(cat "$ERR")"
sql tm_app -c "ALTER TABLE trovella_migrate_history.run DISABLE ROW LEVEL SECURITY" \
  -c "ALTER TABLE trovella_migrate_history.migration_event ALTER COLUMN tag TYPE varchar" >/dev/null
check_contains "a column of another type: the same refusal, naming it" \
  "trovella_migrate_history.migration_event is missing columns the client engine creates, or has them with other types" \
  "$(sql tm_app -c "SELECT trovella_migrate.adopt_client_history()")"
sql tm_app -c "ALTER TABLE trovella_migrate_history.migration_event ALTER COLUMN tag TYPE text" >/dev/null
check_contains "the tables fixed: nothing left to adopt, nothing adopted twice" "0|15|15" \
  "$(sql tm_app -c "SELECT trovella_migrate.adopt_client_history() || '|' || count(*) || '|' || count(DISTINCT tag) FROM trovella_migrate.history")"
check_contains "adopt_client_history() is not for PUBLIC" "permission denied for function adopt_client_history" \
  "$(sql tm_app -c "SET ROLE tm_owner" -c "SELECT trovella_migrate.adopt_client_history()")"

# ---------------------------------------------------------------------------------------------
echo "# 5. dump and restore"
runs_before=$(sql tm_app -c "SELECT count(*) FROM trovella_migrate.run")
"$PG_BIN/pg_dump" -Fc -d tm_app -f "$work/tm_app.dump"
sql postgres -c "CREATE DATABASE tm_restored OWNER tm_owner" >/dev/null
"$PG_BIN/pg_restore" -d tm_restored "$work/tm_app.dump" 2>"$work/restore.err"
check "pg_restore exits cleanly" test ! -s "$work/restore.err"
sed 's/^/#   /' "$work/restore.err" | head -5
check_contains "the restored history has every run once" "$runs_before|15" \
  "$(sql tm_restored -c "SELECT (SELECT count(*) FROM trovella_migrate.run) || '|' || count(*) FROM trovella_migrate.history")"
PGUSER=tm_owner PGDATABASE=tm_restored "$CLIENT" migrate --dir "$m" >"$OUT" 2>"$ERR"
check "a no-op apply on the restored database exits 0" test $? = 0
check_contains "... and adopts nothing again" "$runs_before|15" \
  "$(sql tm_restored -c "SELECT (SELECT count(*) FROM trovella_migrate.run) || '|' || count(*) FROM trovella_migrate.history")"
finish
