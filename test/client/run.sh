#!/usr/bin/env bash
# shellcheck disable=SC2016,SC1003  # the migration texts below hold $ and \ on purpose
# Tests of the client trovella-migrate (src/client, built in build/client) as a black box,
# against a throwaway PostgreSQL server.
#
#   test/client/run.sh            (as root or as the postgres user; the extension must be installed:
#                                  make && make install)
#
# Each check prints "ok - name" or "not ok - name"; the last line is "N passed, M failed" and the
# exit status is non-zero when a check failed. TROVELLA_MIGRATE=path tests another copy of the client.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

# ---------------------------------------------------------------------------------------------
# 1. Exact bytes for tricky content, in a folder whose path has spaces, with TMPDIR with spaces.

echo "# exact bytes"
SENTINEL=$TMP/psql-ran-a-backslash-command
TRICKY="$TMP/a folder with spaces/drizzle"
mkdir -p "$TRICKY"
TAGS=(0000_quotes 0001_dollars 0002_psql_vars 0003_backslash_commands 0004_utf8 0005_bom 0006_crlf
    0007_no_final_newline "0008_it's a \$tag" 0009_trailing_backslash 0010_breakpoint_crlf_bom)
journal "$TRICKY" "${TAGS[@]}"
printf '%s\n' "CREATE TABLE \"q\"\"uote\" (v text);" "--> statement-breakpoint" \
    "INSERT INTO \"q\"\"uote\" VALUES ('it''s'), (E'tab\\there'), ('C:\\path\\to\\'), ('\\\\'), ('\"dq\"');" \
    >"$TRICKY/0000_quotes.sql"
printf '%s\n' 'CREATE TABLE dollars (v text);' '--> statement-breakpoint' \
    'INSERT INTO dollars VALUES ($$a $ b$$), ($tm_$ $$ $tm_$), ($x$ $tm_0123456789abcdef$ $x$);' \
    'DO $do$ BEGIN PERFORM 1; END $do$;' '-- $ $$ $tm_ $1 ${x}' >"$TRICKY/0001_dollars.sql"
printf '%s\n' 'CREATE TABLE psql_vars (v text);' '--> statement-breakpoint' \
    "INSERT INTO psql_vars VALUES (':foo'), (':''x'''), (':\"y\"');" \
    "-- :foo :'x' :\"y\" :{?x} :PGHOST" "SELECT 1 AS \":foo\";" >"$TRICKY/0002_psql_vars.sql"
printf '%s\n' 'CREATE TABLE backslash_commands (v text);' '--> statement-breakpoint' '/*' \
    "\\! touch $SENTINEL" '\i /etc/passwd' '\q' '\set ON_ERROR_STOP 0' '\gexec' '*/' \
    'INSERT INTO backslash_commands VALUES (' "'" "\\! touch $SENTINEL" '\i /etc/passwd' "');" \
    >"$TRICKY/0003_backslash_commands.sql"
printf '%s\n' 'CREATE TABLE utf8 (v text);' '--> statement-breakpoint' \
    "INSERT INTO utf8 VALUES ('héllo wörld — 日本語 🎉 ∑');" '-- ünïcödé comment ✓' >"$TRICKY/0004_utf8.sql"
printf '\xef\xbb\xbfCREATE TABLE bom (v int);\n' >"$TRICKY/0005_bom.sql"
printf 'CREATE TABLE crlf (v text);\r\n--> statement-breakpoint\r\nINSERT INTO crlf VALUES (%s);\r\n' "'a'" \
    >"$TRICKY/0006_crlf.sql"
printf 'CREATE TABLE no_final_newline (v int);' >"$TRICKY/0007_no_final_newline.sql"
printf 'CREATE TABLE tag_quote (v int);\n' >"$TRICKY/0008_it's a \$tag.sql"
printf 'CREATE TABLE trailing_backslash (v int); -- ends with a backslash \\' >"$TRICKY/0009_trailing_backslash.sql"
printf '\xef\xbb\xbfCREATE TABLE bcb (v int);--> statement-breakpoint\r\nCREATE TABLE bcb2 (v int);\r\n--> statement-breakpoint\r\n-- only a comment $' \
    >"$TRICKY/0010_breakpoint_crlf_bom.sql"

mkdir -p "$TMP/tmp dir with spaces"
new_db tricky
export PGDATABASE=$DB
TMPDIR="$TMP/tmp dir with spaces" tm migrate --dir "$TRICKY"
check "tricky contents: migrate exits 0" rc_is 0
check "tricky contents: wiki message 'Verified: database has all 11 migrations.'" out_has "Verified: database has all 11 migrations."
for i in "${!TAGS[@]}"; do
    check "exact bytes: ${TAGS[i]} (stored hash = sha256sum)" same_hash "$DB" "$i" "$TRICKY/${TAGS[i]}.sql"
done
# The hash the engine stored (the client's own SHA-256 under the client engine) against the
# server's sha256() of the same bytes, BOM and CRLF included.
server_hash() { sql "$1" "SELECT encode(sha256(decode('$(od -An -v -tx1 -- "$2" | tr -d ' \n')', 'hex')), 'hex')"; }
for i in 5 6 10; do
    check "stored hash = the server's sha256() of the bytes: ${TAGS[i]}" \
        test "$(stored_hash "$DB" "$i")" = "$(server_hash "$DB" "$TRICKY/${TAGS[i]}.sql")"
done
check "backslash commands inside the files were not run by psql" test ! -e "$SENTINEL"
check "psql :variables were not substituted" \
    test "$(sql "$DB" "SELECT string_agg(v, '|' ORDER BY v) FROM psql_vars")" = ":\"y\"|:'x'|:foo"
check "quotes and backslashes arrived verbatim" \
    test "$(sql "$DB" "SELECT string_agg(v, '|' ORDER BY v) FROM \"q\"\"uote\"")" = "\"dq\"|C:\\path\\to\\|\\\\|it's|tab"$'\t'"here"
check "dollar quotes arrived verbatim" \
    test "$(sql "$DB" "SELECT string_agg(v, '|' ORDER BY v) FROM dollars")" = ' $$ | $tm_0123456789abcdef$ |a $ b'
check "UTF-8 arrived verbatim" test "$(sql "$DB" "SELECT v FROM utf8")" = 'héllo wörld — 日本語 🎉 ∑'
check "a multi-line string holding backslash-command lines arrived verbatim" \
    test "$(sql "$DB" "SELECT md5(v) FROM backslash_commands")" = "$(printf '\n\\! touch %s\n\\i /etc/passwd\n' "$SENTINEL" | md5sum | cut -d' ' -f1)"
check "CRLF line ends arrived verbatim" test "$(sql "$DB" "SELECT v = 'a' FROM crlf")" = t
check "no temporary files left behind" test -z "$(ls -A "$TMP/tmp dir with spaces")"

# The same folder again from inside it (default --dir is the current directory), spaces in the path.
(cd "$TRICKY" && tm migrate && [[ $RC == 0 ]] && grep -qF "Migration state: 11 applied, 11 expected, 0 pending" "$TMP/out")
check "default --dir: the current directory when it has meta/_journal.json (path with spaces)" test $? = 0
(cd "$TRICKY/.." && tm status && [[ $RC == 0 ]] && grep -qF "0009_trailing_backslash" "$TMP/out")
check "default --dir: ./drizzle" test $? = 0

# ---------------------------------------------------------------------------------------------
# 2. A 50 MB migration.

echo "# 50 MB file"
BIG="$TMP/big folder"
journal "$BIG" 0000_big
{
    printf 'CREATE TABLE big (v text);\n--> statement-breakpoint\nINSERT INTO big VALUES ($big$'
    yes -- "row with 'quotes' \\ backslash :foo :'x' \$\$ \$tm_ \\! echo pwned" | head -c 26214400
    printf '$big$);\n--> statement-breakpoint\n'
    yes -- "-- comment line :foo \\i /etc/passwd \$\$" | head -c 26214400
    printf '\nCREATE TABLE big_done (v int);'
} >"$BIG/0000_big.sql"
new_db big
export PGDATABASE=$DB
started=$SECONDS
tm migrate --dir "$BIG"
check "50 MB file: migrate exits 0 ($((SECONDS - started)) s)" rc_is 0
check "50 MB file: exact bytes (stored hash = sha256sum)" same_hash "$DB" 0 "$BIG/0000_big.sql"
check "50 MB file: the 25 MB literal arrived whole" test "$(sql "$DB" "SELECT octet_length(v) FROM big")" = 26214400
check "50 MB file: the statement after 25 MB of comments ran" test "$(sql "$DB" "SELECT count(*) FROM big_done")" = 0
rm -f "$BIG/0000_big.sql"

# ---------------------------------------------------------------------------------------------
# 3. A small valid folder used below.

SIMPLE=$TMP/simple
journal "$SIMPLE" 0000_first 0001_second
printf 'CREATE TABLE first_t (id int);\n--> statement-breakpoint\nINSERT INTO first_t VALUES (1);\n' >"$SIMPLE/0000_first.sql"
printf 'CREATE TABLE second_t (id int);\n' >"$SIMPLE/0001_second.sql"

# ---------------------------------------------------------------------------------------------
# 4. Connection: --database-url, then DATABASE_URL, then PG* variables.

echo "# connection"
new_db pgvars; DB_PG=$DB
new_db url; DB_URL=$DB
new_db flag; DB_FLAG=$DB
PGDATABASE=$DB_PG tm migrate --dir "$SIMPLE"
check "PG* variables: migrates PGDATABASE" test "$RC/$(rows_in "$DB_PG")/$(rows_in "$DB_URL")" = "0/2/none"
PGDATABASE=$DB_PG DATABASE_URL=$(url_for "$DB_URL") tm migrate --dir "$SIMPLE"
check "DATABASE_URL wins over PG* variables" test "$RC/$(rows_in "$DB_URL")/$(rows_in "$DB_FLAG")" = "0/2/none"
PGDATABASE=$DB_PG DATABASE_URL=$(url_for "$DB_URL") tm migrate --dir "$SIMPLE" --database-url "$(url_for "$DB_FLAG")"
check "--database-url wins over DATABASE_URL" test "$RC/$(rows_in "$DB_FLAG")" = "0/2"
new_db eqforms
PGDATABASE=$DB_PG tm migrate "--dir=$SIMPLE" "--database-url=$(url_for "$DB")"
check "--option=value forms (--dir=, --database-url=)" test "$RC/$(rows_in "$DB")" = "0/2"
PGDATABASE=$DB_PG DATABASE_URL='' tm status --dir "$SIMPLE"
check "an empty DATABASE_URL falls back to PG* variables" rc_is 0

# --env-file-if-exists=../../.env, relative to the current directory, as in the wiki's scripts.
new_db envfile; DB_ENV=$DB
mkdir -p "$TMP/repo/packages/db/src"
cp -r "$SIMPLE" "$TMP/repo/packages/db/src/migrations"
{
    printf '# the root .env\n'
    printf 'OTHER_SETTING=plain value # a comment\n'
    printf 'export DATABASE_URL="%s"\n' "$(url_for "$DB_ENV")"
    printf "QUOTED='single # not a comment'\n"
    printf 'MULTI="line one\nline two"\n'
} >"$TMP/repo/.env"
(
    cd "$TMP/repo/packages/db" || exit 1
    unset DATABASE_URL
    PGDATABASE=does_not_exist tm migrate --env-file-if-exists=../../.env --dir src/migrations
    [[ $RC == 0 && $(rows_in "$DB_ENV") == 2 ]]
)
check "--env-file-if-exists=../../.env loads DATABASE_URL (relative path)" test $? = 0
(
    cd "$TMP/repo/packages/db" || exit 1
    unset DATABASE_URL
    PGDATABASE=$DB_ENV tm status --env-file-if-exists ../../.env
    [[ $RC == 0 ]] && grep -qF "0001_second" "$TMP/out"
)
check "--env-file-if-exists PATH (space form) and default --dir ./src/migrations" test $? = 0
(
    cd "$TMP/repo/packages/db" || exit 1
    new_db override
    DATABASE_URL=$(url_for "$DB") tm migrate --env-file-if-exists=../../.env --dir src/migrations
    [[ $RC == 0 && $(rows_in "$DB") == 2 ]]
)
check "--env-file-if-exists does not override a variable already set" test $? = 0
(
    cd "$TMP/repo/packages/db" || exit 1
    unset DATABASE_URL
    PGDATABASE=$DB_ENV tm verify --env-file-if-exists=../../no-such.env --dir src/migrations
    [[ $RC == 0 ]]
)
check "--env-file-if-exists with a missing file is fine (PG* used)" test $? = 0

# ---------------------------------------------------------------------------------------------
# 5. Exit codes and messages.

echo "# exit codes"
new_db codes
export PGDATABASE=$DB
tm status --dir "$SIMPLE"
check "status with pending migrations: exit 1" rc_is 1
check "status prints a table with a pending row" out_has "0000_first"
check "status table shows state pending" out_has "pending"
check "status prints the wiki's state line" out_has "Migration state: 0 applied, 2 expected, 2 pending"
tm verify --dir "$SIMPLE"
check "verify on an unmigrated database: exit 1" rc_is 1
check "verify prints the wiki's mismatch message" err_has "Migration count mismatch: database has 0 but expected 2"
tm migrate --dir "$SIMPLE"
check "migrate: exit 0" rc_is 0
check "migrate prints 'Migration state: 0 applied, 2 expected, 2 pending'" out_has "Migration state: 0 applied, 2 expected, 2 pending"
check "migrate prints 'Running migrations...'" out_has "Running migrations..."
check "migrate prints 'Migrations complete. Applied 2 new migration(s).'" out_has "Migrations complete. Applied 2 new migration(s)."
check "migrate prints 'Verified: database has all 2 migrations.'" out_has "Verified: database has all 2 migrations."
check "migrate prints the layer-2 result" out_has "Layer 2 verification: journal has 2 migrations, database has 2: ok"
check "migrate prints no NOTICE: prefix" out_lacks "NOTICE:"
tm migrate --dir "$SIMPLE"
check "second migrate: exit 0, nothing applied" test "$RC" = 0
check "second migrate: 'Migration state: 2 applied, 2 expected, 0 pending'" out_has "Migration state: 2 applied, 2 expected, 0 pending"
check "second migrate: 'Applied 0 new migration(s).'" out_has "Migrations complete. Applied 0 new migration(s)."
tm status --dir "$SIMPLE"
check "status after migrate: exit 0" rc_is 0
check "status after migrate: rows applied" test "$(grep -c ' applied ' "$TMP/out")" = 2
tm verify --dir "$SIMPLE"
check "verify after migrate: exit 0" rc_is 0
check "verify prints 'Verified: database has all 2 migrations.'" out_has "Verified: database has all 2 migrations."

# The database ahead of the journal: exit 1 with the wiki's message, nothing applied.
AHEAD=$TMP/ahead
journal "$AHEAD" 0000_first
cp "$SIMPLE/0000_first.sql" "$AHEAD/"
tm migrate --dir "$AHEAD"
check "database ahead of the journal: exit 1" rc_is 1
check "database ahead: 'Database has 2 migrations but local journal only has 1'" \
    err_has "Database has 2 migrations but local journal only has 1"

# A modified file: exit 1; --allow-modified proceeds; verify (with the files) reports it.
MOD=$TMP/modified
cp -r "$SIMPLE" "$MOD"
printf -- '-- edited after it was applied\n' >>"$MOD/0001_second.sql"
tm migrate --dir "$MOD"
check "modified migration: migrate exits 1" rc_is 1
check "modified migration: named in the error" err_has '"0001_second"'
tm migrate --dir "$MOD" --allow-modified
check "modified migration with --allow-modified: exit 0" rc_is 0
tm verify --dir "$MOD"
check "verify with a modified file: exit 1" rc_is 1
tm status --dir "$MOD"
check "status with a modified file: exit 1 and state modified" test "$RC" = 1 -a -n "$(grep ' modified ' "$TMP/out")"

# A migration that fails: exit 4, PostgreSQL's ERROR/DETAIL/HINT/CONTEXT, nothing applied.
new_db failing
FAIL=$TMP/failing
journal "$FAIL" 0000_ok 0001_fails 0002_never
printf 'CREATE TABLE ok_t (id int);\n' >"$FAIL/0000_ok.sql"
printf '%s\n' 'CREATE TABLE fails_t (id int);' '--> statement-breakpoint' \
    "DO \$\$ BEGIN RAISE EXCEPTION 'boom' USING DETAIL = 'the detail', HINT = 'the hint'; END \$\$;" >"$FAIL/0001_fails.sql"
printf 'CREATE TABLE never_t (id int);\n' >"$FAIL/0002_never.sql"
PGDATABASE=$DB tm migrate --dir "$FAIL"
check "failing migration: exit 4" rc_is 4
check "failing migration: ERROR line" err_has "ERROR:  boom"
check "failing migration: DETAIL line" err_has "DETAIL:  the detail"
check "failing migration: HINT line" err_has "HINT:  the hint"
check "failing migration: CONTEXT names the migration and statement" err_has 'migration "0001_fails", statement 2 of 2'
check "failing migration: SQLSTATE printed" err_has "SQLSTATE: P0001"
check "failing migration: progress printed before the error" out_has "applying 0001_fails"
check "failing migration: nothing applied (rolled back)" \
    test "$(sql "$DB" "SELECT count(*) FROM pg_tables WHERE tablename IN ('ok_t', 'fails_t')")/$(rows_in "$DB")" = "0/none"
printf 'SELECT * FROM no_such_table;\n' >"$FAIL/0001_fails.sql"
PGDATABASE=$DB tm migrate --dir "$FAIL"
check "missing relation in a migration: exit 4 with the error" test "$RC" = 4 -a -n "$(grep -F 'relation "no_such_table" does not exist' "$TMP/err")"
# The failing statement in the middle of a migration (its statements go to the server together):
# that one is named, and the one after it never runs.
printf '%s\n' 'CREATE TABLE mid_t (id int);' '--> statement-breakpoint' 'INSERT INTO mid_t VALUES (1 / 0);' \
    '--> statement-breakpoint' "DO \$\$ BEGIN RAISE NOTICE 'third statement ran'; END \$\$;" >"$FAIL/0001_fails.sql"
PGDATABASE=$DB tm migrate --dir "$FAIL"
check "a statement failing in the middle: exit 4, the error with its SQLSTATE" \
    test "$RC" = 4 -a -n "$(grep -F 'ERROR:  division by zero' "$TMP/err")" -a -n "$(grep -F 'SQLSTATE: 22012' "$TMP/err")"
check "a statement failing in the middle: CONTEXT names statement 2 of 3" err_has 'migration "0001_fails", statement 2 of 3'
check "a statement failing in the middle: the statement after it never ran" \
    bash -c '! grep -qF "third statement ran" "$1" "$2"' _ "$TMP/out" "$TMP/err"
printf 'SELECT * FROM no_such_table;\n' >"$FAIL/0001_fails.sql"  # as the --json checks below expect

# A migration merged from another branch (older than the newest applied): exit 1, then the flag.
new_db order
OOO=$TMP/out-of-order
journal "$OOO" 0000_first 0001_second
cp "$SIMPLE"/*.sql "$OOO/"
PGDATABASE=$DB tm migrate --dir "$OOO"
# 0001_late slots in before 0001_second: its "when" is older than the newest applied entry.
printf '{"version": "7", "dialect": "postgresql", "entries": [
  {"idx": 0, "version": "7", "when": %d, "tag": "0000_first", "breakpoints": true},
  {"idx": 1, "version": "7", "when": %d, "tag": "0001_late", "breakpoints": true},
  {"idx": 2, "version": "7", "when": %d, "tag": "0001_second", "breakpoints": true}]}\n' \
    "$WHEN0" "$((WHEN0 + 1))" "$((WHEN0 + 2))" >"$OOO/meta/_journal.json"
sql "$DB" "UPDATE drizzle.__drizzle_migrations SET created_at = $((WHEN0 + 2)) WHERE created_at = $((WHEN0 + 1))" >/dev/null
printf 'CREATE TABLE late_t (id int);\n' >"$OOO/0001_late.sql"
PGDATABASE=$DB tm migrate --dir "$OOO"
check "out-of-order migration: exit 1 naming it" test "$RC" = 1 -a -n "$(grep -F '"0001_late"' "$TMP/err")"
check "out-of-order migration: the client names its flag" err_has "--allow-out-of-order"
PGDATABASE=$DB tm migrate --dir "$OOO" --allow-out-of-order
check "out-of-order migration with --allow-out-of-order: exit 0" test "$RC/$(rows_in "$DB")" = "0/3"

# Another tracking table.
new_db tracking
PGDATABASE=$DB tm migrate --dir "$SIMPLE" --migrations-schema "my schema" --migrations-table=history
check "--migrations-schema and --migrations-table" \
    test "$RC/$(sql "$DB" 'SELECT count(*) FROM "my schema".history')/$(rows_in "$DB")" = "0/2/none"
PGDATABASE=$DB tm verify --dir "$SIMPLE" --migrations-schema "my schema" --migrations-table history
check "verify with --migrations-schema and --migrations-table" rc_is 0

# Bad input: exit 2.
tm migrate --dir "$SIMPLE" --no-such-flag
check "unknown flag: exit 2" rc_is 2
check "unknown flag: message names it" err_has "unknown option: --no-such-flag"
tm frobnicate
check "unknown command: exit 2" rc_is 2
tm
check "no command: exit 2" rc_is 2
tm migrate --dir
check "option without its value: exit 2" test "$RC" = 2 -a -n "$(grep -F 'option --dir needs a value' "$TMP/err")"
mkdir -p "$TMP/no journal"
printf 'SELECT 1;\n' >"$TMP/no journal/0000_x.sql"
tm migrate --dir "$TMP/no journal"
check "folder without meta/_journal.json: exit 2" rc_is 2
check "folder without meta/_journal.json: message" err_has "no meta/_journal.json in $TMP/no journal"
tm status --dir "$TMP/does not exist"
check "missing folder: exit 2" test "$RC" = 2 -a -n "$(grep -F 'migrations folder not found' "$TMP/err")"
(cd "$TMP" && tm status && [[ $RC == 2 ]] && grep -qF "./drizzle" "$TMP/err")
check "no folder found by default: exit 2 naming ./drizzle" test $? = 0
BADJ=$TMP/bad-journal
mkdir -p "$BADJ/meta"
printf '{"version": "7", "dialect": "postgresql", "entries": [{"idx": 0, "when": 1, "tag": "a/b"}]}' >"$BADJ/meta/_journal.json"
tm migrate --dir "$BADJ"
check "invalid journal (SQLSTATE 22023): exit 2" test "$RC" = 2 -a -n "$(grep -F 'SQLSTATE: 22023' "$TMP/err")"
printf '{"entries": [' >"$BADJ/meta/_journal.json"
tm status --dir "$BADJ"
check "journal that is not JSON: exit 2" rc_is 2
MISSINGF=$TMP/missing-file
journal "$MISSINGF" 0000_absent
tm migrate --dir "$MISSINGF"
check "journal entry without its .sql file: exit 2 naming it" test "$RC" = 2 -a -n "$(grep -F '0000_absent' "$TMP/err")"
tm status --dir "$SIMPLE" --lock-timeout 5s
check "option the function does not accept (lock_timeout for status): exit 2" rc_is 2
check "option the command does not take: the client says which commands take it" \
    err_has "option --lock-timeout does not apply to status (it applies to: migrate, baseline, repair)"
tm migrate --dir "$SIMPLE" --lock-timeout=5s --statement-timeout 1min
check "--lock-timeout and --statement-timeout accepted by migrate" rc_is 0
# statement_timeout bounds each statement, not the migration, whoever set it: the option, the
# session (PGOPTIONS), or an earlier migration (the client engine syncs after each statement then).
SLEEPS=$TMP/sleeps
journal "$SLEEPS" 0000_set_timeout 0001_sleeps
printf 'SELECT 1;\n' >"$SLEEPS/0000_set_timeout.sql"
printf 'SELECT pg_sleep(0.6);\n--> statement-breakpoint\nSELECT pg_sleep(0.6);\n--> statement-breakpoint\nSELECT pg_sleep(0.6);\n' \
    >"$SLEEPS/0001_sleeps.sql"
new_db timeout_option
tm migrate --dir "$SLEEPS" --database-url "dbname=$DB" --statement-timeout 1s
check "--statement-timeout 1s: three statements of 0.6 s in one migration run (each is bounded, not the migration)" rc_is 0
new_db timeout_session
PGOPTIONS="-c statement_timeout=1s" tm migrate --dir "$SLEEPS" --database-url "dbname=$DB"
if [ "${TROVELLA_ENGINE:-auto}" = client ]; then
    check "statement_timeout 1s of the session: the same migration runs (client engine: each statement is one)" rc_is 0
else  # the session's own statement_timeout bounds its statement: the one apply() call
    check "statement_timeout 1s of the session: bounds the extension's apply() call as a whole" \
        test "$RC" != 0 -a -n "$(grep -F 'statement timeout' "$TMP/err")"
fi
printf "SET statement_timeout = '1s';\n" >"$SLEEPS/0000_set_timeout.sql"
new_db timeout_migration
tm migrate --dir "$SLEEPS" --database-url "dbname=$DB"
check "statement_timeout 1s set by the migration before: the same migration runs" rc_is 0
printf 'SELECT pg_sleep(1.5);\n' >"$SLEEPS/0001_sleeps.sql"
new_db timeout_exceeded
tm migrate --dir "$SLEEPS" --database-url "dbname=$DB" --statement-timeout 1s
check "a statement over --statement-timeout fails, named, and nothing is recorded" \
    test "$RC" != 0 -a -n "$(grep -F 'statement timeout' "$TMP/err")" -a -n "$(grep -F 'migration "0001_sleeps", statement 1 of 1' "$TMP/err")" \
    -a "$(sql "$DB" "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = '__drizzle_migrations'")" = 0
NUL=$TMP/nul
journal "$NUL" 0000_nul
printf 'SELECT 1;\0\n' >"$NUL/0000_nul.sql"
tm migrate --dir "$NUL"
check "file with a NUL byte: exit 2 naming it" test "$RC" = 2 -a -n "$(grep -F '0000_nul.sql contains a NUL byte' "$TMP/err")"
BADU=$TMP/bad-utf8
journal "$BADU" 0000_latin1
printf "SELECT 'caf\xe9';\n" >"$BADU/0000_latin1.sql"
tm migrate --dir "$BADU"
check "file that is not UTF-8: exit 2" test "$RC" = 2 -a -n "$(grep -F 'not valid UTF-8' "$TMP/err")"
psql -X -q -d postgres -c 'CREATE DATABASE t_noext' >/dev/null
PGDATABASE=t_noext tm status --dir "$SIMPLE" --engine extension
check "--engine extension where it is not installed: exit 2 with CREATE EXTENSION hint" \
    test "$RC" = 2 -a -n "$(grep -F 'CREATE EXTENSION trovella_migrate' "$TMP/err")"

# Cannot connect: exit 3 with the wiki's hint.
CLOSED=$(free_port)
tm migrate --dir "$SIMPLE" --database-url "postgresql://postgres:secret@127.0.0.1:$CLOSED/x"
check "closed port: exit 3" rc_is 3
check "closed port: psql's reason printed" err_has "Connection refused"
check "closed port: 'Is the database running?' hint" err_has "Is the database running?"
check "closed port: the hint names no team's tooling (no pnpm, no docker)" test -z "$(grep -iE 'pnpm|docker' "$TMP/err")"
check "closed port: password masked" test -z "$(grep -F secret "$TMP/err")"
PGHOST=$TMP/no-server-here tm status --dir "$SIMPLE"
check "no socket (PG* variables): exit 3" rc_is 3
tm status --dir "$SIMPLE" --database-url "$(url_for no_such_database)"
check "database does not exist: exit 3" rc_is 3

# ---------------------------------------------------------------------------------------------
# 6. Orphan files: warned about, never run.

echo "# orphans"
new_db orphan
export PGDATABASE=$DB
ORPH=$TMP/orphan
cp -r "$SIMPLE" "$ORPH"
printf 'CREATE TABLE orphan_ran (id int);\n' >"$ORPH/9999_handwritten.sql"
tm migrate --dir "$ORPH"
check "orphan file: migrate exits 0" rc_is 0
check "orphan file: warned about on stderr with 'warning: '" \
    err_has 'warning: 1 migration file is not in the journal and will never run: "9999_handwritten"'
check "orphan file: never run" test "$(sql "$DB" "SELECT to_regclass('orphan_ran') IS NULL")" = t
tm status --dir "$ORPH"
check "orphan file: status lists it as orphan" test -n "$(grep '9999_handwritten  *orphan' "$TMP/out")"
check "orphan file: status exits 0 (orphans only warn)" rc_is 0

# ---------------------------------------------------------------------------------------------
# 7. --json.

echo "# json"
new_db json
export PGDATABASE=$DB
tm migrate --dir "$ORPH" --json
check "json migrate: exit 0" rc_is 0
check "json migrate: exactly one JSON document on stdout" one_json_doc
check "json migrate: nothing on stderr" test ! -s "$TMP/err"
check "json migrate: ok, command, counts" \
    json_true '.ok == true and .command == "migrate" and .expected == 2 and .applied_before == 0 and .pending == 2 and .applied == 2 and .verified == true and .exit_code == 0'
check "json migrate: applied_tags" json_true '.applied_tags == ["0000_first", "0001_second"]'
check "json migrate: layer-2 result" json_true '.verify.verified == true and .verify.expected == 2 and .verify.actual == 2'
check "json migrate: wiki messages" \
    json_true '.messages | index("Migration state: 0 applied, 2 expected, 2 pending") and index("Verified: database has all 2 migrations.")'
check "json migrate: orphan warning" json_true '.warnings[0] | contains("9999_handwritten")'
tm status --dir "$ORPH" --json
check "json status: states" \
    json_true '.ok == true and ([.migrations[].state] == ["applied", "applied", "orphan"]) and .counts.orphan == 1 and .exit_code == 0'
tm verify --dir "$ORPH" --json
check "json verify: ok" json_true '.ok == true and .verified == true and .expected == 2 and .actual == 2 and .problems == []'
new_db json_fail
PGDATABASE=$DB tm migrate --dir "$FAIL" --json
check "json failure: exit 4 and one document" test "$RC" = 4 -a "$(jq -s length "$TMP/out" 2>/dev/null)" = 1
check "json failure: error object" \
    json_true '.ok == false and .exit_code == 4 and .error.sqlstate == "42P01" and (.error.message | contains("no_such_table")) and (.error.context | contains("0001_fails"))'
PGDATABASE=$DB tm verify --dir "$SIMPLE" --json
check "json verify failure: exit 1 with problems" \
    json_true '.ok == false and .exit_code == 1 and .expected == 2 and .actual == 0 and (.problems | length) > 0'
tm migrate --dir "$SIMPLE" --json --database-url "postgresql://127.0.0.1:$CLOSED/x"
check "json cannot connect: exit 3, sqlstate 08001, hint" \
    json_true '.ok == false and .exit_code == 3 and .error.sqlstate == "08001" and (.error.hint | contains("Is the database running?"))'
tm migrate --json --bogus
check "json usage error: exit 2 as JSON" json_true '.ok == false and .exit_code == 2 and (.error.message | contains("--bogus"))'
tm status --json --dir "$TMP/no journal"
check "json missing journal: exit 2 as JSON" json_true '.ok == false and .exit_code == 2'

# ---------------------------------------------------------------------------------------------
# 8. plan.

echo "# plan"
new_db plan
export PGDATABASE=$DB
if [[ $(sql "$DB" "SELECT to_regprocedure('trovella_migrate.plan(json, jsonb, jsonb)') IS NOT NULL") == t ]]; then
    tm plan --dir "$SIMPLE"
    check "plan: exit 0" rc_is 0
    check "plan: statements with their migration and line" out_has "-- 0000_first: statement 2 (line 3)"
    check "plan: statement text" out_has "INSERT INTO first_t VALUES (1);"
    check "plan: changes nothing" test "$(rows_in "$DB")" = none
    tm plan --dir "$SIMPLE" --json
    check "plan --json: statements" json_true '.ok == true and .statement_count == 3 and .statements[1].sql == "\nINSERT INTO first_t VALUES (1);\n"'
    sql "$DB" "ALTER EXTENSION trovella_migrate DROP FUNCTION trovella_migrate.plan(json, jsonb, jsonb);
               DROP FUNCTION trovella_migrate.plan(json, jsonb, jsonb)" >/dev/null
else
    ok "plan: output # SKIP the installed extension has no plan()"
fi
tm plan --dir "$SIMPLE" --engine extension
check "plan without plan() in the extension: exit 2" rc_is 2
check "plan without plan(): says so" err_has "the installed trovella_migrate extension has no plan() yet"

# ---------------------------------------------------------------------------------------------
# 9. Help.

tm --help
check "--help: exit 0" rc_is 0
check "--help documents the exit codes" out_has "Exit codes:"
check "--help documents the default folder" out_has "./drizzle"
check "--help documents --env-file-if-exists" out_has "--env-file-if-exists PATH"
tm migrate -h --dir /nonexistent
check "-h after a command: exit 0" rc_is 0

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
