#!/usr/bin/env bash
# shellcheck disable=SC2016  # the migration texts below hold $ on purpose
# The client's contract beyond test/client/run.sh (issue 8), as a black box against a throwaway
# server: migrate --commit-each and --to, baseline --through, repair TAG, exit 5 (read-only
# session, isolation level, role without EXECUTE) next to exit 4 (a statement denied), live
# progress, a lost connection, Ctrl-C, passwords never printed, malformed connection strings,
# --version, per-command --help, the same output and exit codes under a translated lc_messages,
# and the README's npm scripts and CI step run as written from a fresh login shell.
#
#   test/client/contract.sh   (as root; the extension and the client installed: make && make install;
#                              the de_DE.UTF-8 locale generated: scripts/setup does both)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

SIMPLE=$TMP/simple
journal "$SIMPLE" 0000_first 0001_second 0002_third
printf 'CREATE TABLE first_t (id int);\n--> statement-breakpoint\nINSERT INTO first_t VALUES (1);\n' >"$SIMPLE/0000_first.sql"
printf 'CREATE TABLE second_t (id int);\n' >"$SIMPLE/0001_second.sql"
printf 'CREATE TABLE third_t (id int);\n' >"$SIMPLE/0002_third.sql"
not() { ! "$@"; }
table_exists() { [[ $(sql "$1" "SELECT to_regclass('$2') IS NOT NULL") == t ]]; }
no_table() { ! table_exists "$@"; }

# ---------------------------------------------------------------------------------------------
echo "# migrate --commit-each"
new_db each
export PGDATABASE=$DB
EACH=$TMP/each
cp -r "$SIMPLE" "$EACH"
printf 'CREATE TABLE second_t (id int);\n--> statement-breakpoint\nSELECT * FROM missing_t;\n' >"$EACH/0001_second.sql"
tm migrate --dir "$EACH" --commit-each
check "--commit-each, 0001 fails: exit 4" rc_is 4
check "--commit-each: the migration and statement are named" err_has 'migration "0001_second", statement 2 of 2'
check "--commit-each: says the ones before it stay applied" err_has "the migrations before it stay applied"
check "--commit-each: 0000 stays applied, 0001 rolled back" test "$(rows_in "$DB")/$(table_exists "$DB" second_t && echo y)" = "1/"
cp "$SIMPLE/0001_second.sql" "$EACH/"
tm migrate --dir "$EACH" --commit-each --json
check "--commit-each after the fix: exit 0, the other two applied" \
    json_true '.exit_code == 0 and .commit_each == true and .applied == 2 and .applied_tags == ["0001_second", "0002_third"]'
check "--commit-each --json: one result per migration with its statements and duration (numbers), and the run id" \
    json_true '(.migrations | map(.tag)) == ["0001_second", "0002_third"] and (.migrations | map(.idx)) == [1, 2]
               and ([.migrations[].duration_ms | type] | unique) == ["number"]
               and ([.migrations[].statements | type] | unique) == ["number"] and (.run_id | type) == "number"'
check "--commit-each: layer 2 passes" json_true '.verify.verified == true and .verify.expected == 3 and .verify.actual == 3'
tm migrate --dir "$EACH" --commit-each --single-transaction
check "--commit-each with --single-transaction: exit 2 naming both" \
    test "$RC" = 2 -a -n "$(grep -F -- '--commit-each and --single-transaction exclude each other' "$TMP/err")"
new_db single
PGDATABASE=$DB tm migrate --dir "$SIMPLE" --single-transaction
check "--single-transaction (the default behaviour): exit 0, all applied" test "$RC/$(rows_in "$DB")" = "0/3"

# ---------------------------------------------------------------------------------------------
echo "# migrate --to TAG"
new_db to
export PGDATABASE=$DB
tm migrate --dir "$SIMPLE" --to 0001_second
check "--to 0001_second: exit 0, two applied" test "$RC/$(rows_in "$DB")" = "0/2"
check "--to: 0002_third did not run" no_table "$DB" third_t
check "--to: layer 2 says it compared against the journal up to the tag" \
    out_has "Layer 2 verification (journal up to 0001_second): journal has 2 migrations, database has 2: ok"
check "--to: no orphan warning for the files after the tag" test ! -s "$TMP/err"
tm status --dir "$SIMPLE"
check "--to: status then shows 0002_third pending" test "$RC" = 1 -a -n "$(grep '0002_third  *pending' "$TMP/out")"
tm migrate --dir "$SIMPLE" --to 0000_first
check "--to an earlier tag while a later one is applied: exit 1" rc_is 1
check "--to an earlier tag: names the later applied migration" \
    err_has '--to "0000_first": 1 later migration is already applied ("0001_second"); nothing was applied'
tm migrate --dir "$SIMPLE" --to 0009_nope
check "--to an unknown tag: exit 2 naming it" test "$RC" = 2 -a -n "$(grep -F -- '--to: unknown tag "0009_nope"' "$TMP/err")"
tm migrate --dir "$SIMPLE" --to 0002_third --json
check "--to the last tag: exit 0, applies the rest; the JSON says which journal layer 2 used" \
    json_true '.exit_code == 0 and .to == "0002_third" and .applied_tags == ["0002_third"] and .verify.journal == "up to 0002_third"'
tm migrate --dir "$SIMPLE" --to
check "--to without a tag: exit 2" test "$RC" = 2 -a -n "$(grep -F 'option --to needs a value' "$TMP/err")"

# ---------------------------------------------------------------------------------------------
echo "# baseline --through TAG"
new_db baseline
export PGDATABASE=$DB
tm baseline --dir "$SIMPLE" --through 0001_second
check "baseline --through 0001_second: exit 0" rc_is 0
check "baseline: the extension's message" out_has "Baselined 2 migrations through 0001_second without running them."
check "baseline: two tracking rows with the files' hashes" same_hash "$DB" 1 "$SIMPLE/0001_second.sql"
check "baseline: nothing ran" no_table "$DB" first_t
tm migrate --dir "$SIMPLE"
check "after baseline, migrate runs only 0002_third" test "$RC/$(rows_in "$DB")/$(table_exists "$DB" third_t && echo y)" = "0/3/y"
EDITED=$TMP/edited
cp -r "$SIMPLE" "$EDITED"
printf -- '-- edited\n' >>"$EDITED/0000_first.sql"
tm baseline --dir "$EDITED" --through 0000_first --json
check "baseline with an edited applied file: refused (exit 1, SQLSTATE 55000), nothing changed" \
    json_true '.exit_code == 1 and .error.sqlstate == "55000" and .summary == "baseline refused: nothing was changed"'
tm baseline --dir "$SIMPLE" --through nope
check "baseline --through an unknown tag: exit 2 naming it" \
    test "$RC" = 2 -a -n "$(grep -F -- '--through: unknown tag "nope"' "$TMP/err")"
tm baseline --dir "$SIMPLE"
check "baseline without --through: exit 2" test "$RC" = 2 -a -n "$(grep -F 'baseline needs --through TAG' "$TMP/err")"
new_db baseline_json
PGDATABASE=$DB tm baseline --dir "$SIMPLE" --through 0000_first --json
check "baseline --json: the recorded entries" \
    json_true '.exit_code == 0 and .baselined == [{"idx": 0, "tag": "0000_first", "created_at": 1700000000000, "hash": .baselined[0].hash}] and (.baselined[0].hash | length) == 64'

# ---------------------------------------------------------------------------------------------
echo "# repair TAG"
new_db repair
export PGDATABASE=$DB
REP=$TMP/repair
cp -r "$SIMPLE" "$REP"
tm migrate --dir "$REP"
printf -- '-- reviewed\nCREATE TABLE second_t (id int);\n' >"$REP/0001_second.sql"
tm migrate --dir "$REP"
check "an edited applied file: migrate exits 1" rc_is 1
check "an edited applied file: the client names its flag and repair" err_has "trovella-migrate repair TAG records an edit made on purpose"
tm repair 0001_second --dir "$REP"
check "repair 0001_second: exit 0 with the extension's message" test "$RC" = 0 -a -n "$(grep -F 'Repaired 0001_second' "$TMP/out")"
check "repair: the new hash is recorded" same_hash "$DB" 1 "$REP/0001_second.sql"
tm migrate --dir "$REP"
check "after repair, migrate passes" rc_is 0
tm repair nope --dir "$REP"
check "repair an unknown tag: exit 2 naming it" test "$RC" = 2 -a -n "$(grep -F 'repair: unknown tag "nope"' "$TMP/err")"
tm repair --dir "$REP"
check "repair without a tag: exit 2" rc_is 2
new_db repair_pending
PGDATABASE=$DB tm repair 0000_first --dir "$REP" --json
check "repair of a pending migration: exit 1 with the extension's reason" \
    json_true '.exit_code == 1 and (.error.message | contains("cannot repair \"0000_first\": it is not applied"))'

# ---------------------------------------------------------------------------------------------
echo "# exit 5: this session cannot migrate"
new_db readonly
export PGDATABASE=$DB
PGOPTIONS="-c default_transaction_read_only=on" tm migrate --dir "$SIMPLE"
check "read-only session: migrate exits 5" rc_is 5
check "read-only session: says read-only, not 'does not match the journal'" \
    test -n "$(grep -F 'this session cannot migrate: its transactions are read-only' "$TMP/err")" -a -z "$(grep -F 'does not match' "$TMP/err")"
check "read-only session: nothing applied" test "$(rows_in "$DB")" = none
PGOPTIONS="-c default_transaction_read_only=on" tm migrate --dir "$SIMPLE" --json
check "read-only session --json: sqlstate 25006, exit 5" json_true '.exit_code == 5 and .error.sqlstate == "25006"'
sql "$DB" "CREATE ROLE tm_reader LOGIN; ALTER ROLE tm_reader SET default_transaction_read_only = on;
           GRANT EXECUTE ON FUNCTION trovella_migrate.apply(json, jsonb, jsonb), trovella_migrate.baseline(json, jsonb, text, jsonb),
                 trovella_migrate.status(json, jsonb, jsonb) TO tm_reader" >/dev/null
PGUSER=tm_reader tm baseline --dir "$SIMPLE" --through 0000_first
check "ALTER ROLE ... SET default_transaction_read_only: baseline exits 5" test "$RC" = 5 -a -n "$(grep -F 'read-only' "$TMP/err")"
PGUSER=tm_reader tm status --dir "$SIMPLE"
check "a read-only session may still read: status exits 1 (pending), not 5" rc_is 1
PGOPTIONS="-c default_transaction_isolation=serializable" tm migrate --dir "$SIMPLE"
check "SERIALIZABLE session: exit 5 naming the isolation level" \
    test "$RC" = 5 -a -n "$(grep -F 'its isolation level is serializable' "$TMP/err")"

sql "$DB" "CREATE ROLE tm_noexec LOGIN" >/dev/null
# The client engine needs no EXECUTE: the extension engine's refusals, asked for by name.
PGUSER=tm_noexec tm migrate --dir "$SIMPLE" --engine extension
check "role without EXECUTE on apply: exit 5" rc_is 5
check "role without EXECUTE: PostgreSQL's error" err_has "permission denied for function apply"
check "role without EXECUTE: the GRANT to run" err_has "GRANT EXECUTE ON FUNCTION trovella_migrate.apply(json, jsonb, jsonb) TO tm_noexec;"
PGUSER=tm_noexec tm migrate --dir "$SIMPLE" --commit-each --json --engine extension
check "role without EXECUTE on apply_each: the GRANT ON PROCEDURE" \
    json_true '.exit_code == 5 and .error.sqlstate == "42501" and (.error.hint | contains("GRANT EXECUTE ON PROCEDURE trovella_migrate.apply_each(json, jsonb, jsonb, "))'
PGUSER=tm_noexec tm status --dir "$SIMPLE" --engine extension
check "role without EXECUTE on status: exit 5 with its GRANT" \
    test "$RC" = 5 -a -n "$(grep -F 'GRANT EXECUTE ON FUNCTION trovella_migrate.status(json, jsonb, jsonb) TO tm_noexec;' "$TMP/err")"
# A migration statement denied is a failed migration (exit 4), not a session that cannot migrate.
# The client engine's history schema, which a client-engine run made as the superuser: the
# client engine refuses, before anything runs, a role that may not write it (exit 5, the GRANT).
sql "$DB" "CREATE SCHEMA IF NOT EXISTS trovella_migrate_history; GRANT CREATE ON DATABASE \"$DB\" TO tm_noexec" >/dev/null
PGUSER=tm_noexec tm migrate --dir "$SIMPLE" --engine client
check "client engine, a role that may not keep the history: exit 5 naming the GRANT, nothing applied" \
    test "$RC" = 5 -a -n "$(grep -F 'permission denied for the client engine'"'"'s history (schema trovella_migrate_history)' "$TMP/err")" \
         -a -n "$(grep -E 'GRANT USAGE(, CREATE)? ON SCHEMA trovella_migrate_history TO tm_noexec;' "$TMP/err")" \
         -a "$(rows_in "$DB")" = none
sql "$DB" "CREATE SCHEMA locked; GRANT EXECUTE ON FUNCTION trovella_migrate.apply(json, jsonb, jsonb),
           trovella_migrate.verify(json, jsonb, jsonb) TO tm_noexec; GRANT CREATE ON DATABASE \"$DB\" TO tm_noexec;
           GRANT USAGE, CREATE ON SCHEMA trovella_migrate_history TO tm_noexec;
           GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA trovella_migrate_history TO tm_noexec" >/dev/null
DENIED=$TMP/denied
journal "$DENIED" 0000_denied
printf 'CREATE TABLE locked.t (id int);\n' >"$DENIED/0000_denied.sql"
PGUSER=tm_noexec tm migrate --dir "$DENIED"
check "permission denied inside a migration statement: exit 4 (the statement failed), no GRANT printed" \
    test "$RC" = 4 -a -n "$(grep -F 'permission denied for schema locked' "$TMP/err")" -a -z "$(grep -F 'GRANT' "$TMP/err")"
sql "$DB" "DROP SCHEMA locked; DROP SCHEMA IF EXISTS drizzle CASCADE" >/dev/null
# A role that may not create the tracking table: refused before anything runs, naming the GRANT
# (the same check in both engines; the extension's apply() creates it as the caller, as Drizzle does).
new_db nocreate
sql "$DB" "DO \$\$ BEGIN CREATE ROLE tm_nocreate LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$;
           REVOKE CREATE ON DATABASE \"$DB\" FROM PUBLIC;
           GRANT EXECUTE ON FUNCTION trovella_migrate.apply(json, jsonb, jsonb) TO tm_nocreate" >/dev/null
PGDATABASE=$DB PGUSER=tm_nocreate tm migrate --dir "$SIMPLE"
check "a role that may not create schema drizzle: exit 5, the GRANT ON DATABASE, nothing applied" \
    test "$RC" = 5 -a -n "$(grep -F 'permission denied to create tracking table drizzle.__drizzle_migrations: tm_nocreate may not create schema drizzle' "$TMP/err")" \
         -a -n "$(grep -F "GRANT CREATE ON DATABASE $DB TO tm_nocreate;" "$TMP/err")" -a "$(rows_in "$DB")" = none
sql "$DB" "CREATE SCHEMA drizzle" >/dev/null
PGDATABASE=$DB PGUSER=tm_nocreate tm migrate --dir "$SIMPLE"
check "a role that may not create tables in schema drizzle: exit 5, the GRANT ON SCHEMA" \
    test "$RC" = 5 -a -n "$(grep -F 'tm_nocreate may not create tables in schema drizzle' "$TMP/err")" \
         -a -n "$(grep -F 'GRANT USAGE, CREATE ON SCHEMA drizzle TO tm_nocreate;' "$TMP/err")" -a "$(rows_in "$DB")" = none

# ---------------------------------------------------------------------------------------------
echo "# progress, lost connection, Ctrl-C"
SLOW=$TMP/slow
journal "$SLOW" 0000_quick 0001_slow
printf 'CREATE TABLE quick_t (id int);\n' >"$SLOW/0000_quick.sql"
printf 'CREATE TABLE slow_t (id int);\n--> statement-breakpoint\nSELECT pg_sleep(20);\n' >"$SLOW/0001_slow.sql"
# start_slow DB: the client migrates $SLOW in the background; waits until it reports 0001_slow.
start_slow() {
    PGDATABASE=$1 "$CLIENT" migrate --dir "$SLOW" >"$TMP/out" 2>"$TMP/err" &
    SLOW_PID=$!
    for _ in $(seq 1 100); do grep -qF "applying 0001_slow" "$TMP/out" && return 0; sleep 0.1; done
    return 1
}
new_db progress
check "NOTICEs are printed as they arrive: 'applying 0001_slow' while it runs" start_slow "$DB"
check "... and the client is still running then" kill -0 "$SLOW_PID"
check "... after 'applied 0000_quick'" out_has "applied 0000_quick"
sql "$DB" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'trovella-migrate%' AND datname = '$DB'" >/dev/null
wait "$SLOW_PID"; RC=$?
check "connection terminated during a migration: exit 3" rc_is 3
check "connection terminated: says it was lost and rolled back" err_has "the connection to the database was lost"
check "connection terminated: nothing applied" test "$(rows_in "$DB")" = none
new_db cancel
start_slow "$DB"
kill -INT "$SLOW_PID"
wait "$SLOW_PID"; RC=$?
check "Ctrl-C during a migration: the query is cancelled, exit 4" rc_is 4
check "Ctrl-C: PostgreSQL's cancel error with SQLSTATE 57014" err_has "SQLSTATE: 57014"
check "Ctrl-C: the whole run rolled back" test "$(rows_in "$DB")/$(table_exists "$DB" quick_t && echo y)" = "none/"

# ---------------------------------------------------------------------------------------------
echo "# passwords are never printed"
new_db secrets
CLOSED=$(free_port)
sql "$DB" "CREATE ROLE tm_pw LOGIN PASSWORD 'unused-with-trust';
           GRANT EXECUTE ON FUNCTION trovella_migrate.status(json, jsonb, jsonb) TO tm_pw" >/dev/null
# leaks NAME PIECE...: the last run's stdout and stderr hold none of the pieces.
leaks() {
    local piece
    for piece in "$@"; do
        if grep -qF -- "$piece" "$TMP/out" "$TMP/err"; then echo "#   printed: $piece"; return 0; fi
    done
    return 1
}
# run_everywhere URL: status, status --json and --version with it (outputs appended).
run_everywhere() {
    : >"$TMP/all"
    local args
    for args in "status" "status --json" "--version" "--version --json"; do
        # shellcheck disable=SC2086  # the words of args are the arguments
        tm $args --dir "$SIMPLE" --database-url "$1"
        cat "$TMP/out" "$TMP/err" >>"$TMP/all"
        echo "exit $RC" >>"$TMP/all"
    done
    cp "$TMP/all" "$TMP/out"; : >"$TMP/err"
}
# password_case NAME CONNINFO CODE MESSAGE PIECE...: status exits CODE (text and --json) and
# --version 0 with CONNINFO; MESSAGE (when not empty) is printed; no PIECE of the password is.
password_case() {
    local name=$1 conninfo=$2 code=$3 message=$4
    shift 4
    run_everywhere "$conninfo"
    check "$name: status exits $code, --version 0" \
        test "$(grep -c "^exit $code\$" "$TMP/out")/$(grep -c '^exit 0$' "$TMP/out")" = "2/2"
    [[ -z $message ]] || check "$name: says $message" out_has "$message"
    check "$name: no piece of the password printed, in text or JSON" not leaks "$@"
}
sock="host=$PGHOST&port=$PGPORT"
password_case "URL with %40 %2F %3A in the password" "postgresql://tm_pw:Pw%40With%2FSlash%3AColon@/$DB?$sock" 1 \
    "tm_pw@$PGHOST:$PGPORT/$DB (from --database-url)" "Pw@With" "Pw%40With" "With/Slash" "Slash:Colon" "%2FSlash"
password_case "URL with ':' in the password" "postgresql://tm_pw:Pw:Colon:Secret@/$DB?$sock" 1 "" "Colon:Secret" "Pw:Colon"
password_case "URL with an unencoded '@' in the password" "postgresql://tm_pw:Pw@At@127.0.0.1:$CLOSED/x" 2 \
    "an '@' in the user name or password must be written %40" "Pw@At" "At@127" "Pw@"
password_case "URL with an unencoded '/' in the password" "postgresql://tm_pw:Pw/Slash@127.0.0.1:$CLOSED/x" 2 \
    "a '/' in the user name or password must be written %2F" "Pw/Slash" "Slash@127"
password_case "key=value with a quoted password (cannot connect)" \
    "host=127.0.0.1 port=$CLOSED user=tm_pw password='Pw Quoted@/:' dbname=x" 3 "" "Pw Quoted" "Quoted@/:"
password_case "malformed key=value (an unquoted password with a space; libpq's message would quote it)" \
    "host=127.0.0.1 user=tm_pw password=PwUnquoted Spaced dbname=x" 2 "is malformed: libpq cannot parse it" \
    "PwUnquoted" "Spaced"
password_case "malformed URL (bad percent-encoding)" "postgresql://tm_pw:Pw%zzBad@127.0.0.1:$CLOSED/x" 2 \
    "is malformed: libpq cannot parse it" "Pw%zzBad" "zzBad"
tm status --dir "$SIMPLE" --database-url "postgresql://tm_pw:Pw%zzBad@127.0.0.1:$CLOSED/x" --json
check "malformed URL --json: exit 2 with the error in the document" \
    json_true '.exit_code == 2 and (.error.message | contains("is malformed")) and .error.sqlstate == null'
PGPASSWORD=PwFromEnvironment tm status --dir "$SIMPLE" --database-url "postgresql://tm_pw@127.0.0.1:$CLOSED/x"
check "PGPASSWORD: never printed" test "$RC" = 3 -a -z "$(grep -F PwFromEnvironment "$TMP/out" "$TMP/err")"
mkdir -p "$TMP/envrepo/db"
printf 'DATABASE_URL=postgresql://tm_pw:PwInEnvFile@127.0.0.1:%s/x\n' "$CLOSED" >"$TMP/envrepo/.env"
(cd "$TMP/envrepo/db" && unset DATABASE_URL && tm status --dir "$SIMPLE" --env-file-if-exists=../.env && cp "$TMP/out" "$TMP/out.env")
check "DATABASE_URL from an env file: the source is named, the password is not" \
    test -n "$(grep -F '(from DATABASE_URL from ../.env)' "$TMP/err")" -a -z "$(grep -F PwInEnvFile "$TMP/out" "$TMP/err")"

# A libpq service file: PGSERVICE names a service of PGSERVICEFILE, with no other connection input.
new_db service
printf '[tm_app]\nhost=%s\nport=%s\ndbname=%s\nuser=postgres\n' "$PGHOST" "$PGPORT" "$DB" >"$TMP/pg_service.conf"
env -u PGHOST -u PGPORT -u PGDATABASE -u DATABASE_URL PGSERVICEFILE="$TMP/pg_service.conf" PGSERVICE=tm_app \
    "$CLIENT" migrate --dir "$SIMPLE" >"$TMP/out" 2>"$TMP/err"
RC=$?
check "a libpq service (PGSERVICE, PGSERVICEFILE): migrate connects through it" test "$RC" = 0 -a "$(rows_in "$DB")" = 3
env -u PGHOST -u PGPORT -u PGDATABASE -u DATABASE_URL PGSERVICEFILE="$TMP/pg_service.conf" PGSERVICE=tm_app \
    "$CLIENT" status --dir "$SIMPLE" --json >"$TMP/out" 2>"$TMP/err"
check "a libpq service: status through it, the target described with the service's values and its name" \
    json_true ".exit_code == 0 and .target == \"postgres@$PGHOST:$PGPORT/$DB (service tm_app)\""

# ---------------------------------------------------------------------------------------------
echo "# --version and --help"
new_db version
control_version=$(sed -n "s/^default_version *= *'\\(.*\\)'/\\1/p" "$ROOT/trovella_migrate.control")
installed=$(sql "$DB" "SELECT extversion FROM pg_extension WHERE extname = 'trovella_migrate'")
PGDATABASE=$DB tm --version
check "--version: the client's version from trovella_migrate.control" \
    test "$RC" = 0 -a "$(head -1 "$TMP/out")" = "trovella-migrate $control_version"
check "--version: the installed extension's version and where" out_has "extension: $installed (installed in postgres@$PGHOST:$PGPORT/$DB (from PG* variables))"
PGDATABASE=$DB tm -V --json
check "-V --json: both versions" json_true ".client_version == \"$control_version\" and .extension_version == \"$installed\" and .exit_code == 0"
PGDATABASE=postgres sql postgres "CREATE DATABASE t_version_noext" >/dev/null
PGDATABASE=t_version_noext tm --version
check "--version where the extension is not installed: says so (exit 0)" \
    test "$RC" = 0 -a -n "$(grep -F 'extension: not installed in postgres@' "$TMP/out")"
tm --version --database-url "postgresql://postgres@127.0.0.1:$CLOSED/x"
check "--version with no server: the client's version, and why the extension's is unknown" \
    test "$RC" = 0 -a "$(head -1 "$TMP/out")" = "trovella-migrate $control_version" -a -n "$(grep -F 'extension: unknown: cannot connect to the database: postgres@127.0.0.1' "$TMP/out")"
for cmd in migrate status verify plan baseline repair; do
    tm "$cmd" --help
    check "$cmd --help: exit 0 with its own usage line and the exit codes" \
        test "$RC" = 0 -a -n "$(grep -F "Usage: trovella-migrate $cmd" "$TMP/out")" -a -n "$(grep -F 'Exit codes:' "$TMP/out")"
done
tm migrate --help
check "migrate --help lists --commit-each, --to and --single-transaction" \
    test -n "$(grep -F -- '--commit-each' "$TMP/out")" -a -n "$(grep -F -- '--to TAG' "$TMP/out")" -a -n "$(grep -F -- '--single-transaction' "$TMP/out")"
tm status --help
check "status --help lists no option status does not take" test -z "$(grep -E -- '--lock-timeout|--commit-each|--allow-modified' "$TMP/out")"
tm baseline --help
check "baseline --help lists --through" out_has "--through TAG"
tm repair -h
check "repair -h shows TAG" out_has "TAG"
tm --help
check "--help lists every command" test "$(grep -cE '^  (migrate|status|verify|plan|baseline|repair) ' "$TMP/out")" = 6
check "--help documents exit code 5" out_has "5  this session cannot migrate"

# ---------------------------------------------------------------------------------------------
echo "# the same output and exit codes under a translated lc_messages"
if ! locale -a | grep -qix 'de_DE.utf8'; then
    not_ok "the de_DE.UTF-8 locale exists (scripts/setup generates it with localedef)"
else
    set_server_messages() {
        sql postgres "ALTER SYSTEM SET lc_messages = '$1'" >/dev/null && sql postgres "SELECT pg_reload_conf()" >/dev/null
        for _ in $(seq 1 50); do [[ $(sql postgres "SHOW lc_messages") == "$1" ]] && return 0; sleep 0.1; done
        return 1
    }
    FAILING=$TMP/locale-failing
    journal "$FAILING" 0000_ok 0001_fails
    printf 'CREATE TABLE ok_t (id int);\n' >"$FAILING/0000_ok.sql"
    printf 'SELECT * FROM no_such_table;\n' >"$FAILING/0001_fails.sql"
    # scenarios LANGUAGE: runs each case; outputs in $TMP/locale.LANGUAGE/<case>.{rc,out,err}.
    scenarios() {
        local d=$TMP/locale.$1 n=0
        mkdir -p "$d"
        one() {  # NAME ARGS...: with PGDATABASE and the environment as set by the caller
            local name=$1; shift
            tm "$@"
            echo "$RC" >"$d/$name.rc"
            # Timings and timestamps differ from run to run.
            sed -E 's/[0-9]+(\.[0-9]+)? ms/N ms/g; s/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}/TIMESTAMP/g' \
                "$TMP/out" >"$d/$name.out"
            cp "$TMP/err" "$d/$name.err"
        }
        n=$((n + 1)); new_db "loc_$1"; local db=$DB
        PGDATABASE=$db one verify_fails verify --dir "$SIMPLE"
        PGDATABASE=$db one migrate migrate --dir "$SIMPLE"
        PGDATABASE=$db one status status --dir "$SIMPLE"
        PGDATABASE=$db one json_status status --dir "$SIMPLE" --json
        PGDATABASE=$db one ahead migrate --dir "$FAILING"
        new_db "loc_fail_$1"
        PGDATABASE=$DB one failing migrate --dir "$FAILING"
        PGDATABASE=$DB one json_failing migrate --dir "$FAILING" --json
        PGDATABASE=$DB PGOPTIONS="-c default_transaction_read_only=on" one readonly migrate --dir "$SIMPLE"
        PGDATABASE=$DB PGUSER=tm_noexec one noexec status --dir "$SIMPLE"
        PGDATABASE=t_version_noext one noext status --dir "$SIMPLE"
        one noconnect status --dir "$SIMPLE" --database-url "postgresql://postgres@127.0.0.1:$CLOSED/x"
        PGDATABASE=no_such_db one nodb status --dir "$SIMPLE"
    }
    set_server_messages C && scenarios en
    set_server_messages de_DE.UTF-8 && LANG=de_DE.UTF-8 LC_ALL=de_DE.UTF-8 scenarios de
    set_server_messages C
    # The client's own lines, and the lines PostgreSQL's errors keep untranslated.
    own_lines() { grep -E '^(trovella-migrate:|hint:|SQLSTATE:|CONTEXT:  migration|warning:|Verification|Layer 2|  )' "$1"; }
    for f in "$TMP"/locale.en/*.rc; do
        name=$(basename "$f" .rc)
        en=$TMP/locale.en/$name de=$TMP/locale.de/$name
        check "lc_messages de: $name exits as in English ($(cat "$en.rc"))" test "$(cat "$en.rc")" = "$(cat "$de.rc" 2>/dev/null)"
        case $name in
            json_*)
                norm='del(.target, .error.message, .error.detail, .error.hint, .error.context)
                      | walk(if type == "string" then gsub("[0-9.]+ ms"; "N ms") | gsub("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*$"; "T") else . end)'
                check "lc_messages de: $name gives the same JSON but PostgreSQL's own texts" \
                    diff <(jq -S "$norm" "$en.out") <(jq -S "$norm" "$de.out") ;;
            *)
                check "lc_messages de: $name prints the same stdout" diff "$en.out" "$de.out"
                check "lc_messages de: $name prints the same client lines on stderr" diff <(own_lines "$en.err") <(own_lines "$de.err") ;;
        esac
    done
    check "lc_messages de is in force: PostgreSQL's own error is German there" \
        grep -qF 'existiert nicht' "$TMP/locale.de/failing.err"
    check "... and English in the English run" grep -qF 'relation "no_such_table" does not exist' "$TMP/locale.en/failing.err"
    check "... the severity stays ERROR (PG_DIAG_SEVERITY_NONLOCALIZED), not FEHLER" \
        test -n "$(grep '^ERROR:  ' "$TMP/locale.de/failing.err")" -a -z "$(grep '^FEHLER' "$TMP/locale.de/failing.err")"
fi

# ---------------------------------------------------------------------------------------------
echo "# the README's Drizzle section, as written, from a fresh login shell"
# The package.json and the CI step are cut out of the README itself.
readme=$ROOT/README.md
package_json=$(awk '/^`packages\/db\/package.json`:/ {found = 1; next} found && /^```json/ {inside = 1; next}
                    inside && /^```/ {exit} inside {print}' "$readme")
ci_run=$(awk '/- name: Migrate/ {found = 1; next} found && /run: / {sub(/^ *run: /, ""); print; exit}' "$readme")
check "the README has the package.json example" test -n "$package_json"
check "the README's CI step runs trovella-migrate migrate" test -n "$(grep -F 'trovella-migrate migrate' <<<"$ci_run")"
new_db readme
REPO=$TMP/app
mkdir -p "$REPO/packages/db/src"
cp -r "$ROOT/examples/migrations" "$REPO/packages/db/src/migrations"
printf '%s\n' "$package_json" >"$REPO/packages/db/package.json"
printf 'DATABASE_URL=%s\n' "$(url_for "$DB")" >"$REPO/.env"
chmod -R a+rX "$TMP"
# A new login shell: only what /etc/profile puts on PATH (not PostgreSQL's bindir).
login_shell() { env -i HOME="$HOME" USER="$(id -un)" LOGNAME="$(id -un)" TERM=dumb bash -l -c "$1"; }
found=$(login_shell 'command -v trovella-migrate')
check "a login shell finds trovella-migrate on its PATH ($found)" test -n "$found"
check "... not in PostgreSQL's bindir, which is not on that PATH" \
    test -z "$(login_shell 'echo ":$PATH:"' | grep -F ":$PG_BIN:")"
if [ "${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" = /usr/lib/postgresql/15/bin/pg_config ]; then
  check "... and it is the client built from this checkout" cmp -s "$(readlink -f "$found")" "$CLIENT"
else
  # A private copy (test/lib/private_pg.sh): scripts/setup leaves the machine's client on PATH alone.
  check "... and it is the machine's, not this private copy's (setup does not relink it)" \
    test "$(readlink -f "$found")" != "$(readlink -f "$PG_BIN/trovella-migrate")"
fi
login_shell "cd '$REPO/packages/db' && npm run db:migrate" >"$TMP/out" 2>"$TMP/err"; RC=$?
check "npm run db:migrate (the README's package.json, .env two levels up): exit 0" rc_is 0
check "npm run db:migrate: migrated and verified" out_has "Verified: database has all 10 migrations."
check "npm run db:migrate: layer 2" out_has "Layer 2 verification: journal has 10 migrations, database has 10: ok"
login_shell "cd '$REPO/packages/db' && npm run db:status" >"$TMP/out" 2>"$TMP/err"; RC=$?
check "npm run db:status: exit 0, every migration applied" test "$RC" = 0 -a "$(grep -c ' applied ' "$TMP/out")" = 10
new_db readme_ci
(cd "$REPO" && DATABASE_URL=$(url_for "$DB") login_shell "cd '$REPO' && DATABASE_URL='$(url_for "$DB")' $ci_run")
RC=$?
check "the README's CI step, as written: exit 0 and one JSON document" \
    test "$RC" = 0 -a "$(jq -r '.ok and .verify.verified' "$REPO/migrate.json" 2>/dev/null)" = true

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
