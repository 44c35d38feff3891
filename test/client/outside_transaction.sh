#!/usr/bin/env bash
# shellcheck disable=SC2016  # the migration texts below hold $ on purpose
# Migrations that cannot run in a transaction (issue 11), through trovella-migrate against a real
# server: run statement by statement outside a transaction (the file's own COMMIT/BEGIN honoured),
# said so first; status "partial i/n" after a failure and the resume; a CONCURRENTLY build that
# fails on a unique violation, the invalid index named with its DROP, then fixed data and
# --rebuild-invalid-indexes; an edited file refused on resume; --single-transaction and the
# extension's apply() refusing with a hint naming the way through; plan marking them; the enum
# value added and used in one transaction (55P04, the hint naming --commit-each) and passing with
# --commit-each. scripts/test runs it twice: with the extension installed (engine extension,
# which hands such a run to the client engine) and with TROVELLA_ENGINE=client.
#
#   test/client/outside_transaction.sh   (the extension and the client built and installed)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
ENGINE=${TROVELLA_ENGINE:-auto}
echo "# engine: $ENGINE"
B=$'\n--> statement-breakpoint\n'

# ---------------------------------------------------------------------------------------------
echo "# statement by statement: the file's COMMIT, CREATE/DROP INDEX CONCURRENTLY, REINDEX, VACUUM, BEGIN"
RUN=$TMP/run
journal "$RUN" 0000_items 0001_sku_index 0002_maintenance 0003_after
printf '%s' "CREATE TABLE items (id int PRIMARY KEY, sku text, qty int);${B}INSERT INTO items SELECT g, 'sku' || g, g FROM generate_series(1, 500) g;" >"$RUN/0000_items.sql"
printf '%s' "ALTER TABLE items ADD COLUMN note text;${B}COMMIT;${B}SET lock_timeout = 0;${B}CREATE INDEX CONCURRENTLY IF NOT EXISTS \"items_sku_idx\" ON \"items\" USING btree (\"sku\");${B}SET lock_timeout = '5s';" >"$RUN/0001_sku_index.sql"
printf '%s' "COMMIT;${B}REINDEX INDEX CONCURRENTLY items_sku_idx;${B}VACUUM (ANALYZE) items;${B}DROP INDEX CONCURRENTLY IF EXISTS items_sku_idx;${B}CREATE UNIQUE INDEX CONCURRENTLY items_sku_key ON items (sku);${B}BEGIN;${B}UPDATE items SET note = 'reindexed' WHERE id = 1;" >"$RUN/0002_maintenance.sql"
printf '%s' "CREATE TABLE after_t (id int);" >"$RUN/0003_after.sql"
new_db run
export PGDATABASE=$DB
tm plan --dir "$RUN"
check "plan: exit 0" rc_is 0
check "plan: marks the statements of a migration run outside a transaction" \
    out_has "-- 0001_sku_index: statement 4 (line 7), outside a transaction (statement by statement)"
check "plan: says why, before the statements" \
    out_has "0001_sku_index cannot run in a transaction (statement 4, line 7: CREATE INDEX CONCURRENTLY): running it statement by statement"
check "plan: an ordinary migration is not marked" out_has "-- 0000_items: statement 1 (line 1)"$'\n'
tm plan --dir "$RUN" --json
check "plan --json: in_transaction per statement" \
    json_true '([.statements[] | select(.tag == "0001_sku_index") | .in_transaction] | unique) == [false]
               and ([.statements[] | select(.tag == "0000_items") | .in_transaction] | unique) == [true]'
tm migrate --dir "$RUN"
check "migrate: exit 0" rc_is 0
check "migrate: announces the migration that cannot run in a transaction, with the statement and line" \
    out_has "0001_sku_index cannot run in a transaction (statement 4, line 7: CREATE INDEX CONCURRENTLY): running it statement by statement"
check "migrate: the next one too (REINDEX CONCURRENTLY is the first statement PostgreSQL refuses there)" \
    out_has "0002_maintenance cannot run in a transaction (statement 2, line 3: REINDEX CONCURRENTLY): running it statement by statement"
check "migrate: says each was applied outside a transaction" out_has "applied 0002_maintenance (7 statements in"
check "migrate: all four applied and verified" out_has "Verified: database has all 4 migrations."
check "the indexes are there and valid; the dropped one is gone" \
    test "$(sql "$DB" "SELECT string_agg(c.relname || ':' || i.indisvalid, ',' ORDER BY c.relname) FROM pg_index i
                        JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'items'::regclass")" = "items_pkey:true,items_sku_key:true"
check "the statement after the file's trailing BEGIN committed with the migration's row" \
    test "$(sql "$DB" "SELECT note FROM items WHERE id = 1")/$(rows_in "$DB")" = "reindexed/4"
check "no session left idle in a transaction" \
    test "$(sql "$DB" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'")" = 0
check "the history has each migration applied once, with its statements" \
    test "$(sql "$DB" "SELECT string_agg(tag || ':' || statements, ' ' ORDER BY tag) FROM (
            SELECT tag, statements FROM trovella_migrate_history.migration_event WHERE action = 'applied'
            UNION ALL SELECT tag, statements FROM trovella_migrate.migration_event WHERE action = 'applied' AND source_event_id IS NULL) e")" \
         = "0000_items:2 0001_sku_index:5 0002_maintenance:7 0003_after:1"
tm migrate --dir "$RUN"
check "migrate again: nothing pending, nothing run" test "$RC" = 0 -a -n "$(grep -F 'No pending migrations' "$TMP/out")"
if [[ $ENGINE != client ]]; then
    new_db handed
    PGDATABASE=$DB tm migrate --dir "$RUN" --json
    check "engine extension: apply() refused, the client engine ran it; --json says so" \
        json_true '.exit_code == 0 and .engine == "client" and (.engine_reason | contains("the extension cannot run a migration that cannot run in a transaction"))
                   and (.messages | any(contains("the client engine runs this migrate over libpq, and the extension adopts its history")))'
    check "... and the extension has adopted that run's history when migrate returns" \
        test "$(sql "$DB" "SELECT count(*) FROM trovella_migrate.history WHERE engine = 'client'")" = 4
    check "... each migration once in the extension's history" \
        test "$(sql "$DB" "SELECT count(*) || '/' || count(DISTINCT tag) FROM trovella_migrate.migration_event
                             WHERE action = 'applied'")" = 4/4
fi

# ---------------------------------------------------------------------------------------------
echo "# a CONCURRENTLY build fails on a unique violation: partial, the invalid index named, rebuilt"
UNIQ=$TMP/unique
journal "$UNIQ" 0000_base 0001_unique
printf '%s' "CREATE TABLE u (id int, email text);${B}INSERT INTO u VALUES (1, 'a@x'), (2, 'a@x'), (3, 'b@x');" >"$UNIQ/0000_base.sql"
printf '%s' "CREATE TABLE u_side (id int);${B}CREATE UNIQUE INDEX CONCURRENTLY u_email_key ON u (email);${B}ALTER TABLE u ADD CONSTRAINT u_email_unique UNIQUE USING INDEX u_email_key;" >"$UNIQ/0001_unique.sql"
new_db unique
export PGDATABASE=$DB
tm migrate --dir "$UNIQ"
check "the build fails: exit 4 (a statement failed)" rc_is 4
check "... PostgreSQL's error and SQLSTATE" \
    test -n "$(grep -F 'could not create unique index "u_email_key"' "$TMP/err")" -a -n "$(grep -F 'SQLSTATE: 23505' "$TMP/err")"
check "... names the invalid index it left, with the statement that drops it" \
    err_has "1 index left invalid (public.u_email_key): DROP INDEX CONCURRENTLY public.u_email_key;"
check "... says what completed and where the next run resumes" \
    test -n "$(grep -F '"0001_unique" runs statement by statement outside a transaction: statement 1 of 3 completed and stays done' "$TMP/err")" \
         -a -n "$(grep -F 'it resumes "0001_unique" at statement 2.' "$TMP/err")"
check "... the migration before it stays applied, and the summary says so" \
    test "$(rows_in "$DB")" = 1 -a -n "$(grep -F 'what the run committed before it stays applied' "$TMP/err")"
tm status --dir "$UNIQ"
check "status: exit 1, 0001_unique partial 1/3" test "$RC" = 1 -a -n "$(grep -E '^1 +0001_unique +partial 1/3 ' "$TMP/out")"
check "status: the summary counts it" out_has "Migration state: 1 applied, 2 expected, 1 pending (1 partly applied)"
tm status --dir "$UNIQ" --json
check "status --json: state partial, progress 1/3, counts.partial" \
    json_true '(.migrations[] | select(.tag == "0001_unique") | [.state, .progress]) == ["partial", "1/3"] and .counts.partial == 1'
tm migrate --dir "$UNIQ"
check "again without fixing: refused before running the build (exit 4), the index and the way out named" \
    test "$RC" = 4 -a -n "$(grep -F 'index public.u_email_key is invalid: an earlier CREATE INDEX CONCURRENTLY of it failed or was interrupted' "$TMP/err")" \
         -a -n "$(grep -F -- '--rebuild-invalid-indexes' "$TMP/err")"
check "... resuming at statement 2 (statement 1 did not run twice)" \
    test -n "$(grep -F 'resuming 0001_unique at statement 2 of 3' "$TMP/out")" -a "$(sql "$DB" "SELECT count(*) FROM pg_class WHERE relname = 'u_side'")" = 1
sql "$DB" "DELETE FROM u WHERE id = 2" >/dev/null
tm migrate --dir "$UNIQ" --rebuild-invalid-indexes
check "data fixed, --rebuild-invalid-indexes: exit 0" rc_is 0
check "... it dropped the invalid index and built it again" out_has "dropping invalid index public.u_email_key to build it again (--rebuild-invalid-indexes)"
check "... the constraint uses the valid index" \
    test "$(sql "$DB" "SELECT i.indisvalid FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid WHERE c.conname = 'u_email_unique'")" = t
tm status --dir "$UNIQ"
check "status: everything applied" test "$RC" = 0 -a -z "$(grep partial "$TMP/out")"
tm migrate --dir "$UNIQ" --rebuild-invalid-indexes --single-transaction
check "--rebuild-invalid-indexes with --single-transaction: exit 2 naming both" \
    test "$RC" = 2 -a -n "$(grep -F -- '--rebuild-invalid-indexes and --single-transaction exclude each other' "$TMP/err")"
tm status --dir "$UNIQ" --rebuild-invalid-indexes
check "--rebuild-invalid-indexes is migrate's: status refuses it (exit 2)" rc_is 2

# ---------------------------------------------------------------------------------------------
echo "# an edited file is not resumed"
EDIT=$TMP/edit
journal "$EDIT" 0000_half
printf '%s' "CREATE TABLE e1 (id int);${B}CREATE INDEX CONCURRENTLY e1_i ON e1 (id);${B}SELECT * FROM not_there;" >"$EDIT/0000_half.sql"
new_db edit
export PGDATABASE=$DB
tm migrate --dir "$EDIT"
check "a statement fails at statement 3: exit 4, 2 of 3 completed" \
    test "$RC" = 4 -a -n "$(grep -F 'statements 1 to 2 of 3 completed and stay done' "$TMP/err")"
printf '%s' "CREATE TABLE e1 (id int);${B}CREATE INDEX CONCURRENTLY e1_i ON e1 (id);${B}SELECT 1;" >"$EDIT/0000_half.sql"
tm migrate --dir "$EDIT"
check "the file edited since: refused (exit 1), naming the migration and how far it got" \
    test "$RC" = 1 -a -n "$(grep -F 'migration "0000_half" was partly applied (2 of its statements) from a file that has been edited since' "$TMP/err")"
check "... nothing ran again" test "$(sql "$DB" "SELECT count(*) FROM pg_index WHERE indexrelid = 'e1_i'::regclass")" = 1

# ---------------------------------------------------------------------------------------------
echo "# --single-transaction and the extension's apply() refuse, naming the way through"
new_db single
export PGDATABASE=$DB
tm migrate --dir "$RUN" --single-transaction
check "--single-transaction: exit 4, refused before anything ran" \
    test "$RC" = 4 -a "$(rows_in "$DB")" = none -a -n "$(grep -F 'cannot run inside a migration applied by trovella_migrate' "$TMP/err")"
check "... the hint names migrate without --single-transaction" \
    err_has "trovella-migrate migrate, without --single-transaction, runs such a migration statement by statement outside a transaction"
check "... SQLSTATE 0A000" err_has "SQLSTATE: 0A000"
tm plan --dir "$RUN" --single-transaction
check "plan --single-transaction: refuses as migrate --single-transaction would (exit 4)" \
    test "$RC" = 4 -a -n "$(grep -F '"0001_sku_index" statement 4 of 5 (line 7): CREATE INDEX CONCURRENTLY' "$TMP/err")"
check "the SQL function apply() refuses it too, with the same hint" \
    test -n "$(psql -X -q -d "$DB" -v ON_ERROR_STOP=1 -c "SELECT * FROM trovella_migrate.apply(
        pg_read_file('$RUN/meta/_journal.json')::json,
        jsonb_build_object('0000_items', 'SELECT 1;', '0001_sku_index', 'CREATE INDEX CONCURRENTLY i ON items (id);',
                           '0002_maintenance', 'SELECT 1;', '0003_after', 'SELECT 1;'))" 2>&1 |
        grep -F 'runs such a migration statement by statement outside a transaction')"

# ---------------------------------------------------------------------------------------------
echo "# ALTER TYPE ... ADD VALUE, then a use of the value in a later migration"
ENUM=$TMP/enum
journal "$ENUM" 0000_type 0001_add_value 0002_use_value
printf '%s' "CREATE TYPE mood AS ENUM ('calm');" >"$ENUM/0000_type.sql"
printf '%s' "ALTER TYPE mood ADD VALUE 'cheerful';" >"$ENUM/0001_add_value.sql"
printf '%s' "CREATE TABLE feelings (m mood DEFAULT 'cheerful');${B}INSERT INTO feelings VALUES ('cheerful');" >"$ENUM/0002_use_value.sql"
new_db enum
export PGDATABASE=$DB
tm migrate --dir "$ENUM"
check "in one transaction: exit 4, PostgreSQL's 55P04" \
    test "$RC" = 4 -a -n "$(grep -F 'SQLSTATE: 55P04' "$TMP/err")" -a "$(rows_in "$DB")" = none
check "... the hint names --commit-each" err_has "trovella-migrate migrate --commit-each"
tm migrate --dir "$ENUM" --commit-each
check "--commit-each: exit 0, all three applied" test "$RC" = 0 -a "$(rows_in "$DB")" = 3
check "... the value is used" test "$(sql "$DB" "SELECT m FROM feelings")" = cheerful

echo "$PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
