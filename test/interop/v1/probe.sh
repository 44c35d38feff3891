#!/usr/bin/env bash
# Establishes, against a real PostgreSQL and the pinned drizzle-orm / drizzle-kit 1.x, every fact
# that doc/drizzle-v1.md states about Drizzle 1.x: the folder layout, the tracking table, what is
# pending, the upgrade of a version-0 table, the hash, and what a writer of tracking rows must do.
# Each check names the section of the document it proves; a newer release candidate that changes
# behaviour fails here first.
#
#   bash test/interop/v1/probe.sh     against the server of the PG* variables when one answers,
#                                     else a throwaway one (test/lib/server.sh)
#
# Needs node and npm (npm ci of the pinned packages when node_modules is missing or stale). Creates
# and drops its own databases (tm_v1_*). Ends with "N passed, M failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
. "$ROOT/test/lib/check.sh"

packages_current() {
  (cd "$HERE" && node -e '
    const fs = require("fs");
    const pinned = JSON.parse(fs.readFileSync("package.json", "utf8")).dependencies;
    for (const [name, version] of Object.entries(pinned)) {
      const got = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
      if (got !== version) process.exit(1);
    }' 2>/dev/null)
}
if ! packages_current; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) 2>&1 | sed 's/^/#   /'
  packages_current || { check "npm ci installs the pinned packages" false; finish; exit 1; }
fi
echo "# $(cd "$HERE" && node -p 'const v = n => require(`./node_modules/${n}/package.json`).version;
  `drizzle-orm ${v("drizzle-orm")}, drizzle-kit ${v("drizzle-kit")}, pg ${v("pg")}`'), node $(node --version)"
if ! pg_isready -q 2>/dev/null; then
  . "$ROOT/test/lib/server.sh"
  start_server || { check "a throwaway server starts" false; finish; exit 1; }
  echo "# started a throwaway server on port $PGPORT"
fi

TMP=$(mktemp -d /tmp/trovella-v1-probe.XXXXXX)
DBS=()
cleanup() {
  for db in "${DBS[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done
  rm -rf "$TMP"
  declare -F stop_server >/dev/null && stop_server
}
trap cleanup EXIT
F=$HERE/fixtures
K=$HERE/node_modules/.bin/drizzle-kit
export LC_ALL=C.UTF-8 LANG=C.UTF-8   # drizzle-orm's folder order depends on the locale (see L4)

sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
new_db() { dropdb --if-exists "$1" >/dev/null 2>&1; createdb "$1" && DBS+=("$1"); }
T='drizzle.__drizzle_migrations'
V0_DDL="CREATE SCHEMA drizzle; CREATE TABLE $T (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)"
V1_DDL="CREATE SCHEMA drizzle; CREATE TABLE $T (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint, name text, applied_at timestamp with time zone DEFAULT now())"
# a database with a version-0 table (drizzle-orm 0.x's DDL) and the given rows: v0_db DB "(hash, created_at), ..."
v0_db() { new_db "$1" && sql "$1" "$V0_DDL" >/dev/null && { [ -z "${2:-}" ] || sql "$1" "INSERT INTO $T (hash, created_at) VALUES $2" >/dev/null; }; }
# drizzle-orm 1.x migrate(): drizzle FOLDER DB; stdout+stderr (with every query: DRIZZLE_LOG) in $TMP/out
drizzle() { DRIZZLE_LOG=1 node "$HERE/drizzle-migrate.mjs" "$1" "$2" >"$TMP/out" 2>&1; }
out() { cat "$TMP/out"; }
queries() { grep '^query: ' "$TMP/out" | sed 's/^query: //'; }
# the tracking rows: id|hash|created_at|name|applied_at set or null, in id order
rows() { sql "$1" "SELECT id, hash, created_at, coalesce(name, '<null>'), CASE WHEN applied_at IS NULL THEN 'null' ELSE 'set' END FROM $T ORDER BY id"; }
v0_rows() { sql "$1" "SELECT id, hash, created_at FROM $T ORDER BY id"; }
names() { sql "$1" "SELECT string_agg(coalesce(name, '<null>'), ' ' ORDER BY id) FROM $T"; }
count() { sql "$1" "SELECT count(*) FROM $T"; }
columns() { sql "$1" "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '$T'::regclass AND attnum > 0 AND NOT attisdropped"; }
sha() { sha256sum "$1" | cut -c1-64; }
# created_at of a folder name, computed here (not with drizzle's code): UTC of the first 14 digits, ms
millis() { node -e 'const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(process.argv[1]);
  console.log(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]))' "$1"; }
# the rows drizzle-orm 1.x writes for FOLDER: hash|created_at|name per migration, in folder order
expected_rows() {
  for d in $(cd "$1" && ls -d */ | tr -d / | sort); do
    [ -f "$1/$d/migration.sql" ] && echo "$(sha "$1/$d/migration.sql")|$(millis "$d")|$d"
  done
}
# the name drizzle-kit up gives a 0.x journal entry: UTC YYYYMMDDHHMMSS of `when`, "_", the tag after its first "_"
up_name() { node -e 'const [tag, when] = process.argv.slice(1); const d = new Date(Number(when)), p = (n) => String(n).padStart(2, "0");
  console.log(`${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}_${tag.split("_").slice(1).join("_")}`)' "$1" "$2"; }
journal() { node -e 'for (const e of require(process.argv[1]).entries) console.log(e.tag, e.when)' "$1/meta/_journal.json"; }

M=$F/migrations
S0=$F/same-second
mapfile -t FOLDERS < <(cd "$M" && ls -d */ | tr -d / | sort)
INIT=${FOLDERS[0]} BRANCH=${FOLDERS[1]} COMMENTS=${FOLDERS[2]} DETAILS=${FOLDERS[3]}

# =================================================================================================
echo "# L. the folder layout"
check "L1: fixtures/migrations: four folders <14 digits>_<name>, each with migration.sql and snapshot.json" test \
  "$(cd "$M" && ls */migration.sql */snapshot.json | wc -l) $(printf '%s\n' "${FOLDERS[@]}" | grep -cE '^[0-9]{14}_[a-z_]+$')" = "8 4"
check "L1: in folder order: init, branch_audit_log, comments_and_due_dates, audit_log_details" test \
  "$(printf '%s\n' "${FOLDERS[@]}" | cut -c16- | tr '\n' ' ')" = "init branch_audit_log comments_and_due_dates audit_log_details "
check "L1: no meta/ and no _journal.json" test ! -e "$M/meta"
check "L1: audit_log_details is a merge: its snapshot has two parents (prevIds)" test \
  "$(node -p "require('$M/$DETAILS/snapshot.json').prevIds.length")" = 2

# L2: the timestamp is UTC whatever TZ says, and at least one second after every parent
mkdir -p "$TMP/tz"
before=$(date -u +%Y%m%d%H%M%S)
(cd "$TMP" && TZ=Pacific/Kiritimati INTEROP_SCHEMA="$HERE/schema/gen1.ts" INTEROP_OUT=./tz "$K" generate --config="$HERE/drizzle.config.ts" --name=tz </dev/null) >/dev/null 2>&1
after=$(date -u +%Y%m%d%H%M%S)
tz=$(cd "$TMP/tz" && ls -d *_tz 2>/dev/null | cut -c1-14)
check "L2: generate under TZ=Pacific/Kiritimati (UTC+14) names the folder with the UTC time ($tz in [$before, $after])" \
  test -n "$tz" -a "$tz" -ge "$before" -a "$tz" -le "$after"
mv "$TMP"/tz/*_tz "$TMP/tz/20991231235958_tz"
(cd "$TMP" && INTEROP_SCHEMA="$HERE/schema/gen1.ts" INTEROP_OUT=./tz "$K" generate --config="$HERE/drizzle.config.ts" --custom --name=next </dev/null) >/dev/null 2>&1
check "L2: after a parent named 20991231235958, generate names the next one 20991231235959 (max(now, parent + 1 s))" \
  test -d "$TMP/tz/20991231235959_next"

# L3: the old layout
new_db tm_v1_old
drizzle "$ROOT/test/interop/fixtures/migrations" tm_v1_old; rc=$?
check "L3: drizzle-orm 1.x refuses a folder with meta/_journal.json (exit 1)" test "$rc" = 1
check_contains "L3: ... with this text" 'We detected that you have old drizzle-kit migration folders. You must upgrade drizzle-kit and run "drizzle-kit up"' "$(out)"
check "L3: ... before touching the database (no query, no schema drizzle)" test \
  "$(queries | wc -l)$(sql tm_v1_old "SELECT count(*) FROM pg_namespace WHERE nspname = 'drizzle'")" = 00
cp -r "$M" "$TMP/mixed" && mkdir -p "$TMP/mixed/meta" && echo '{}' >"$TMP/mixed/meta/_journal.json"
drizzle "$TMP/mixed" tm_v1_old; rc=$?
check "L3: ... also when the v1 folders are there beside a meta/_journal.json" test "$rc" = 1
kit_out=$(cd "$TMP" && INTEROP_OUT="$ROOT/test/interop/fixtures/migrations" INTEROP_DATABASE=tm_v1_old "$K" migrate --config="$HERE/drizzle.config.ts" </dev/null 2>&1)
check_contains "L3: drizzle-kit 1.x migrate refuses it too" 'Your migrations folder format is outdated, please run drizzle-kit up' "$kit_out"

# L4: order and the folders that count
new_db tm_v1_order
drizzle "$F/collation" tm_v1_order; rc=$?
check "L4: a folder without migration.sql and a file (README.md) are ignored (exit 0, 10 rows)" test "$rc $(count tm_v1_order)" = "0 10"
check "L4: same timestamp: ordered by localeCompare under en-US: _x 10 9 a aa B é z (bytes: 10 9 B _x a aa z é)" test \
  "$(sql tm_v1_order "SELECT string_agg(step, ' ' ORDER BY id) FROM collation_steps")" = "_x 10 9 a aa B é z last"
check "L4: ... and all eight rows have the same created_at (1767225600000)" test \
  "$(sql tm_v1_order "SELECT count(*) FROM $T WHERE created_at = 1767225600000")" = 8
new_db tm_v1_order_da
LC_ALL=da_DK.UTF-8 LANG=da_DK.UTF-8 node "$HERE/drizzle-migrate.mjs" "$F/collation" tm_v1_order_da >/dev/null 2>&1
check "L4: under LC_ALL=da_DK.UTF-8 the same folder runs in another order: _x 10 9 a B é z aa" test \
  "$(sql tm_v1_order_da "SELECT string_agg(step, ' ' ORDER BY id) FROM collation_steps")" = "_x 10 9 a B é z aa last"

# L5: a name that does not start with 14 digits
mkdir -p "$TMP/bad/custom" && echo 'CREATE TABLE bad_ran (id int);' >"$TMP/bad/custom/migration.sql"
new_db tm_v1_bad
drizzle "$TMP/bad" tm_v1_bad; rc=$?
check "L5: a folder named 'custom' gets created_at NaN: the INSERT fails (exit 1)" test "$rc" = 1
check_contains "L5: ... with this error" '(invalid input syntax for type bigint: "NaN")' "$(out)"
check "L5: ... and its statements are rolled back with it" test "$(sql tm_v1_bad "SELECT to_regclass('bad_ran') IS NULL")" = t

# L6: drizzle-kit up on the 0.x layout
cp -r "$F/v0" "$TMP/up"
(cd "$TMP" && INTEROP_OUT=./up "$K" up --config="$HERE/drizzle.config.ts" </dev/null) >"$TMP/up.out" 2>&1; rc=$?
check "L6: drizzle-kit up converts fixtures/v0 (exit 0)" test "$rc" = 0
check "L6: ... into exactly fixtures/up (up is deterministic: same names, bytes, snapshots)" diff -r "$TMP/up" "$F/up"
check "L6: ... meta/ (journal and snapshots) and the NNNN_tag.sql files are gone" test \
  "$(cd "$TMP/up" && ls -d meta *.sql 2>/dev/null | wc -l)" = 0
ok=true
while read -r tag when; do
  name=$(up_name "$tag" "$when")
  cmp -s "$F/v0/$tag.sql" "$F/up/$name/migration.sql" || ok=false
done < <(journal "$F/v0")
check "L6: each folder is <UTC YYYYMMDDHHMMSS of when>_<tag after its first _>, migration.sql the same bytes" $ok
check "L6: ... and snapshot.json in format 9 (the first a base, the others diffs)" test \
  "$(for d in "$F"/up/*/; do node -p "const s = require('${d}snapshot.json'); s.version + s.type"; done | tr '\n' ' ')" = "9base 9diff 9diff "
cp -r "$F/up" "$TMP/up-again"
(cd "$TMP" && INTEROP_OUT=./up-again "$K" up --config="$HERE/drizzle.config.ts" </dev/null) >/dev/null 2>&1
check "L6: up on an already converted folder changes nothing" diff -r "$TMP/up-again" "$F/up"

# L7: up refuses a journal whose entries share a second with names in the wrong order
cp -r "$ROOT/test/interop/fixtures/migrations" "$TMP/same"
up_out=$(cd "$TMP" && INTEROP_OUT=./same "$K" up --config="$HERE/drizzle.config.ts" </dev/null 2>&1); rc=$?
check "L7: up refuses ../fixtures/migrations (0000 and 0001 in the same second; exit 1)" test "$rc" = 1
check_contains "L7: ... with this text" 'After drizzle-kit up moves the migrations into folders, migration 0001_comments_and_due_dates sorts before its parent 0000_init, so migrate can run it first. drizzle-kit up names each folder after the time in `when` of its journal entry. No file was changed. In meta/_journal.json, set `when` of 0001_comments_and_due_dates to a time at least one second after `when` of 0000_init, then run drizzle-kit up again.' "$up_out"
check "L7: ... and changes no file" diff -r "$TMP/same" "$ROOT/test/interop/fixtures/migrations"

# =================================================================================================
echo "# T. the version-1 tracking table, what is pending, what is written"
new_db tm_v1_fresh
drizzle "$M" tm_v1_fresh; rc=$?
check "T1: drizzle-orm 1.x applies fixtures/migrations on a fresh database (exit 0)" test "$rc" = 0
ddl='id|integer|t|nextval('"'"'drizzle.__drizzle_migrations_id_seq'"'"'::regclass)
hash|text|t|
created_at|bigint|f|
name|text|f|
applied_at|timestamp with time zone|f|now()'
check "T1: the table: id serial primary key, hash text not null, created_at bigint, name text, applied_at timestamptz default now()" test \
  "$(sql tm_v1_fresh "SELECT attname, format_type(atttypid, atttypmod), attnotnull, coalesce(pg_get_expr(d.adbin, d.adrelid), '') FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE attrelid = '$T'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")" = "$ddl"
check "T1: ... its only constraint the primary key __drizzle_migrations_pkey; no index on name, no unique" test \
  "$(sql tm_v1_fresh "SELECT string_agg(conname || ':' || contype::text, ',') FROM pg_constraint WHERE conrelid = '$T'::regclass")|$(sql tm_v1_fresh "SELECT count(*) FROM pg_index WHERE indrelid = '$T'::regclass")" = "__drizzle_migrations_pkey:p|1"
check_contains "T1: the DDL as sent" 'CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" ( id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint, name text, applied_at timestamp with time zone DEFAULT now() )' "$(queries)"
check_contains "T1: ... after CREATE SCHEMA and the existence test" 'CREATE SCHEMA IF NOT EXISTS "drizzle"
SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2 -- params: ["drizzle","__drizzle_migrations"]
CREATE TABLE IF NOT EXISTS' "$(queries)"
check_contains "T2: what is pending: every row's id, hash, created_at, name read before the transaction" 'select id, hash, created_at, name from "drizzle"."__drizzle_migrations"
begin' "$(queries)"
check_contains "T2: one INSERT per migration, inside the one transaction, after its statements" "ALTER TABLE \"audit_log\" ADD COLUMN \"details\" jsonb;
insert into \"drizzle\".\"__drizzle_migrations\" (\"hash\", \"created_at\", \"name\") values(\$1, \$2, \$3) -- params: [\"$(sha "$M/$DETAILS/migration.sql")\",$(millis "$DETAILS"),\"$DETAILS\"]
commit" "$(queries)"
check "T2: the rows: hash = sha256 of migration.sql, created_at = UTC ms of the folder's timestamp, name = the folder name" \
  diff <(sql tm_v1_fresh "SELECT hash || '|' || created_at || '|' || name FROM $T ORDER BY id") <(expected_rows "$M")
check "T2: applied_at = now() of the one transaction: the same for all four, not NULL" test \
  "$(sql tm_v1_fresh "SELECT count(DISTINCT applied_at)::text || count(applied_at) FROM $T")" = 14
drizzle "$M" tm_v1_fresh; rc=$?
check "T3: run again: exit 0, no INSERT, still 4 rows" test "$rc $(queries | grep -c '^insert') $(count tm_v1_fresh)" = "0 0 4"
check "T3: ... the queries of a run with nothing to do" test "$(queries | cut -c1-40 | tr '\n' '/')" = \
  'CREATE SCHEMA IF NOT EXISTS "drizzle"/SELECT 1 FROM information_schema.tables /SELECT n.nspname AS "schema", c.relname /select id, hash, created_at, name from "/begin/commit/'

# T4: pending is by name only
new_db tm_v1_names
sql tm_v1_names "$V1_DDL" >/dev/null
pg_dump --schema-only --exclude-schema=drizzle tm_v1_fresh | psql -X -q -d tm_v1_names >/dev/null
sql tm_v1_names "INSERT INTO $T (hash, name) SELECT 'not-a-hash', unnest(ARRAY['$INIT','$BRANCH','$COMMENTS','$DETAILS'])" >/dev/null
drizzle "$M" tm_v1_names; rc=$?
check "T4: rows with only name (hash 'not-a-hash', created_at NULL, applied_at default) are enough: nothing runs (exit 0, no INSERT)" \
  test "$rc $(queries | grep -c '^insert')" = "0 0"
sql tm_v1_names "INSERT INTO $T (hash, created_at, name) VALUES ('zzz', 1, '20990101000000_from_another_branch')" >/dev/null
drizzle "$M" tm_v1_names; rc=$?
check "T4: a row whose name no folder has is ignored: no error, nothing runs" test "$rc $(queries | grep -c '^insert')" = "0 0"
for variant in "NULL:a NULL name" "upper('$INIT'):the name in upper case" "'$INIT ':the name with a trailing space"; do
  sql tm_v1_names "UPDATE $T SET name = ${variant%%:*} WHERE id = 1" >/dev/null
  drizzle "$M" tm_v1_names; rc=$?
  check "T4: ${variant#*:} for init: drizzle-orm runs init again (fails: type \"task_status\" already exists)" test "$rc" = 1
  check_contains "T4: ... (${variant#*:})" 'type "task_status" already exists' "$(out)"
  sql tm_v1_names "UPDATE $T SET name = '$INIT' WHERE id = 1" >/dev/null
done

# T5: out of order: a folder older than the newest row is applied, silently
new_db tm_v1_ooo
mkdir -p "$TMP/main-line" && cp -r "$M/$INIT" "$M/$COMMENTS" "$TMP/main-line/"
drizzle "$TMP/main-line" tm_v1_ooo
drizzle "$M" tm_v1_ooo; rc=$?
check "T5: after init + comments_and_due_dates, the merged folder runs branch_audit_log (older) and audit_log_details (exit 0)" \
  test "$rc $(names tm_v1_ooo)" = "0 $INIT $COMMENTS $BRANCH $DETAILS"
check "T5: ... and says nothing" test "$(grep -vc '^query: ' "$TMP/out")" = 0

# T6: one transaction for all pending migrations
mkdir -p "$TMP/tx/20260101000000_ok" "$TMP/tx/20260101000001_fails"
echo 'CREATE TABLE tx_ok (id int);' >"$TMP/tx/20260101000000_ok/migration.sql"
echo 'SELECT 1/0;' >"$TMP/tx/20260101000001_fails/migration.sql"
new_db tm_v1_tx
drizzle "$TMP/tx" tm_v1_tx; rc=$?
check "T6: the second migration fails: exit 1, and the first is rolled back with it (no tx_ok, no row)" test \
  "$rc $(sql tm_v1_tx "SELECT to_regclass('tx_ok') IS NULL") $(count tm_v1_tx)" = "1 t 0"

# T7: no lock: two concurrent runs both apply the same migration
mkdir -p "$TMP/slow/20260101000000_slow"
printf 'INSERT INTO hits DEFAULT VALUES;--> statement-breakpoint\nSELECT pg_sleep(1.5);' >"$TMP/slow/20260101000000_slow/migration.sql"
new_db tm_v1_lock
sql tm_v1_lock "CREATE TABLE hits (at timestamptz DEFAULT clock_timestamp()); $V1_DDL" >/dev/null
node "$HERE/drizzle-migrate.mjs" "$TMP/slow" tm_v1_lock & p1=$!
node "$HERE/drizzle-migrate.mjs" "$TMP/slow" tm_v1_lock & p2=$!
wait $p1; rc1=$?; wait $p2; rc2=$?
check "T7: no lock: two concurrent migrate() both run it (exit 0 0, 2 hits, 2 rows with the same name)" test \
  "$rc1 $rc2 $(sql tm_v1_lock "SELECT count(*) FROM hits") $(sql tm_v1_lock "SELECT count(*) FROM $T WHERE name = '20260101000000_slow'")" = "0 0 2 2"

# T8: the hash
mkdir -p "$TMP/enc/20260101000000_crlf" "$TMP/enc/20260101000001_latin1" "$TMP/bom/20260101000000_bom"
printf 'CREATE TABLE h1 (id int);\r\n--> statement-breakpoint\r\nCREATE TABLE h2 (id int);\r\n' >"$TMP/enc/20260101000000_crlf/migration.sql"
printf "CREATE TABLE h3 (t text DEFAULT 'caf\xe9');" >"$TMP/enc/20260101000001_latin1/migration.sql"
printf '\xef\xbb\xbfCREATE TABLE h4 (id int);' >"$TMP/bom/20260101000000_bom/migration.sql"
new_db tm_v1_hash
drizzle "$TMP/enc" tm_v1_hash
check "T8: CRLF: the hash is SHA-256 of the bytes (CR kept)" test \
  "$(sql tm_v1_hash "SELECT hash FROM $T WHERE name = '20260101000000_crlf'")" = "$(sha "$TMP/enc/20260101000000_crlf/migration.sql")"
check "T8: invalid UTF-8 (a Latin-1 é): the hash is NOT of the bytes but of the text with U+FFFD (EF BF BD) in its place" test \
  "$(sql tm_v1_hash "SELECT hash FROM $T WHERE name = '20260101000001_latin1'")" = \
  "$(printf "CREATE TABLE h3 (t text DEFAULT 'caf\xef\xbf\xbd');" | sha256sum | cut -c1-64)"
check "T8: ... and U+FFFD is what reaches the server" test \
  "$(sql tm_v1_hash "SELECT column_default FROM information_schema.columns WHERE table_name = 'h3'")" = "'caf�'::text"
drizzle "$TMP/bom" tm_v1_hash; rc=$?
check "T8: a leading BOM is sent: PostgreSQL rejects it (exit 1)" test "$rc" = 1
check_contains "T8: ... syntax error at the BOM" "$(printf 'syntax error at or near "\xef\xbb\xbfCREATE"')" "$(out)"
check "T8: ... and its hash (readMigrationFiles) covers the BOM: sha256 of the bytes" test \
  "$(cd "$HERE" && node -e 'import("drizzle-orm/migrator").then((m) => console.log(m.readMigrationFiles({ migrationsFolder: process.argv[1] })[0].hash))' "$TMP/bom")" = \
  "$(sha "$TMP/bom/20260101000000_bom/migration.sql")"

# T9: the version is the presence of a column called name, nothing else
new_db tm_v1_version
sql tm_v1_version "CREATE SCHEMA drizzle; CREATE TABLE $T (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint, name text)" >/dev/null
drizzle "$S0" tm_v1_version; rc=$?
check "T9: a table (id, hash, created_at, name) without applied_at counts as version 1: no ALTER, the INSERTs work, applied_at is not added" \
  test "$rc $(queries | grep -c '^ALTER TABLE \"drizzle\"') $(count tm_v1_version) $(columns tm_v1_version)" = "0 0 3 id,hash,created_at,name"

# T10: the pieces between breakpoints are sent as they are, empty and comment-only ones too
mkdir -p "$TMP/pieces/20260101000000_pieces"
printf 'SELECT 1;--> statement-breakpoint\n  \n--> statement-breakpoint\n-- only a comment\n--> statement-breakpoint' >"$TMP/pieces/20260101000000_pieces/migration.sql"
new_db tm_v1_pieces
drizzle "$TMP/pieces" tm_v1_pieces; rc=$?
check "T10: split on --> statement-breakpoint, nothing trimmed or skipped: 4 pieces sent (the last one empty), exit 0" test \
  "$rc $(awk '/^query: begin$/ { on = 1; next } /^query: insert/ { on = 0 } on' "$TMP/out" | grep -c '^query: ')" = "0 4"

# =================================================================================================
echo "# U. the upgrade of a version-0 table"
# U1: a 0.x history (fixtures/v0) recorded as drizzle-orm 0.x records it, the schema built by its SQL
# (psql: "--> statement-breakpoint" is a comment to it); then the folder drizzle-kit up made of it.
v0_history() {  # DB
  v0_db "$1" || return 1
  while read -r tag when; do
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$F/v0/$tag.sql" >/dev/null &&
      sql "$1" "INSERT INTO $T (hash, created_at) VALUES ('$(sha "$F/v0/$tag.sql")', $when)" >/dev/null
  done < <(journal "$F/v0")
}
v0_history tm_v1_up
v0_history tm_v1_up_ref
before=$(v0_rows tm_v1_up)
drizzle "$F/up" tm_v1_up; rc=$?
check "U1: drizzle-orm 1.x on fixtures/up and the 0.x history's table: exit 0, nothing re-run (3 rows)" test "$rc $(count tm_v1_up)" = "0 3"
up_queries=$(queries)
check_contains "U1: version detection: the column names of the table, from pg_attribute" 'SELECT n.nspname AS "schema", c.relname AS "table_name", a.attname AS "column_name", pg_catalog.format_type(a.atttypid, a.atttypmod) AS "type" FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname = $1 AND c.relname = $2 ORDER BY a.attnum; -- params: ["drizzle","__drizzle_migrations"]' "$up_queries"
ups="" i=0
while read -r tag when; do
  i=$((i + 1))
  ups+="UPDATE \"drizzle\".\"__drizzle_migrations\" SET \"name\" = \$1, \"applied_at\" = NULL WHERE \"id\" = \$2 -- params: [\"$(up_name "$tag" "$when")\",$i]
"
done < <(journal "$F/v0")
check_contains "U1: the rows are read outside any transaction, then one transaction: 2 ALTERs, one UPDATE per row, commit" "SELECT id, hash, created_at FROM \"drizzle\".\"__drizzle_migrations\" ORDER BY id ASC
begin
ALTER TABLE \"drizzle\".\"__drizzle_migrations\" ADD COLUMN IF NOT EXISTS \"name\" text
ALTER TABLE \"drizzle\".\"__drizzle_migrations\" ADD COLUMN IF NOT EXISTS \"applied_at\" timestamp with time zone DEFAULT now()
${ups}commit
select id, hash, created_at, name from \"drizzle\".\"__drizzle_migrations\"
begin
commit" "$up_queries"
check "U1: the upgraded rows: id, hash and created_at (the journal's when, ms kept) unchanged" diff <(v0_rows tm_v1_up) <(echo "$before")
check "U1: ... name = the folder drizzle-kit up made of each entry, applied_at NULL" test \
  "$(sql tm_v1_up "SELECT string_agg(name || ':' || coalesce(applied_at::text, 'null'), ' ' ORDER BY id) FROM $T")" = \
  "$(cd "$F/up" && ls -d */ | tr -d / | sort | sed 's/$/:null/' | tr '\n' ' ' | sed 's/ $//')"
check "U1: ... the columns now: id,hash,created_at,name,applied_at (applied_at DEFAULT now())" test \
  "$(columns tm_v1_up) $(sql tm_v1_up "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = '$T'::regclass AND adnum = 5")" = "id,hash,created_at,name,applied_at now()"
node "$HERE/reference-upgrade.mjs" "$F/up" tm_v1_up_ref >"$TMP/ref.out" 2>&1; rc=$?
check "U1: reference-upgrade.mjs (the algorithm of doc/drizzle-v1.md, no drizzle code) upgrades the same table (exit 0)" test "$rc" = 0
check "U1: ... to the same rows and columns as drizzle-orm 1.x" diff <(rows tm_v1_up; columns tm_v1_up) <(rows tm_v1_up_ref; columns tm_v1_up_ref)
drizzle "$F/up" tm_v1_up_ref; rc=$?
check "U1: ... after which drizzle-orm 1.x finds nothing to do (no ALTER, no INSERT)" test "$rc $(queries | grep -ciE '^(alter|insert|update)')" = "0 0"
drizzle "$F/up" tm_v1_up; rc=$?
check "U1: a second drizzle-orm run on its own upgraded table: no upgrade, nothing to do" test "$rc $(queries | grep -ciE '^(alter|insert|update)')" = "0 0"

# U2: the refusal
I=$(sha "$M/$INIT/migration.sql") C=$(sha "$M/$COMMENTS/migration.sql") D=$(sha "$M/$DETAILS/migration.sql") B=$(sha "$M/$BRANCH/migration.sql")
v0_db tm_v1_refuse "('$I', $(millis "$INIT") + 500), ('deadbeef', 1700000000000), ('$C', $(millis "$COMMENTS")), ('cafe', NULL)"
drizzle "$M" tm_v1_refuse; rc=$?
check "U2: rows 2 and 4 match no local migration: drizzle-orm refuses (exit 1)" test "$rc" = 1
check_contains "U2: ... with this text" 'While upgrading your database migrations table we found 2 migrations (ids: 2, 4) in the database that do not match any local migration. This means that some migrations were applied to the database but are missing from the local environment' "$(out)"
check "U2: ... before any ALTER: the table is still version 0 (id,hash,created_at), no migration ran" test \
  "$(columns tm_v1_refuse) $(queries | grep -ciE '^(begin|alter|update|insert)')" = "id,hash,created_at 0"

# U3: the cases of the matching, each also through reference-upgrade.mjs
# upgrade_case LABEL FOLDER ROWS EXPECTED: EXPECTED is "names: N1 N2 ..." (the names the upgrade gives
# the rows, in id order; the migrations it leaves pending then run, and may fail in this empty
# database: the exit code is not checked) or "refused: TEXT" (exit 1, TEXT in the message).
upgrade_case() {
  local label=$1 folder=$2 values=$3 want=$4 n
  v0_db tm_v1_case "$values"; v0_db tm_v1_case_ref "$values"
  n=$(count tm_v1_case)
  drizzle "$folder" tm_v1_case; rc=$?
  if [ "${want%%:*}" = names ]; then
    check "$label: the upgrade names the rows${want#names}" test \
      "$(columns tm_v1_case)|$(sql tm_v1_case "SELECT string_agg(coalesce(name, '<null>'), ' ' ORDER BY id) FROM $T WHERE id <= $n")" = "id,hash,created_at,name,applied_at|${want#names: }"
    node "$HERE/reference-upgrade.mjs" "$folder" tm_v1_case_ref >/dev/null 2>&1
    check "$label: ... reference-upgrade.mjs gives the same rows" \
      diff <(sql tm_v1_case "SELECT * FROM $T WHERE id <= $n ORDER BY id") <(sql tm_v1_case_ref "SELECT * FROM $T ORDER BY id")
  else
    check_contains "$label: drizzle-orm 1.x refuses (exit $rc): ${want#refused: }" "${want#refused: }" "$(out)"
    node "$HERE/reference-upgrade.mjs" "$folder" tm_v1_case_ref >/dev/null 2>&1; rc=$?
    check "$label: ... reference-upgrade.mjs refuses too, leaving version 0" test "$rc $(columns tm_v1_case) $(columns tm_v1_case_ref)" = "1 id,hash,created_at id,hash,created_at"
  fi
}
S=$F/same-second
SA=$(sha "$S/20260101000000_a/migration.sql") SB=$(sha "$S/20260101000000_b/migration.sql") SC=$(sha "$S/20260101000005_c/migration.sql")
upgrade_case "U3 one local migration in the row's second: taken whatever the hash (a modified file)" "$M" \
  "('wrong-hash', $(millis "$INIT") + 999)" "names: $INIT"
upgrade_case "U4 none in the row's second: matched by hash (created_at 1600000000000, or NULL)" "$M" \
  "('$B', 1600000000000), ('$D', NULL)" "names: $BRANCH $DETAILS"
upgrade_case "U5 two rows for one migration: both get its name" "$M" \
  "('$C', $(millis "$COMMENTS")), ('$C', $(millis "$COMMENTS"))" "names: $COMMENTS $COMMENTS"
upgrade_case "U6 two local migrations in the row's second: the one with the row's hash" "$S" \
  "('$SB', 1767225600100), ('$SA', 1767225600900), ('$SC', 1767225605000)" "names: 20260101000000_b 20260101000000_a 20260101000005_c"
upgrade_case "U7 two in the row's second, neither with its hash (though c has it): refused, no fallback to the hash" "$S" \
  "('$SA', 1767225600100), ('$SC', 1767225600900)" "refused: found 1 migrations (ids: 2) in the database that do not match any local migration"
upgrade_case "U8 the second wins over the hash: a's hash in c's second is named c" "$S" \
  "('$SA', 1767225605123)" "names: 20260101000005_c"
check "U8: ... and drizzle-orm then runs a and b (their names are not in the table)" test \
  "$(names tm_v1_case)" = "20260101000005_c 20260101000000_a 20260101000000_b"
mkdir -p "$TMP/dup/20260101000000_first" "$TMP/dup/20260101000010_second"
echo '-- Custom SQL migration file, put your code below! --' | tee "$TMP/dup/20260101000000_first/migration.sql" >"$TMP/dup/20260101000010_second/migration.sql"
DUP=$(sha "$TMP/dup/20260101000000_first/migration.sql")
upgrade_case "U9 two local migrations with the same text, the row in neither's second: the last of them" "$TMP/dup" \
  "('$DUP', 1500000000000)" "names: 20260101000010_second"
upgrade_case "U10 created_at is cut, not rounded, to the second (…999 ms)" "$S" \
  "('x', 1767225605999)" "names: 20260101000005_c"

# U11: an empty version-0 table: only the two ALTERs, then everything runs
v0_db tm_v1_empty
drizzle "$M" tm_v1_empty; rc=$?
check "U11: an empty version-0 table: the two ALTERs, no UPDATE, then all four applied (applied_at set)" test \
  "$rc $(queries | grep -c '^ALTER TABLE "drizzle"') $(queries | grep -c '^UPDATE') $(sql tm_v1_empty "SELECT count(applied_at) FROM $T")" = "0 2 0 4"

# U12: the upgrade commits before the migrations run
v0_db tm_v1_commit "('$SA', 1767225600000), ('$SB', 1767225600000)"
sql tm_v1_commit "CREATE TABLE same_c (id int)" >/dev/null
drizzle "$S" tm_v1_commit; rc=$?
check "U12: c fails (same_c exists): exit 1, but the upgrade stays (its own transaction, committed first)" test \
  "$rc $(columns tm_v1_commit) $(names tm_v1_commit)" = "1 id,hash,created_at,name,applied_at 20260101000000_a 20260101000000_b"

# U13: a renamed tracking table (quoted identifiers)
new_db tm_v1_quoted
sql tm_v1_quoted "CREATE SCHEMA \"App Meta\"; CREATE TABLE \"App Meta\".\"mig\"\"rations\" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint); INSERT INTO \"App Meta\".\"mig\"\"rations\" (hash, created_at) VALUES ('$SA', 1767225600100)" >/dev/null
MIGRATIONS_SCHEMA="App Meta" MIGRATIONS_TABLE='mig"rations' drizzle "$S" tm_v1_quoted; rc=$?
check "U13: migrationsSchema \"App Meta\", migrationsTable mig\"rations: upgraded in place (exit 0)" test \
  "$rc $(sql tm_v1_quoted "SELECT string_agg(name, ' ' ORDER BY id) FROM \"App Meta\".\"mig\"\"rations\"")" = "0 20260101000000_a 20260101000000_b 20260101000005_c"
check_contains "U13: ... ALTER TABLE \"App Meta\".\"mig\"\"rations\"" 'ALTER TABLE "App Meta"."mig""rations" ADD COLUMN IF NOT EXISTS "name" text' "$(queries)"
check "U13: ... and drizzle.__drizzle_migrations was not created" test "$(sql tm_v1_quoted "SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL")" = t

# =================================================================================================
echo "# W. what a writer of tracking rows must do"
# W1: rows written by hand exactly as drizzle-orm writes them (hash, created_at, name; applied_at by default)
new_db tm_v1_writer
sql tm_v1_writer "$V1_DDL" >/dev/null
pg_dump --schema-only --exclude-schema=drizzle tm_v1_fresh | psql -X -q -d tm_v1_writer >/dev/null
while IFS='|' read -r hash created name; do
  sql tm_v1_writer "INSERT INTO $T (hash, created_at, name) VALUES ('$hash', $created, '$name')" >/dev/null
done < <(expected_rows "$M")
drizzle "$M" tm_v1_writer; rc=$?
check "W1: rows (sha256, folder ms, folder name) written with psql: drizzle-orm 1.x inserts nothing (exit 0)" test "$rc $(count tm_v1_writer)" = "0 4"
kit_out=$(cd "$TMP" && INTEROP_OUT="$M" INTEROP_DATABASE=tm_v1_writer "$K" migrate --config="$HERE/drizzle.config.ts" </dev/null 2>&1); rc=$?
check "W1: ... drizzle-kit 1.x migrate neither (exit 0, 4 rows)" test "$rc $(count tm_v1_writer)" = "0 4"
check "W1: ... and the rows equal drizzle-orm's own (tm_v1_fresh), applied_at aside" \
  diff <(sql tm_v1_writer "SELECT id, hash, created_at, name FROM $T ORDER BY id") <(sql tm_v1_fresh "SELECT id, hash, created_at, name FROM $T ORDER BY id")

# W2: a 0.x journal applied to a version-1 table: the name to write is the one drizzle-kit up will give
v0_history tm_v1_oldnames
sql tm_v1_oldnames "ALTER TABLE $T ADD COLUMN name text, ADD COLUMN applied_at timestamp with time zone DEFAULT now(); TRUNCATE $T RESTART IDENTITY" >/dev/null
while read -r tag when; do
  sql tm_v1_oldnames "INSERT INTO $T (hash, created_at, name) VALUES ('$(sha "$F/v0/$tag.sql")', $when, '$(up_name "$tag" "$when")')" >/dev/null
done < <(journal "$F/v0")
drizzle "$F/up" tm_v1_oldnames; rc=$?
check "W2: 0.x entries recorded in a version-1 table as (hash, when, up-name): after drizzle-kit up, drizzle-orm 1.x runs nothing" \
  test "$rc $(count tm_v1_oldnames)" = "0 3"
check "W2: ... the rows equal those drizzle-orm 1.x makes by upgrading (U1), applied_at aside" \
  diff <(sql tm_v1_oldnames "SELECT id, hash, created_at, name FROM $T ORDER BY id") <(sql tm_v1_up "SELECT id, hash, created_at, name FROM $T ORDER BY id")

# W3: drizzle-orm 0.x on a version-1 table leaves a NULL name (needs the 0.x suite's packages)
if [ -f "$ROOT/test/interop/node_modules/drizzle-orm/package.json" ]; then
  v0_history tm_v1_mixed
  drizzle "$F/up" tm_v1_mixed  # upgrade to version 1
  cp -r "$F/v0" "$TMP/v0plus"
  echo 'CREATE TABLE late (id int);' >"$TMP/v0plus/0003_late.sql"
  node -e 'const fs = require("fs"), p = process.argv[1]; const j = JSON.parse(fs.readFileSync(p, "utf8"));
    j.entries.push({ idx: 3, version: "7", when: j.entries[2].when + 60000, tag: "0003_late", breakpoints: true });
    fs.writeFileSync(p, JSON.stringify(j, null, 2));' "$TMP/v0plus/meta/_journal.json"
  node "$ROOT/test/interop/drizzle-migrate.mjs" "$TMP/v0plus" tm_v1_mixed >/dev/null 2>&1; rc=$?
  check "W3: drizzle-orm $(node -p "require('$ROOT/test/interop/node_modules/drizzle-orm/package.json').version") on the upgraded table applies a new 0.x entry, writing name NULL" \
    test "$rc $(names tm_v1_mixed)" = "0 $(cd "$F/up" && ls -d */ | tr -d / | sort | tr '\n' ' ')<null>"
  late=$(up_name 0003_late "$(node -p "require('$TMP/v0plus/meta/_journal.json').entries[3].when")")
  cp -r "$F/up" "$TMP/up-plus" && mkdir "$TMP/up-plus/$late" && cp "$TMP/v0plus/0003_late.sql" "$TMP/up-plus/$late/migration.sql"
  drizzle "$TMP/up-plus" tm_v1_mixed; rc=$?
  check "W3: ... which drizzle-orm 1.x then runs again (fails: relation \"late\" already exists)" test "$rc" = 1
  check_contains "W3: ... (the error)" 'relation "late" already exists' "$(out)"
else
  echo "# W3 skipped: the 0.x suite's packages are not installed (npm ci in test/interop)"
fi

finish
