#!/usr/bin/env bash
# Interop with the real Drizzle 1.x (drizzle-kit and drizzle-orm 1.0.0-rc, pinned in this folder's
# package-lock.json; doc/drizzle-v1.md): drizzle-kit 1.x generates the folders, drizzle-orm 1.x's
# migrate() (node-postgres) and the trovella-migrate client apply them, and each must accept what
# the other did, through the version-0 -> version-1 upgrade of the tracking table.
#
#   bash test/interop/v1/run.sh      against the server of the PG* variables (scripts/test starts one;
#                                    or: . test/lib/server.sh; start_server); TROVELLA_ENGINE=client
#                                    makes the client run the migrations itself over libpq
#
# Needs node and npm; installs the pinned packages (npm ci) when node_modules is missing or stale.
# When npm cannot reach the registry (and its cache cannot install them) the suite says so and
# skips: "0 passed, 0 failed" (with CI=true that is a failure). It creates and drops its own
# databases (tm_v1i_*).
#
#   G. drizzle-kit 1.x generates two generations and a branch migration (and the merge after it);
#   A. the client applies, then drizzle-orm 1.x's migrate() (and drizzle-kit migrate) insert nothing;
#      the merged branch is out of order for the client, applied with --allow-out-of-order;
#   B. drizzle-orm 1.x applies, then the client finds nothing pending; C. mixed histories;
#   U. a 0.x history applied by the client, converted by drizzle-kit up, then migrated by drizzle-orm
#      1.x and by the client, nothing re-run; the table the client upgrades equals the one
#      drizzle-orm 1.x upgrades; the next migration generated after the conversion, both ways;
#   R. the upgrade refused by both for a row no folder matches, the table left as it was;
#   N. a row without a name (drizzle-orm 0.x writes them): drizzle-orm 1.x would run its migration
#      again, the client names it, and drizzle-orm 1.x then runs nothing;
#   Q. a renamed tracking table whose names need quoting, upgraded both ways;
#   O. folders that cannot run in a transaction (sim's COMMIT ... BEGIN pattern), two of one second:
#      the client runs them statement by statement, its progress found by folder name (status,
#      resume after a failed build), the rows and schema drizzle-orm 1.x's;
#   and after every step of the client, no row of a version-1 table without a name.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
. "$ROOT/test/lib/client.sh"
. "$ROOT/test/lib/check.sh"

skip() {  # in CI (CI=true) a skipped suite is a failure: "0 passed, 0 failed" must not read as a pass
  echo "# skipped: $*"
  [ "${CI:-}" = true ] && check "the suite can run in CI ($*)" false
  finish
  exit
}

# ---------------------------------------------------------------------------------------------
# npm packages: exactly the versions package.json pins, installed from package-lock.json.
packages_current() {
  (cd "$HERE" && node -e '
    const fs = require("fs");
    const pinned = JSON.parse(fs.readFileSync("package.json", "utf8")).dependencies;
    for (const [name, version] of Object.entries(pinned)) {
      const got = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
      if (got !== version) process.exit(1);
    }' 2>/dev/null)
}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  check "node and npm are installed" false; finish; exit 1
fi
if ! packages_current; then
  echo "# installing the pinned npm packages: npm ci in test/interop/v1"
  if timeout 60 npm ping --fetch-retries=0 --fetch-timeout=20000 --loglevel=error >/dev/null 2>&1; then
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) 2>&1 | grep -v '^ *$' | sed 's/^/#   /'
    check "npm ci installs the pinned packages" packages_current
    packages_current || { finish; exit 1; }
  else
    # The registry is unreachable: the npm cache may still hold the packages.
    (cd "$HERE" && npm ci --offline --no-audit --no-fund --loglevel=error) >/dev/null 2>&1
    packages_current || skip "npm cannot reach the registry ($(npm config get registry)) and its cache lacks the packages"
  fi
fi
versions=$(cd "$HERE" && node -p 'const v = n => require(`./node_modules/${n}/package.json`).version;
  `drizzle-orm ${v("drizzle-orm")}, drizzle-kit ${v("drizzle-kit")}, pg ${v("pg")}`')
echo "# $versions, node $(node --version)"

pg_isready -q || { echo "# no PostgreSQL server at PGHOST=${PGHOST:-} PGPORT=${PGPORT:-}" >&2; check "a server to test against" false; finish; exit 1; }

# ---------------------------------------------------------------------------------------------
# Helpers.
TMP=$(mktemp -d /tmp/trovella-interop-v1.XXXXXX)
DBS=(tm_v1i_a tm_v1i_b tm_v1i_c tm_v1i_e1 tm_v1i_e2 tm_v1i_r1 tm_v1i_r2 tm_v1i_n tm_v1i_n2 tm_v1i_q1 tm_v1i_q2
     tm_v1i_o1 tm_v1i_o2)
cleanup() {
  for db in "${DBS[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done
  rm -rf "$TMP"
}
trap cleanup EXIT
for db in "${DBS[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done
export LC_ALL=C.UTF-8 LANG=C.UTF-8   # drizzle-orm orders folders with localeCompare in this locale
F=$HERE/fixtures
K=$HERE/node_modules/.bin/drizzle-kit
T=drizzle.__drizzle_migrations

sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
new_db() { createdb "$1" && sql "$1" "CREATE EXTENSION trovella_migrate" >/dev/null; }
# drizzle-orm 1.x's migrate() on FOLDER, database DB; its output and every query it sends (DRIZZLE_LOG)
# go to $TMP/drizzle.out
drizzle_migrate() { DRIZZLE_LOG=1 node "$HERE/drizzle-migrate.mjs" "$1" "$2" >"$TMP/drizzle.out" 2>&1; }
drizzle_queries() { grep '^query: ' "$TMP/drizzle.out" | sed 's/^query: //'; }
# queries of the last drizzle_migrate that change the tracking table or run a migration
drizzle_writes() { drizzle_queries | grep -ciE '^(alter|insert|update|create (table|type|index)|delete)'; }
# the client: client DB COMMAND ARGS...; output in $TMP/client.out, exit code returned
client() { local db=$1; shift; "$CLIENT" "$@" --database-url "dbname=$db" >"$TMP/client.out" 2>&1; }
out() { cat "$TMP/client.out"; }
# the tracking rows: "id hash created_at name applied_at-is-null", in id order
rows() { sql "$1" "SELECT id, hash, created_at, coalesce(name, '<null>'), applied_at IS NULL FROM ${2:-$T} ORDER BY id"; }
names() { sql "$1" "SELECT string_agg(coalesce(name, '<null>'), ' ' ORDER BY id) FROM ${2:-$T}"; }
count() { sql "$1" "SELECT count(*) FROM ${2:-$T}"; }
columns() {  # name, type, not null, default of every column of the tracking table
  sql "$1" "SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull || ':' ||
    coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ' ' ORDER BY a.attnum) FROM pg_attribute a
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = '${2:-$T}'::regclass AND a.attnum > 0 AND NOT a.attisdropped"
}
version() { [ "$(sql "$1" "SELECT count(*) FROM pg_attribute WHERE attrelid = '${2:-$T}'::regclass AND attname = 'name' AND NOT attisdropped")" = 1 ] && echo 1 || echo 0; }
# No row without a name in a version-1 table (a version-0 table has no names at all).
no_null_names() { [ "$(version "$1" "${2:-$T}")" = 0 ] || [ "$(sql "$1" "SELECT count(*) FROM ${2:-$T} WHERE name IS NULL")" = 0 ]; }
check_no_null_names() { check "$1: no row without a name in the version-1 tracking table" no_null_names "$2" "${3:-$T}"; }
table_exists() { [ "$(sql "$1" "SELECT to_regclass('public.$2') IS NOT NULL")" = t ]; }
app_schema() {
  pg_dump --schema-only --no-owner --no-privileges --exclude-schema=drizzle --exclude-schema=trovella_migrate \
    --exclude-schema=trovella_migrate_history --exclude-schema='"App Meta"' -d "$1" | grep -vE '^\\(un)?restrict |^(--.*)?$|trovella_migrate'
}
same_schema() { diff <(app_schema "$1") <(app_schema "$2") >"$TMP/schema.diff"; }
sha() { sha256sum "$1" | cut -c1-64; }
# created_at of a folder name, computed here with Date.UTC (no drizzle code)
millis() { node -e 'const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(process.argv[1]);
  console.log(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]))' "$1"; }
# the rows drizzle-orm 1.x writes for the folders FOLDER/NAME...: "hash created_at name" each
expected_rows() { local dir=$1 name; shift; for name in "$@"; do echo "$(sha "$dir/$name/migration.sql") $(millis "$name") $name"; done; }
[ "${TROVELLA_ENGINE:-auto}" = client ] && engine=client || engine=extension
started=$SECONDS

# ---------------------------------------------------------------------------------------------
echo "# G. drizzle-kit 1.x generates: init, a branch, the main line's next generation, the merge"
kit() {  # SCHEMA OUT ARGS...: drizzle-kit 1.x in $TMP (it wants a relative out)
  local schema=$1 out=$2; shift 2
  (cd "$TMP" && INTEROP_SCHEMA="$HERE/schema/$schema.ts" INTEROP_OUT="$out" "$K" "$@" --config="$HERE/drizzle.config.ts" </dev/null) >"$TMP/kit.out" 2>&1
}
folder_of() { (cd "$1" && ls -d *_"$2" 2>/dev/null | head -1); }
kit gen1 ./gen generate --name=init && cp -r "$TMP/gen" "$TMP/one"
cp -r "$TMP/one" "$TMP/branch" && kit branch ./branch generate --name=branch_audit_log
sleep 1  # the main line's next migration is generated in a later second than the branch's
kit gen2 ./gen generate --name=comments_and_due_dates && cp -r "$TMP/gen" "$TMP/two"
cp -r "$TMP"/branch/*_branch_audit_log "$TMP/gen/"   # the merge
kit gen3 ./gen check && kit gen3 ./gen generate --name=audit_log_details
INIT=$(folder_of "$TMP/gen" init) BRANCH=$(folder_of "$TMP/gen" branch_audit_log)
COMMENTS=$(folder_of "$TMP/gen" comments_and_due_dates) DETAILS=$(folder_of "$TMP/gen" audit_log_details)
[ -n "$DETAILS" ] || { cat "$TMP/kit.out"; check "drizzle-kit 1.x generates the folders" false; finish; exit 1; }
G=$TMP/gen
check "G: four folders <YYYYMMDDHHMMSS>_<name>, each with migration.sql and snapshot.json, no meta/_journal.json" test \
  "$(cd "$G" && ls -d */ | tr -d / | grep -cE '^[0-9]{14}_[a-z_]+$') $(cd "$G" && ls */migration.sql */snapshot.json | wc -l) $(test -e "$G/meta" && echo meta)" = "4 8 "
check "G: folder order: init, the branch (generated first), comments_and_due_dates, audit_log_details" test \
  "$(cd "$G" && ls -d */ | tr -d / | sort | cut -c16- | tr '\n' ' ')" = "init branch_audit_log comments_and_due_dates audit_log_details "
parent() { node -p "require('$G/$1/snapshot.json').prevIds.join(',')"; }
id_of() { node -p "require('$G/$1/snapshot.json').id"; }
check "G: the branch and the main line's generation both descend from init; the merge from both" test \
  "$(parent "$BRANCH") $(parent "$COMMENTS") $(parent "$DETAILS" | tr ',' '\n' | sort | tr '\n' ' ')" = \
  "$(id_of "$INIT") $(id_of "$INIT") $(printf '%s\n' "$(id_of "$BRANCH")" "$(id_of "$COMMENTS")" | sort | tr '\n' ' ')"
same_sql=true
for name in init branch_audit_log comments_and_due_dates audit_log_details; do
  cmp -s "$G/$(folder_of "$G" $name)/migration.sql" "$F/migrations/$(folder_of "$F/migrations" $name)/migration.sql" || same_sql=false
done
check "G: each migration.sql is byte for byte the committed fixtures/migrations' (what these versions generate)" $same_sql
check_contains "G: generation 1 creates the enum" 'CREATE TYPE "task_status" AS ENUM' "$(cat "$G/$INIT/migration.sql")"
check_contains "G: generation 2 adds an enum value" "ALTER TYPE \"task_status\" ADD VALUE 'archived'" "$(cat "$G/$COMMENTS/migration.sql")"
check_contains "G: the branch creates audit_log" 'CREATE TABLE "audit_log"' "$(cat "$G/$BRANCH/migration.sql")"
# The states of the folder as a team sees them: main line only (one, two), then merged (gen).
echo "# generated in $((SECONDS - started)) s"

# ---------------------------------------------------------------------------------------------
echo "# B. drizzle-orm 1.x applies, then the client finds nothing pending"
new_db tm_v1i_b
check "B: drizzle-orm 1.x migrate() applies the main line (init, comments_and_due_dates)" drizzle_migrate "$TMP/two" tm_v1i_b
check "B: drizzle-orm 1.x migrate() on the merged folder applies the branch and the merge (out of order, silently)" drizzle_migrate "$G" tm_v1i_b
check "B: its rows: sha256 of migration.sql, the folder's UTC ms, the folder name" diff \
  <(sql tm_v1i_b "SELECT hash || ' ' || created_at || ' ' || name FROM $T ORDER BY id") \
  <(expected_rows "$G" "$INIT" "$COMMENTS" "$BRANCH" "$DETAILS")
client tm_v1i_b status --dir "$G" --json; rc=$?
check "B: client status exits 0: all 4 applied, nothing pending" test \
  "$rc $(jq -r '[.migrations[] | select(.state == "applied")] | length' "$TMP/client.out") $(jq -r .counts.pending "$TMP/client.out") $(jq -r .layout "$TMP/client.out")" = "0 4 0 folders"
client tm_v1i_b verify --dir "$G"; rc=$?
check "B: client verify exits 0" test "$rc" = 0
check_contains "B: ... Verified: database has all 4 migrations." "Verified: database has all 4 migrations." "$(out)"
client tm_v1i_b migrate --dir "$G"; rc=$?
check "B: client migrate has nothing to do (exit 0)" test "$rc" = 0
check_contains "B: ... Migration state: 4 applied, 4 expected, 0 pending" "Migration state: 4 applied, 4 expected, 0 pending" "$(out)"
check "B: ... and wrote no row" test "$(count tm_v1i_b)" = 4

# ---------------------------------------------------------------------------------------------
echo "# A. the client applies, then drizzle-orm 1.x inserts nothing"
new_db tm_v1i_a
client tm_v1i_a migrate --dir "$TMP/two"; rc=$?
check "A: client migrate applies the main line (exit 0)" test "$rc" = 0
check_contains "A: ... by the $engine engine" "Engine: $engine" "$(head -1 "$TMP/client.out")"
check_contains "A: ... verified by both layers" "Layer 2 verification: folder has 2 migrations, database has 2: ok" "$(out)"
check "A: the client created drizzle-orm 1.x's version-1 table (its DDL: columns, types, defaults)" test \
  "$(columns tm_v1i_a)" = "$(columns tm_v1i_b)"
check_no_null_names A tm_v1i_a
rows tm_v1i_a >"$TMP/a.rows"
check "A: drizzle-orm 1.x migrate() then runs without error" drizzle_migrate "$TMP/two" tm_v1i_a
check "A: ... and inserts nothing (no INSERT sent, the rows unchanged)" test \
  "$(drizzle_queries | grep -c '^insert')$(diff "$TMP/a.rows" <(rows tm_v1i_a) >/dev/null && echo same)" = 0same
client tm_v1i_a status --dir "$G" --json; rc=$?
check "A: the merged folder: the branch is out_of_order for the client (exit 1), the merge pending" test \
  "$rc $(jq -r --arg t "$BRANCH" '.migrations[] | select(.tag == $t) | .state' "$TMP/client.out") $(jq -r --arg t "$DETAILS" '.migrations[] | select(.tag == $t) | .state' "$TMP/client.out")" = "1 out_of_order pending"
client tm_v1i_a migrate --dir "$G"; rc=$?
check "A: client migrate refuses it (exit 1), naming it" test "$rc" = 1
check_contains "A: ... cannot apply migrations: 1 out-of-order migration" "cannot apply migrations: 1 out-of-order migration (\"$BRANCH\")" "$(out)"
check_contains "A: ... it sorts before the last applied folder" "out of order: \"$BRANCH\" sorts before \"$COMMENTS\", the last applied migration folder" "$(out)"
check "A: ... and applied nothing" test "$(count tm_v1i_a)" = 2
client tm_v1i_a migrate --dir "$G" --allow-out-of-order; rc=$?
check "A: client migrate --allow-out-of-order applies the branch and the merge (exit 0)" test "$rc" = 0
check_no_null_names A tm_v1i_a
rows tm_v1i_a >"$TMP/a.rows"
check "A: drizzle-orm 1.x migrate() on the merged folder then inserts nothing" test \
  "$(drizzle_migrate "$G" tm_v1i_a; echo $?)$(drizzle_queries | grep -c '^insert')$(diff "$TMP/a.rows" <(rows tm_v1i_a) >/dev/null && echo same)" = 00same
kit_migrate() { (cd "$TMP" && INTEROP_OUT=./gen INTEROP_DATABASE=tm_v1i_a "$K" migrate --config="$HERE/drizzle.config.ts" </dev/null) >"$TMP/kit.out" 2>&1; }
check "A: drizzle-kit 1.x migrate (the CLI) runs without error" kit_migrate
check "A: ... and inserts nothing either" diff "$TMP/a.rows" <(rows tm_v1i_a)
check "A: the client's rows equal drizzle-orm 1.x's (B): hash, created_at, name, in the same order" diff \
  <(sql tm_v1i_a "SELECT id, hash, created_at, name FROM $T ORDER BY id") <(sql tm_v1i_b "SELECT id, hash, created_at, name FROM $T ORDER BY id")
check "A: the schema equals drizzle-orm 1.x's (pg_dump)" same_schema tm_v1i_a tm_v1i_b
check_contains "A: ... (the dump has the merged column)" 'details jsonb' "$(app_schema tm_v1i_a)"

# ---------------------------------------------------------------------------------------------
echo "# C. mixed: drizzle-orm 1.x, the client, drizzle-orm 1.x"
new_db tm_v1i_c
check "C: drizzle-orm 1.x applies generation 1" drizzle_migrate "$TMP/one" tm_v1i_c
client tm_v1i_c migrate --dir "$TMP/two"; rc=$?
check "C: the client applies generation 2 (exit 0): 1 applied, 2 expected, 1 pending" test \
  "$rc $(grep -c 'Migration state: 1 applied, 2 expected, 1 pending' "$TMP/client.out")" = "0 1"
check_no_null_names C tm_v1i_c
check "C: drizzle-orm 1.x applies the rest of the merged folder" drizzle_migrate "$G" tm_v1i_c
check "C: ... running only the branch and the merge (two INSERTs)" test "$(drizzle_queries | grep -c '^insert')" = 2
check "C: the rows equal drizzle-orm 1.x's alone (B)" diff \
  <(sql tm_v1i_c "SELECT id, hash, created_at, name FROM $T ORDER BY id") <(sql tm_v1i_b "SELECT id, hash, created_at, name FROM $T ORDER BY id")
client tm_v1i_c verify --dir "$G"; rc=$?
check "C: client verify accepts the result (exit 0)" test "$rc" = 0

# ---------------------------------------------------------------------------------------------
echo "# U. a 0.x history applied by the client, drizzle-kit up, then both"
cp -r "$F/v0" "$TMP/v0"
cp -r "$F/v0" "$TMP/up"
(cd "$TMP" && INTEROP_OUT=./up "$K" up --config="$HERE/drizzle.config.ts" </dev/null) >"$TMP/up.out" 2>&1; rc=$?
check "U: drizzle-kit 1.x up converts the 0.x folder (exit 0; the committed fixtures/up is its result)" test \
  "$rc $(diff -r "$TMP/up" "$F/up" >/dev/null && echo same)" = "0 same"
UP=$TMP/up
for db in tm_v1i_e1 tm_v1i_e2; do
  new_db $db
  client $db migrate --dir "$TMP/v0"; rc=$?
  check "U: $db: the client applies the 0.x folder (exit 0) into a version-0 table, created_at = when (ms)" test \
    "$rc $(version $db) $(sql $db "SELECT string_agg(created_at::text, ' ' ORDER BY id) FROM $T")" = \
    "0 0 $(jq -r '[.entries[].when | tostring] | join(" ")' "$TMP/v0/meta/_journal.json")"
done
cp -r "$TMP/v0" "$TMP/v0-copy"
# e1: drizzle-orm 1.x upgrades the table.
check "U: drizzle-orm 1.x migrate() on the converted folder (exit 0)" drizzle_migrate "$UP" tm_v1i_e1
check "U: ... upgraded the table (2 ALTERs, 3 UPDATEs) and re-ran nothing (no INSERT, no CREATE)" test \
  "$(drizzle_queries | grep -c '^ALTER TABLE') $(drizzle_queries | grep -c '^UPDATE') $(drizzle_queries | grep -ciE '^(insert|create (table|type))')" = "2 3 0"
client tm_v1i_e1 status --dir "$UP" --json; rc=$?
check "U: then the client's status: all 3 applied, nothing pending (exit 0)" test \
  "$rc $(jq -r '[.migrations[] | select(.state == "applied")] | length' "$TMP/client.out")" = "0 3"
client tm_v1i_e1 migrate --dir "$UP"; rc=$?
check "U: the client's migrate: nothing to do (exit 0), no row written" test \
  "$rc $(grep -c 'Migration state: 3 applied, 3 expected, 0 pending' "$TMP/client.out") $(count tm_v1i_e1)" = "0 1 3"
# e2: the client upgrades the table.
client tm_v1i_e2 status --dir "$UP"; rc=$?
check "U: before the upgrade the client's status says the table is still version 0, all 3 applied (exit 0)" test \
  "$rc $(grep -c "is Drizzle's version 0" "$TMP/client.out") $(version tm_v1i_e2)" = "0 1 0"
client tm_v1i_e2 migrate --dir "$UP"; rc=$?
check "U: the client's migrate on the converted folder upgrades the table and runs nothing (exit 0)" test \
  "$rc $(grep -c "Upgraded tracking table $T to Drizzle 1.x's version 1" "$TMP/client.out") $(grep -c '^applying' "$TMP/client.out") $(version tm_v1i_e2)" = "0 1 0 1"
check_no_null_names U tm_v1i_e2
check "U: drizzle-orm 1.x then runs without error" drizzle_migrate "$UP" tm_v1i_e2
check "U: ... and changes nothing (no upgrade, no INSERT, no migration)" test "$(drizzle_writes)" = 0
check "U: the table the client upgraded equals the one drizzle-orm 1.x upgraded: columns, types, defaults" test \
  "$(columns tm_v1i_e2)" = "$(columns tm_v1i_e1)"
check "U: ... and rows: id, hash, created_at (ms kept), name, applied_at NULL" diff <(rows tm_v1i_e1) <(rows tm_v1i_e2)
check "U: ... which are the 0.x rows named after drizzle-kit up's folders" test "$(names tm_v1i_e2)" = \
  "$(cd "$UP" && ls -d */ | tr -d / | sort | tr '\n' ' ' | sed 's/ $//')"
# The next migration, generated with drizzle-kit 1.x after the conversion, applied both ways.
cp -r "$UP" "$TMP/upplus"
kit gen3 ./upplus generate --name=audit_log_details
NEXT=$(folder_of "$TMP/upplus" audit_log_details)
check "U: drizzle-kit 1.x generates the next migration on the converted folder" test -n "$NEXT"
client tm_v1i_e2 migrate --dir "$TMP/upplus"; rc=$?
check "U: the client applies it on the table it upgraded (exit 0, 1 applied)" test \
  "$rc $(grep -c "^applying $NEXT" "$TMP/client.out")" = "0 1"
check_no_null_names U tm_v1i_e2
check "U: drizzle-orm 1.x then inserts nothing" test "$(drizzle_migrate "$TMP/upplus" tm_v1i_e2; echo $?) $(drizzle_writes)" = "0 0"
check "U: drizzle-orm 1.x applies it on the table it upgraded" test "$(drizzle_migrate "$TMP/upplus" tm_v1i_e1; echo $?) $(drizzle_queries | grep -c '^insert')" = "0 1"
client tm_v1i_e1 status --dir "$TMP/upplus"; rc=$?
check "U: ... after which the client finds nothing pending (exit 0)" test "$rc" = 0
check "U: both databases end with the same rows (hash, created_at, name) and the same schema" test \
  "$(sql tm_v1i_e1 "SELECT string_agg(hash || created_at || name, ',' ORDER BY id) FROM $T")|$(same_schema tm_v1i_e1 tm_v1i_e2 && echo same)" = \
  "$(sql tm_v1i_e2 "SELECT string_agg(hash || created_at || name, ',' ORDER BY id) FROM $T")|same"

# ---------------------------------------------------------------------------------------------
echo "# R. a row no folder matches: both refuse the upgrade and leave the table as it was"
for db in tm_v1i_r1 tm_v1i_r2; do
  new_db $db
  client $db migrate --dir "$TMP/v0" >/dev/null
  sql $db "INSERT INTO $T (hash, created_at) VALUES ('deadbeef', 1700000000000)" >/dev/null
done
drizzle_migrate "$UP" tm_v1i_r1; rc=$?
check_contains "R: drizzle-orm 1.x refuses (exit $rc)" 'While upgrading your database migrations table we found 1 migrations (ids: 4) in the database that do not match any local migration' "$(cat "$TMP/drizzle.out")"
client tm_v1i_r2 migrate --dir "$UP"; rc=$?
check "R: the client refuses too (exit 1)" test "$rc" = 1
check_contains "R: ... in its words, naming the row" "ERROR:  cannot upgrade tracking table $T to Drizzle 1.x's version 1: 1 row (id 4) matches no migration folder" "$(out)"
check_contains "R: ... and why" "tracking row id 4 (created_at 1700000000000, hash deadbeef): no migration folder is from its second (2023-11-14 22:13:20 UTC) and none has its hash" "$(out)"
check_contains "R: ... SQLSTATE 55000" "SQLSTATE: 55000" "$(out)"
check "R: both tables are still version 0 with their 4 rows, nothing ran" test \
  "$(columns tm_v1i_r1)|$(count tm_v1i_r1)" = "$(columns tm_v1i_r2)|4"
check "R: ... the same as before (version 0)" test "$(version tm_v1i_r2)" = 0

# ---------------------------------------------------------------------------------------------
echo "# N. a row without a name in a version-1 table"
# A teammate still on drizzle-kit/drizzle-orm 0.x generates and applies 0003_late into the upgraded
# table: drizzle-orm 0.x sends insert (hash, created_at) only (doc/drizzle-v1.md W3). Then the team
# runs drizzle-kit up, which turns it into a folder.
late_when=$(( $(jq '.entries[2].when' "$TMP/v0/meta/_journal.json") + 60000 ))
late_sql='CREATE TABLE "late" ("id" integer);'
for db in tm_v1i_n tm_v1i_n2; do
  new_db $db
  client $db migrate --dir "$TMP/v0" >/dev/null
  client $db migrate --dir "$UP" >/dev/null   # upgraded by the client
  sql $db "$late_sql INSERT INTO $T (hash, created_at) VALUES ('$(printf '%s' "$late_sql" | sha256sum | cut -c1-64)', $late_when)" >/dev/null
done
LATE=$(node -e 'const d = new Date(Number(process.argv[1])), p = (n) => String(n).padStart(2, "0");
  console.log(`${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}_late`)' "$late_when")
cp -r "$UP" "$TMP/uplate" && mkdir "$TMP/uplate/$LATE" && printf '%s' "$late_sql" >"$TMP/uplate/$LATE/migration.sql"
drizzle_migrate "$TMP/uplate" tm_v1i_n2; rc=$?
check_contains "N: without trovella, drizzle-orm 1.x runs $LATE again (exit $rc)" 'relation "late" already exists' "$(cat "$TMP/drizzle.out")"
client tm_v1i_n verify --dir "$TMP/uplate"; rc=$?
check "N: the client's verify fails (exit 1) and says why" test \
  "$rc $(grep -c "no name: tracking row id 4 has no name, so drizzle-orm 1.x would run \"$LATE\" again" "$TMP/client.out")" = "1 1"
client tm_v1i_n migrate --dir "$TMP/uplate"; rc=$?
check "N: the client's migrate names it (exit 0), running nothing" test \
  "$rc $(grep -c "named 1 tracking row that had no name (id 4 \"$LATE\")" "$TMP/client.out") $(grep -c '^applying' "$TMP/client.out")" = "0 1 0"
check_no_null_names N tm_v1i_n
check "N: drizzle-orm 1.x then runs nothing (exit 0, no write)" test "$(drizzle_migrate "$TMP/uplate" tm_v1i_n; echo $?) $(drizzle_writes)" = "0 0"

# ---------------------------------------------------------------------------------------------
echo "# Q. a renamed tracking table (\"App Meta\".\"mig\"\"rations\"), upgraded both ways"
Q='"App Meta"."mig""rations"'
for db in tm_v1i_q1 tm_v1i_q2; do
  new_db $db
  client $db migrate --dir "$TMP/v0" --migrations-schema "App Meta" --migrations-table 'mig"rations' >/dev/null
done
check "Q: drizzle-orm 1.x upgrades it (MIGRATIONS_SCHEMA, MIGRATIONS_TABLE)" \
  env MIGRATIONS_SCHEMA="App Meta" MIGRATIONS_TABLE='mig"rations' DRIZZLE_LOG=1 node "$HERE/drizzle-migrate.mjs" "$UP" tm_v1i_q1
client tm_v1i_q2 migrate --dir "$UP" --migrations-schema "App Meta" --migrations-table 'mig"rations'; rc=$?
check "Q: the client upgrades the same table in the other database (exit 0)" test "$rc" = 0
check_no_null_names Q tm_v1i_q2 "$Q"
check "Q: the same rows and columns" test "$(rows tm_v1i_q1 "$Q")|$(columns tm_v1i_q1 "$Q")" = "$(rows tm_v1i_q2 "$Q")|$(columns tm_v1i_q2 "$Q")"
check "Q: ... and drizzle.__drizzle_migrations was never created" test \
  "$(sql tm_v1i_q2 "SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL")" = t

# ---------------------------------------------------------------------------------------------
echo "# O. folders that cannot run in a transaction (sim's COMMIT ... BEGIN pattern), two of one second"
# The client runs them statement by statement outside a transaction and records its progress in
# the history; folders of one second share a created_at, so that progress is found by folder name.
O=$TMP/outside
O1=20260301120000_orders O2=20260301120001_customer_index O3=20260301120001_total_key
mkdir -p "$O/$O1" "$O/$O2" "$O/$O3"
cat >"$O/$O1/migration.sql" <<'EOF'
CREATE TABLE "orders" (
	"id" serial PRIMARY KEY NOT NULL,
	"customer" text NOT NULL,
	"total" integer,
	"status" text
);
--> statement-breakpoint
INSERT INTO "orders" ("customer", "total") SELECT 'c' || g, g FROM generate_series(1, 300) g;
EOF
cat >"$O/$O2/migration.sql" <<'EOF'
COMMIT;--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "orders_customer_idx" ON "orders" USING btree ("customer");--> statement-breakpoint
BEGIN;--> statement-breakpoint
UPDATE "orders" SET "status" = 'indexed';
EOF
cat >"$O/$O3/migration.sql" <<'EOF'
COMMIT;--> statement-breakpoint
CREATE UNIQUE INDEX CONCURRENTLY "orders_total_key" ON "orders" USING btree ("total");--> statement-breakpoint
BEGIN;--> statement-breakpoint
UPDATE "orders" SET "status" = 'unique';
EOF
new_db tm_v1i_o1
new_db tm_v1i_o2
check "O: drizzle-orm 1.x migrate() applies the folder (the files' COMMIT escapes its transaction)" drizzle_migrate "$O" tm_v1i_o1
check "O: ... its rows: sha256 of migration.sql, the folder's UTC ms, the folder name" diff \
  <(sql tm_v1i_o1 "SELECT hash || ' ' || created_at || ' ' || name FROM $T ORDER BY id") <(expected_rows "$O" "$O1" "$O2" "$O3")
client tm_v1i_o2 migrate --dir "$O" --to "$O2"; rc=$?
check "O: the client applies the folders up to $O2 (exit 0)" test "$rc" = 0
check_contains "O: ... $O2 statement by statement, and says so" \
  "$O2 cannot run in a transaction (statement 2, line 2: CREATE INDEX CONCURRENTLY): running it statement by statement" "$(out)"
check_no_null_names O tm_v1i_o2
client tm_v1i_o2 status --dir "$O" --json
check "O: status: $O3 (same second as the finished $O2) is pending, not partial" test \
  "$(jq -r --arg t "$O2" --arg u "$O3" '[(.migrations[] | select(.tag == $t) | .state), (.migrations[] | select(.tag == $u) | .state, (.progress // "none"))] | join(" ")' "$TMP/client.out")" = \
  "applied pending none"
sql tm_v1i_o2 "INSERT INTO orders (customer, total) VALUES ('duplicate', 1)" >/dev/null
client tm_v1i_o2 migrate --dir "$O"; rc=$?
check "O: with a duplicate total the unique build fails (exit 4, SQLSTATE 23505)" test \
  "$rc $(grep -c 'SQLSTATE: 23505' "$TMP/client.out")" = "4 1"
check_contains "O: ... which says where the next run resumes" "it resumes \"$O3\" at statement 2." "$(out)"
client tm_v1i_o2 status --dir "$O" --json
check "O: status: $O3 partial 1/4, $O2 applied" test \
  "$(jq -r --arg t "$O2" --arg u "$O3" '[(.migrations[] | select(.tag == $t) | .state), (.migrations[] | select(.tag == $u) | .state, .progress)] | join(" ")' "$TMP/client.out")" = \
  "applied partial 1/4"
check_no_null_names O tm_v1i_o2
sql tm_v1i_o2 "DELETE FROM orders WHERE customer = 'duplicate'" >/dev/null
client tm_v1i_o2 migrate --dir "$O" --rebuild-invalid-indexes; rc=$?
check "O: data fixed, --rebuild-invalid-indexes: exit 0, resuming $O3 at statement 2" test \
  "$rc $(grep -c "resuming $O3 at statement 2 of 4" "$TMP/client.out")" = "0 1"
check_no_null_names O tm_v1i_o2
check "O: the client's rows equal drizzle-orm 1.x's: id, hash, created_at, name" diff \
  <(sql tm_v1i_o2 "SELECT id, hash, created_at, name FROM $T ORDER BY id") <(sql tm_v1i_o1 "SELECT id, hash, created_at, name FROM $T ORDER BY id")
same_schema tm_v1i_o1 tm_v1i_o2; rc=$?
check "O: the schema equals drizzle-orm 1.x's (pg_dump)" test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/#   /' "$TMP/schema.diff"
check "O: ... both indexes built and valid" test \
  "$(sql tm_v1i_o2 "SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid::regclass::text IN ('orders_customer_idx', 'orders_total_key')")" = 2
check "O: the data is the same (each UPDATE after the file's BEGIN ran once)" test \
  "$(sql tm_v1i_o2 "SELECT count(*) || ':' || string_agg(DISTINCT status, ',') FROM orders")" = "$(sql tm_v1i_o1 "SELECT count(*) || ':' || string_agg(DISTINCT status, ',') FROM orders")"
check "O: drizzle-orm 1.x then inserts nothing (exit 0, no write)" test "$(drizzle_migrate "$O" tm_v1i_o2; echo $?) $(drizzle_writes)" = "0 0"
client tm_v1i_o1 migrate --dir "$O"; rc=$?
check "O: the client on drizzle-orm 1.x's database finds nothing pending" test \
  "$rc $(grep -c 'Migration state: 3 applied, 3 expected, 0 pending' "$TMP/client.out")" = "0 1"

# ---------------------------------------------------------------------------------------------
nulls=""
for db in tm_v1i_a tm_v1i_b tm_v1i_c tm_v1i_e1 tm_v1i_e2 tm_v1i_r2 tm_v1i_n tm_v1i_o2; do no_null_names $db || nulls+=" $db"; done
no_null_names tm_v1i_q2 "$Q" || nulls+=" tm_v1i_q2"
check "every version-1 tracking table the client wrote to has a name in every row${nulls:+ (not:$nulls)}" test -z "$nulls"
echo "# done in $((SECONDS - started)) s"
finish
