#!/usr/bin/env bash
# shellcheck disable=SC2016  # the migration texts below hold $ on purpose
# The client with Drizzle 1.x's folder layout (doc/drizzle-v1.md), as a black box against a
# throwaway server, under either engine (TROVELLA_ENGINE): which folders are read and which are
# refused, every command on a version-1 table (status, verify, plan, migrate --to, --commit-each,
# baseline, repair, out of order, unknown rows), the upgrade of a version-0 table with its refusal
# and the owner's rights it needs, rows without a name, and a tracking table of another role.
# No npm needed: test/interop/v1/run.sh is the same against the real drizzle-orm.
#
#   test/client/drizzle_v1.sh   (as root; the extension and the client installed: make && make install)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

T=drizzle.__drizzle_migrations
[[ ${TROVELLA_ENGINE:-auto} == client ]] && ENGINE=client || ENGINE=extension
# folder DIR NAME TEXT...: DIR/NAME/migration.sql holding TEXT (printf %s)
folder() { mkdir -p "$1/$2" && printf '%s' "$3" >"$1/$2/migration.sql"; }
names() { sql "$1" "SELECT string_agg(coalesce(name, '<null>'), ' ' ORDER BY id) FROM $T"; }
columns() { sql "$1" "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '$T'::regclass AND attnum > 0 AND NOT attisdropped"; }
null_names() { sql "$1" "SELECT count(*) FROM $T WHERE name IS NULL"; }
table_exists() { [[ $(sql "$1" "SELECT to_regclass('$2') IS NOT NULL") == t ]]; }
state_of() { jq -r --arg t "$1" '.migrations[] | select(.tag == $t) | .state' "$TMP/out"; }

A=20260101000000_a B=20260101000001_b C=20260101000002_c
V1=$TMP/v1
folder "$V1" $A 'CREATE TABLE v1_a (id int);'
folder "$V1" $B $'CREATE TABLE v1_b (id int);--> statement-breakpoint\nINSERT INTO v1_b VALUES (1);'
folder "$V1" $C 'CREATE TABLE v1_c (id int);'
printf '%s\n' '{"id": "x", "prevIds": [], "version": "9", "dialect": "postgres"}' >"$V1/$A/snapshot.json"
echo "# Drizzle 1.x migrations folder" >"$V1/README.md"

# ---------------------------------------------------------------------------------------------
echo "# reading the folder"
new_db read
export PGDATABASE=$DB
tm migrate --dir "$V1" --json
check "a Drizzle 1.x folder: migrate exits 0" rc_is 0
check "--json: layout folders, the folder names applied, verified by both layers" \
    json_true ".layout == \"folders\" and .applied_tags == [\"$A\", \"$B\", \"$C\"] and .verified == true and .verify.verified == true and .engine == \"$ENGINE\""
check "the rows: named after the folders, created_at their UTC time, applied_at now()" test \
    "$(sql "$DB" "SELECT string_agg(name || ':' || created_at || ':' || (applied_at IS NOT NULL), ' ' ORDER BY id) FROM $T")" = \
    "$A:1767225600000:true $B:1767225601000:true $C:1767225602000:true"
check "the hash: sha256 of migration.sql" test "$(sql "$DB" "SELECT hash FROM $T WHERE name = '$B'")" = "$(file_hash "$V1/$B/migration.sql")"
check "the table: drizzle-orm 1.x's version 1" test "$(columns "$DB")" = id,hash,created_at,name,applied_at
(cd "$V1" && tm status && [[ $RC == 0 ]] && grep -qF "Migration state: 3 applied, 3 expected, 0 pending" "$TMP/out")
check "default --dir: the current directory when it holds migration folders" test $? = 0
mkdir -p "$TMP/app" && cp -r "$V1" "$TMP/app/drizzle"
(cd "$TMP/app" && tm status && [[ $RC == 0 ]] && grep -qF "$C" "$TMP/out")
check "default --dir: ./drizzle when it holds migration folders" test $? = 0
tm status --dir "$V1"
check "status: a table with the folder names and the summary line" test "$RC" = 0 -a \
    -n "$(grep -E "^2 +$C +applied +2026-01-01 00:00:02" "$TMP/out")" -a -n "$(grep -F 'Migration state: 3 applied, 3 expected, 0 pending' "$TMP/out")"

# The README's layer-2 CI step for Drizzle 1.x, as written (run from a copy of the folder).
readme_ci() {
    sed -n '/^- name: Verify (layer 2, Drizzle 1.x folders)/,/^  env:/p' "$ROOT/README.md" | sed -n '/^  run: |/,/^  env:/p' |
        sed '1d;$d' | sed 's/^    //' | sed "s|cd packages/db/src/migrations|cd '$1'|"
}
[[ -n $(readme_ci "$V1") ]] || not_ok "the README's Drizzle 1.x CI step is found"
DATABASE_URL=$(url_for "$DB") bash -c "$(readme_ci "$V1")" >"$TMP/out" 2>"$TMP/err"
RC=$?
check "the README's Drizzle 1.x layer-2 CI step passes on the migrated database" test "$RC" = 0 -a -n "$(grep -F ' 3 |      3 | t' "$TMP/out")"
mkdir -p "$TMP/ci-more" && cp -r "$V1/." "$TMP/ci-more/" && folder "$TMP/ci-more" 20260101000009_later 'SELECT 1;'
DATABASE_URL=$(url_for "$DB") bash -c "$(readme_ci "$TMP/ci-more")" >"$TMP/out" 2>"$TMP/err"
RC=$?
check "... and fails (non-zero, the wiki's line) when a folder is not applied" test "$RC" != 0 -a \
    -n "$(grep -F 'Migration count mismatch: database has 3 but expected 4' "$TMP/err")"

# What is no migration: warned about, never sent.
EXTRA=$TMP/extra
cp -r "$V1" "$EXTRA"
mkdir -p "$EXTRA/20260101000003_unfinished" "$EXTRA/seeds"
printf 'DROP TABLE v1_a;\n' >"$EXTRA/0003_loose.sql"
tm migrate --dir "$EXTRA"
check "extras beside the folders: migrate still exits 0, nothing more applied" test "$RC" = 0 -a "$(rows_in "$DB")" = 3
check "a timestamped folder without migration.sql is warned about" \
    err_has "warning: folder $EXTRA/20260101000003_unfinished has no migration.sql: it is not a migration and never runs (drizzle-orm 1.x skips it too)"
check "a .sql file outside any folder is warned about" \
    err_has "warning: $EXTRA/0003_loose.sql is not in a <YYYYMMDDHHMMSS>_<name>/ folder: it is not a migration and never runs"
check "... and never ran" table_exists "$DB" v1_a

# Refused before connecting (exit 2), each naming what is wrong.
MIXED=$TMP/mixed
cp -r "$V1" "$MIXED" && journal "$MIXED" 0000_old && printf 'SELECT 1;' >"$MIXED/0000_old.sql"
tm status --dir "$MIXED"
check "both layouts in one folder: exit 2" rc_is 2
check "... naming the folders beside the journal" \
    err_has "trovella-migrate: $MIXED holds both layouts: meta/_journal.json (drizzle-kit 0.x) and 3 Drizzle 1.x migration folders (\"$A\", \"$B\", \"$C\")"
check "... saying drizzle-orm 1.x refuses it and to run drizzle-kit up" \
    test -n "$(grep -F 'drizzle-orm 1.x refuses a migrations folder that still has meta/_journal.json' "$TMP/err")" \
         -a -n "$(grep -F 'hint: Run drizzle-kit up (drizzle-kit 1.x)' "$TMP/err")"
mkdir -p "$TMP/empty"
tm status --dir "$TMP/empty"
check "neither layout: exit 2, naming both" test "$RC" = 2 -a -n "$(grep -F "no meta/_journal.json in $TMP/empty and no Drizzle 1.x migration folder (<YYYYMMDDHHMMSS>_<name>/migration.sql)" "$TMP/err")"
BADNAME=$TMP/badname
folder "$BADNAME" custom 'SELECT 1;'
tm migrate --dir "$BADNAME"
check "a folder whose name has no UTC time: exit 2, the core's message" test "$RC" = 2 -a \
    -n "$(grep -F 'ERROR:  migration folder "custom": the name does not start with the 14 digits of a UTC time (YYYYMMDDHHMMSS)' "$TMP/err")" \
    -a -n "$(grep -F "invalid migrations folder $BADNAME: nothing was sent" "$TMP/err")"
rm -rf "$BADNAME" && folder "$BADNAME" 20260230120000_feb 'SELECT 1;'
tm migrate --dir "$BADNAME"
check "a folder name that is no real time (February 30): exit 2" test "$RC" = 2 -a \
    -n "$(grep -F '20260230120000 is not a UTC time (day 30 of month 02)' "$TMP/err")"
BADTEXT=$TMP/badtext
folder "$BADTEXT" 20260101000000_latin1 $'SELECT \'caf\xe9\';'
tm migrate --dir "$BADTEXT"
check "a migration.sql that is not UTF-8: exit 2 naming the file" test "$RC" = 2 -a \
    -n "$(grep -F "$BADTEXT/20260101000000_latin1/migration.sql is not valid UTF-8" "$TMP/err")"
new_db same
export PGDATABASE=$DB
SAME=$TMP/same
folder "$SAME" 20260101000000_y 'SELECT 1;'
folder "$SAME" 20260101000000_X 'SELECT 1;'
tm plan --dir "$SAME"
check "folders sharing a second: a warning naming them (and byte order: X before y)" test "$RC" = 0 -a \
    -n "$(grep -F 'warning: 2 migration folders share the second 2026-01-01 00:00:00 UTC ("20260101000000_X", "20260101000000_y")' "$TMP/err")" \
    -a "$(grep -c '^-- 20260101000000_' "$TMP/out")" = 2 -a "$(grep '^-- 20260101000000_' "$TMP/out" | head -1 | cut -c4-19)" = 20260101000000_X

# ---------------------------------------------------------------------------------------------
echo "# the commands on a version-1 table"
new_db cmds
export PGDATABASE=$DB
tm plan --dir "$V1" --json
check "plan: the folders' statements" json_true ".statement_count == 4 and .statements[1].tag == \"$B\" and .statements[2].statement == 2"
tm migrate --dir "$V1" --to $A
check "migrate --to FOLDER: exit 0, only it applied" test "$RC" = 0 -a "$(names "$DB")" = $A
check "... layer 2 against the folder up to it" out_has "Layer 2 verification (folder up to $A): folder has 1 migrations, database has 1: ok"
tm migrate --dir "$V1" --to 20260101000000_nope
check "--to an unknown folder: exit 2, naming the folder's range" test "$RC" = 2 -a \
    -n "$(grep -F -- "--to: unknown tag \"20260101000000_nope\": no migration folder of $V1 has it (the migrations folder runs from \"$A\" to \"$C\")" "$TMP/err")"
tm baseline --dir "$V1" --through $B
check "baseline --through FOLDER: records it named, runs nothing" test "$RC" = 0 -a "$(names "$DB")" = "$A $B" -a "$(sql "$DB" "SELECT to_regclass('v1_b') IS NULL")" = t
tm migrate --dir "$V1" --commit-each
check "migrate --commit-each: the rest (exit 0)" test "$RC" = 0 -a "$(names "$DB")" = "$A $B $C"
EDITED=$TMP/edited
cp -r "$V1" "$EDITED" && printf 'CREATE TABLE v1_c (id bigint);' >"$EDITED/$C/migration.sql"
tm verify --dir "$EDITED"
check "verify with an edited file: exit 1, modified named" test "$RC" = 1 -a -n "$(grep -F "modified: \"$C\" was applied with hash" "$TMP/err")"
tm migrate --dir "$EDITED" --allow-modified
check "migrate --allow-modified: exit 0, layer 2 (folder names only, no hashes) passes" test "$RC" = 0 -a \
    -n "$(grep -F 'Layer 2 verification: folder has 3 migrations, database has 3: ok' "$TMP/out")"
tm repair $C --dir "$EDITED"
check "repair FOLDER: the row found by name gets the new hash" test "$RC" = 0 -a \
    "$(sql "$DB" "SELECT hash FROM $T WHERE name = '$C'")" = "$(file_hash "$EDITED/$C/migration.sql")"
# A folder merged from a branch, older than the last applied one.
MERGED=$TMP/merged
cp -r "$EDITED" "$MERGED" && folder "$MERGED" 20260101000001_a_branch 'CREATE TABLE v1_branch (id int);'
tm status --dir "$MERGED" --json
check "status: the merged folder is out_of_order (exit 1)" test "$RC" = 1 -a "$(state_of 20260101000001_a_branch)" = out_of_order
tm migrate --dir "$MERGED"
check "migrate refuses it (exit 1), saying it sorts before the last applied folder, naming the flag" test "$RC" = 1 -a \
    -n "$(grep -F "out of order: \"20260101000001_a_branch\" sorts before \"$C\", the last applied migration folder" "$TMP/err")" \
    -a -n "$(grep -F 'hint: --allow-out-of-order applies the out-of-order migrations' "$TMP/err")"
tm migrate --dir "$MERGED" --allow-out-of-order
check "migrate --allow-out-of-order applies it (exit 0)" test "$RC" = 0 -a "$(names "$DB")" = "$A $B $C 20260101000001_a_branch"
sql "$DB" "INSERT INTO $T (hash, created_at, name) VALUES ('x', 1, '20990101000000_elsewhere')" >/dev/null
tm migrate --dir "$MERGED"
check "a row whose name no folder has: exit 1, unknown, the wiki's line" test "$RC" = 1 -a \
    -n "$(grep -F 'ERROR:  Database has 5 migrations but local journal only has 4' "$TMP/err")" \
    -a -n "$(grep -F 'unknown: tracking row id 5 (name "20990101000000_elsewhere", created_at 1, hash x) matches no migration folder' "$TMP/err")"
tm status --dir "$MERGED"
check "status shows it unknown: a tracking row the migrations folder lacks" test "$RC" = 1 -a \
    -n "$(grep -F 'unknown' "$TMP/out" | grep -F 'that the migrations folder lacks')"

# ---------------------------------------------------------------------------------------------
echo "# rows without a name in a version-1 table"
new_db nameless
export PGDATABASE=$DB
tm migrate --dir "$V1" --to $B >/dev/null
# drizzle-orm 0.x writes (hash, created_at) only: here, a row for c without a name.
sql "$DB" "CREATE TABLE v1_c (id int); INSERT INTO $T (hash, created_at) VALUES ('$(file_hash "$V1/$C/migration.sql")', 1767225602000)" >/dev/null
tm status --dir "$V1"
check "status: c is applied (exit 0), with a warning that drizzle-orm 1.x would run it again" test "$RC" = 0 -a \
    -n "$(grep -F "warning: no name: tracking row id 3 has no name, so drizzle-orm 1.x would run \"$C\" again; the next apply names it" "$TMP/err")"
tm verify --dir "$V1"
check "verify fails (exit 1) naming it" test "$RC" = 1 -a -n "$(grep -F 'no name: tracking row id 3 has no name' "$TMP/err")"
tm migrate --dir "$V1"
check "migrate names it (exit 0), runs nothing, says so" test "$RC" = 0 -a "$(null_names "$DB")" = 0 -a \
    -n "$(grep -F "warning: named 1 tracking row that had no name (id 3 \"$C\")" "$TMP/err")" -a -z "$(grep '^applying' "$TMP/out")"
tm verify --dir "$V1"
check "verify then passes" rc_is 0

# ---------------------------------------------------------------------------------------------
echo "# the upgrade of a version-0 table"
OLD=$TMP/old
journal "$OLD" 0000_a 0001_b
printf 'CREATE TABLE v1_a (id int);' >"$OLD/0000_a.sql"
printf 'CREATE TABLE v1_b (id int);--> statement-breakpoint\nINSERT INTO v1_b VALUES (1);' >"$OLD/0001_b.sql"
# drizzle-kit up's folders for it (journal when = WHEN0 + position: 2023-11-14 22:13:20.000 and .001)
UP=$TMP/up
folder "$UP" 20231114221320_a "$(cat "$OLD/0000_a.sql")"
folder "$UP" 20231114221320_b "$(cat "$OLD/0001_b.sql")"
folder "$UP" 20231114221321_c 'CREATE TABLE v1_c (id int);'
new_db upgrade
export PGDATABASE=$DB
tm migrate --dir "$OLD"
check "the 0.x folder: a version-0 table" test "$RC" = 0 -a "$(columns "$DB")" = id,hash,created_at
tm plan --dir "$UP"
check "plan: only c, the table still version 0 afterwards" test "$RC" = 0 -a \
    "$(grep -c '^-- ' "$TMP/out")" = 1 -a "$(columns "$DB")" = id,hash,created_at -a \
    -n "$(grep -F "tracking table $T is Drizzle's version 0 (it has no column name)" "$TMP/out")"
tm migrate --dir "$UP" --commit-each
check "migrate --commit-each on the converted folder: upgraded, then c (exit 0)" test "$RC" = 0 -a \
    -n "$(grep -F "Upgraded tracking table $T to Drizzle 1.x's version 1 as drizzle-orm 1.x does" "$TMP/out")" \
    -a "$(names "$DB")" = "20231114221320_a 20231114221320_b 20231114221321_c"
check "... the old rows keep their ids, hashes and ms, applied_at NULL; the new one has applied_at" test \
    "$(sql "$DB" "SELECT string_agg(id || ':' || created_at || ':' || (applied_at IS NULL), ' ' ORDER BY id) FROM $T")" = \
    "1:1700000000000:true 2:1700000000001:true 3:1700000001000:false"
# The refusal, before any change.
new_db refuse
export PGDATABASE=$DB
tm migrate --dir "$OLD" >/dev/null
sql "$DB" "INSERT INTO $T (hash, created_at) VALUES ('deadbeef', 1600000000000)" >/dev/null
tm migrate --dir "$UP" --json
check "a row no folder matches: exit 1 (SQLSTATE 55000), the table still version 0, nothing ran" \
    json_true '.exit_code == 1 and .error.sqlstate == "55000"'
check "... naming the row and why" json_true \
    '.error.message == "cannot upgrade tracking table drizzle.__drizzle_migrations to Drizzle 1.x'"'"'s version 1: 1 row (id 3) matches no migration folder" and (.error.detail | contains("no migration folder is from its second (2020-09-13 12:26:40 UTC) and none has its hash"))'
check "... and changed nothing" test "$(columns "$DB")" = id,hash,created_at -a "$(sql "$DB" "SELECT to_regclass('v1_c') IS NULL")" = t
tm status --dir "$UP" --json
check "status shows that row unknown (exit 1)" json_true '.exit_code == 1 and .counts.unknown == 1 and .counts.applied == 2'

# The owner's rights: the upgrade adds columns.
new_db owner
export PGDATABASE=$DB
sql "$DB" "DO \$\$ BEGIN CREATE ROLE tm_v1_owner; CREATE ROLE tm_v1_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$;
           GRANT CREATE ON DATABASE \"$DB\" TO tm_v1_app, tm_v1_owner; GRANT CREATE ON SCHEMA public TO tm_v1_app;
           GRANT EXECUTE ON FUNCTION trovella_migrate.apply(json, jsonb, jsonb), trovella_migrate.verify(json, jsonb, jsonb),
             trovella_migrate.status(json, jsonb, jsonb) TO tm_v1_app;
           CREATE SCHEMA drizzle AUTHORIZATION tm_v1_owner;
           SET ROLE tm_v1_owner;
           CREATE TABLE $T (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
           RESET ROLE;
           GRANT USAGE ON SCHEMA drizzle TO tm_v1_app; GRANT SELECT, INSERT, UPDATE ON $T TO tm_v1_app;
           GRANT USAGE ON SEQUENCE drizzle.__drizzle_migrations_id_seq TO tm_v1_app" >/dev/null
PGUSER=tm_v1_app tm migrate --dir "$OLD"
check "a role with SELECT, INSERT, UPDATE on another role's table: the 0.x folder applies (exit 0)" rc_is 0
PGUSER=tm_v1_app tm migrate --dir "$UP"
check "... the upgrade is refused: exit 5, only the owner may add the columns, the table unchanged" test "$RC" = 5 -a \
    -n "$(grep -F "permission denied to upgrade tracking table $T to Drizzle 1.x's version 1: apply() must add the columns name and applied_at, which only the table's owner tm_v1_owner may" "$TMP/err")" \
    -a "$(columns "$DB")" = id,hash,created_at
check "... the hint: run it once as the owner, or the GRANT" \
    err_has "Run this first apply() of the Drizzle 1.x folder as tm_v1_owner or a superuser (afterwards tm_v1_app needs no more than it has now), or, as a superuser: GRANT tm_v1_owner TO tm_v1_app;"
tm migrate --dir "$UP" --to 20231114221320_b
check "a superuser upgrades the table that stays the owner's (exit 0)" test "$RC" = 0 -a \
    "$(columns "$DB")" = id,hash,created_at,name,applied_at -a "$(sql "$DB" "SELECT relowner::regrole FROM pg_class WHERE oid = '$T'::regclass")" = tm_v1_owner
PGUSER=tm_v1_app tm migrate --dir "$UP"
check "then the role applies into the owner's version-1 table (its applied_at DEFAULT now() is no code of the owner's): exit 0" \
    test "$RC" = 0 -a "$(names "$DB")" = "20231114221320_a 20231114221320_b 20231114221321_c" -a "$(null_names "$DB")" = 0

# An extension too old to read Drizzle 1.x folders (the version the client sees, set back).
if [[ $ENGINE == extension ]]; then
    new_db oldext
    sql "$DB" "UPDATE pg_extension SET extversion = '0.2.0' WHERE extname = 'trovella_migrate'" >/dev/null
    PGDATABASE=$DB tm status --dir "$V1"
    check "an extension too old to read folders (0.2.0): exit 2, update it or use the client engine" test "$RC" = 2 -a \
        -n "$(grep -F 'the installed trovella_migrate extension (version 0.2.0) cannot read a Drizzle 1.x migrations folder' "$TMP/err")" \
        -a -n "$(grep -F 'ALTER EXTENSION trovella_migrate UPDATE;' "$TMP/err")"
fi

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
