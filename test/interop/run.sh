#!/usr/bin/env bash
# Interop with the real Drizzle: drizzle-kit (0.31) generates the migrations from the schema in
# schema/, drizzle-orm's migrate() (0.45, node-postgres driver) and the trovella-migrate client
# apply them, and each must accept what the other did.
#
#   bash test/interop/run.sh                    against the server of the PG* variables (scripts/test
#                                               starts one; or: . test/lib/server.sh; start_server)
#   bash test/interop/run.sh --update-fixtures  also copy the generated folder to fixtures/migrations
#
# Needs node and npm; installs the pinned packages (npm ci) when node_modules is missing or stale.
# When npm cannot reach the registry (and its cache cannot install them) the suite says so and
# skips: "0 passed, 0 failed". It creates and drops its own databases (tm_interop_*).
#
#   a. the client applies, then drizzle-orm's migrate() (and drizzle-kit migrate) find nothing to do;
#   b. drizzle-orm's migrate() applies, then the client's status shows all applied, verify passes;
#   c. mixed histories (Drizzle then the client, and the reverse) leave exactly Drizzle's rows;
#   d. a merged branch migration with an older `when`: Drizzle skips it silently, the client
#      reports it (out_of_order), refuses it, and applies it with --allow-out-of-order;
#   e. the same with a renamed tracking table (schema and table names that need quoting);
#   f. a history whose statements cannot run in a transaction (after the file's COMMIT, as sim
#      writes them): the client's schema and rows equal drizzle-orm migrate()'s.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/test/lib/client.sh"
. "$ROOT/test/lib/check.sh"
update_fixtures=false
[ "${1:-}" = --update-fixtures ] && update_fixtures=true

skip() {
  echo "# skipped: $*"
  finish
  exit 0
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
  echo "# installing the pinned npm packages: npm ci in test/interop"
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
TMP=$(mktemp -d /tmp/trovella-interop.XXXXXX)
DBS=(tm_interop_a tm_interop_b tm_interop_c1 tm_interop_c2 tm_interop_d tm_interop_e tm_interop_f1 tm_interop_f2)
cleanup() {
  for db in "${DBS[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done
  rm -rf "$TMP"
}
trap cleanup EXIT
for db in "${DBS[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done

sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
new_db() { createdb "$1" && { [ "${2:-}" != ext ] || sql "$1" "CREATE EXTENSION trovella_migrate" >/dev/null; }; }
add_extension() { sql "$1" "CREATE EXTENSION trovella_migrate" >/dev/null; }
# drizzle-orm's migrate() on FOLDER, database DB; its output goes to $TMP/drizzle.out
drizzle_migrate() { node "$HERE/drizzle-migrate.mjs" "$1" "$2" >"$TMP/drizzle.out" 2>&1; }
# the client: client DB COMMAND ARGS...; output in $TMP/client.out, exit code returned
client() { local db=$1; shift; "$CLIENT" "$@" --database-url "dbname=$db" >"$TMP/client.out" 2>&1; }
# Drizzle's tracking rows, one "hash created_at" line each, in insertion order
rows() { sql "$1" "SELECT hash || ' ' || created_at FROM drizzle.__drizzle_migrations ORDER BY id"; }
row_count() { sql "$1" "SELECT count(*) FROM drizzle.__drizzle_migrations"; }
table_exists() { [ "$(sql "$1" "SELECT to_regclass('public.$2') IS NOT NULL")" = t ]; }
# The application schema: pg_dump without the tracking schema, the extension and its schema, and
# without comment and blank lines (pg_dump's "-- Name: ..." headers).
app_schema() {
  pg_dump --schema-only --no-owner --no-privileges --exclude-schema=drizzle --exclude-schema=trovella_migrate \
    --exclude-schema=trovella_migrate_history -d "$1" |
    grep -vE '^\\(un)?restrict |^(--.*)?$|trovella_migrate'
}
same_schema() { diff <(app_schema "$1") <(app_schema "$2") >"$TMP/schema.diff"; }
same_rows() { diff <(rows "$1") <(rows "$2") >"$TMP/rows.diff"; }
# the rows Drizzle writes for FOLDER: sha256 of each file's bytes and the journal's when
expected_rows() {
  (cd "$1" && node -e '
    const fs = require("fs"), crypto = require("crypto");
    for (const e of JSON.parse(fs.readFileSync("meta/_journal.json", "utf8")).entries)
      console.log(crypto.createHash("sha256").update(fs.readFileSync(`${e.tag}.sql`)).digest("hex"), e.when);')
}
# state of TAG in `status --json` output
state_of() { jq -r --arg t "$2" '.migrations[] | select(.tag == $t) | .state' "$1"; }

# ---------------------------------------------------------------------------------------------
# Generate the migrations with drizzle-kit: generation 1 (0000), generation 2 (0001), and a
# feature branch on top of it (0002). drizzle-kit prefixes an absolute `out` with "./", so it
# runs in $TMP with a relative one. Snapshots of the folder after each step: one, two, three.
started=$SECONDS
generate() {  # SCHEMA NAME
  (cd "$TMP" && INTEROP_SCHEMA="$HERE/schema/$1.ts" INTEROP_OUT=./gen \
    "$HERE/node_modules/.bin/drizzle-kit" generate --config="$HERE/drizzle.config.ts" --name="$2" </dev/null) >"$TMP/generate.out" 2>&1
}
generate gen1 init && cp -r "$TMP/gen" "$TMP/one"
check "drizzle-kit generate: generation 1 -> 0000_init.sql" test -f "$TMP/one/0000_init.sql"
gen1=$(cat "$TMP/one/0000_init.sql" 2>/dev/null)
check_contains "generation 1 has enums" 'CREATE TYPE "public"."task_status" AS ENUM' "$gen1"
check_contains "generation 1 has foreign keys" 'FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id")' "$gen1"
check_contains "generation 1 has a partial index" 'WHERE "tasks"."done" = false' "$gen1"
generate gen2 comments_and_due_dates && cp -r "$TMP/gen" "$TMP/two"
check "drizzle-kit generate: generation 2 -> 0001_comments_and_due_dates.sql" test -f "$TMP/two/0001_comments_and_due_dates.sql"
gen2=$(cat "$TMP/two/0001_comments_and_due_dates.sql" 2>/dev/null)
check_contains "generation 2 adds an enum value" "ALTER TYPE \"public\".\"task_status\" ADD VALUE 'archived'" "$gen2"
check_contains "generation 2 adds a column" 'ALTER TABLE "tasks" ADD COLUMN "due_at"' "$gen2"
check_contains "generation 2 adds a table" 'CREATE TABLE "comments"' "$gen2"
check_contains "generation 2 adds an index" 'CREATE INDEX "tasks_due_at_idx"' "$gen2"
generate branch branch_audit_log && cp -r "$TMP/gen" "$TMP/three"
check "drizzle-kit generate: the branch -> 0002_branch_audit_log.sql" test -f "$TMP/three/0002_branch_audit_log.sql"
[ -f "$TMP/three/0002_branch_audit_log.sql" ] || { cat "$TMP/generate.out"; finish; exit 1; }
if $update_fixtures; then
  rm -rf "$HERE/fixtures/migrations"; mkdir -p "$HERE/fixtures"; cp -r "$TMP/three" "$HERE/fixtures/migrations"
  echo "# fixtures/migrations updated"
fi
# The committed copy is what these versions generate: same files, same bytes, same tags (the
# `when`s and the snapshots' ids differ from run to run).
fixtures_match() {
  diff <(cd "$TMP/three" && ls ./*.sql) <(cd "$HERE/fixtures/migrations" && ls ./*.sql) &&
    for f in "$TMP"/three/*.sql; do cmp "$f" "$HERE/fixtures/migrations/${f##*/}" || return 1; done &&
    diff <(jq -c '[.version, .dialect, [.entries[] | del(.when)]]' "$TMP/three/meta/_journal.json") \
         <(jq -c '[.version, .dialect, [.entries[] | del(.when)]]' "$HERE/fixtures/migrations/meta/_journal.json")
}
check "the committed fixtures/migrations is what drizzle-kit generates now" fixtures_match
echo "# generated in $((SECONDS - started)) s"

# ---------------------------------------------------------------------------------------------
# b first: the reference, a database migrated by Drizzle alone.
echo "# b. Drizzle applies, then the client reads the database"
new_db tm_interop_b
check "b: drizzle-orm migrate() applies generations 1 and 2" drizzle_migrate "$TMP/two" tm_interop_b
check "b: Drizzle wrote one row per migration: sha256 of the file, created_at = when" \
  diff <(rows tm_interop_b) <(expected_rows "$TMP/two")
add_extension tm_interop_b
client tm_interop_b status --dir "$TMP/two" --json; rc=$?
check "b: client status exits 0 on the Drizzle-migrated database" test "$rc" = 0
check "b: status shows every entry applied (2 of 2)" test \
  "$(jq -r '[.migrations[] | select(.state == "applied")] | length' "$TMP/client.out") $(jq -r .counts.pending "$TMP/client.out")" = "2 0"
client tm_interop_b verify --dir "$TMP/two"; rc=$?
check "b: client verify exits 0" test "$rc" = 0
check_contains "b: verify says all are there" "Verified: database has all 2 migrations." "$(cat "$TMP/client.out")"
client tm_interop_b migrate --dir "$TMP/two"; rc=$?
check "b: client migrate then has nothing to do (exit 0)" test "$rc" = 0
check_contains "b: ... and says so" "Migration state: 2 applied, 2 expected, 0 pending" "$(cat "$TMP/client.out")"
check "b: ... and wrote no tracking row" test "$(row_count tm_interop_b)" = 2

# ---------------------------------------------------------------------------------------------
echo "# a. the client applies, then Drizzle finds nothing to do"
new_db tm_interop_a ext
client tm_interop_a migrate --dir "$TMP/two"; rc=$?
check "a: client migrate applies generations 1 and 2 (exit 0)" test "$rc" = 0
check_contains "a: ... verified" "Verified: database has all 2 migrations." "$(cat "$TMP/client.out")"
# scripts/test runs this suite twice: TROVELLA_ENGINE=client makes the client apply the migrations
# itself over libpq although the extension is installed.
[ "${TROVELLA_ENGINE:-auto}" = client ] && engine=client || engine=extension
check_contains "a: ... by the $engine engine" "Engine: $engine" "$(head -1 "$TMP/client.out")"
rows tm_interop_a >"$TMP/a.rows"
check "a: drizzle-orm migrate() then runs without error" drizzle_migrate "$TMP/two" tm_interop_a
check "a: ... and inserts no row into drizzle.__drizzle_migrations" diff "$TMP/a.rows" <(rows tm_interop_a)
check "a: the client's rows are Drizzle's (same hash and created_at as b)" same_rows tm_interop_a tm_interop_b
check "a: the schema is the one Drizzle builds (pg_dump of a = b)" same_schema tm_interop_a tm_interop_b
check_contains "a: ... (the dump has the tables)" 'CREATE TABLE public.comments' "$(app_schema tm_interop_a)"
kit_migrate() {
  (cd "$TMP" && INTEROP_OUT=./two INTEROP_DATABASE=tm_interop_a \
    "$HERE/node_modules/.bin/drizzle-kit" migrate --config="$HERE/drizzle.config.ts" </dev/null) >"$TMP/kit.out" 2>&1
}
check "a: drizzle-kit migrate (the CLI) runs without error too" kit_migrate
check "a: ... and inserts no row either" diff "$TMP/a.rows" <(rows tm_interop_a)

# ---------------------------------------------------------------------------------------------
echo "# c. mixed histories give the rows Drizzle alone writes"
new_db tm_interop_c1
check "c1: Drizzle applies generation 1" drizzle_migrate "$TMP/one" tm_interop_c1
add_extension tm_interop_c1
client tm_interop_c1 migrate --dir "$TMP/two"; rc=$?
check "c1: then the client applies the rest (exit 0)" test "$rc" = 0
check_contains "c1: ... one applied, one pending" "Migration state: 1 applied, 2 expected, 1 pending" "$(cat "$TMP/client.out")"
check "c1: the tracking rows equal Drizzle's alone (hash, created_at)" same_rows tm_interop_c1 tm_interop_b
check "c1: the schema equals Drizzle's alone" same_schema tm_interop_c1 tm_interop_b
new_db tm_interop_c2 ext
client tm_interop_c2 migrate --dir "$TMP/one"; rc=$?
check "c2: the client applies generation 1 (exit 0)" test "$rc" = 0
check "c2: then Drizzle applies the rest" drizzle_migrate "$TMP/two" tm_interop_c2
check "c2: ... it did run 0001 (comments exists)" table_exists tm_interop_c2 comments
check "c2: the tracking rows equal Drizzle's alone (hash, created_at)" same_rows tm_interop_c2 tm_interop_b
check "c2: the schema equals Drizzle's alone" same_schema tm_interop_c2 tm_interop_b
client tm_interop_c2 verify --dir "$TMP/two"; rc=$?
check "c2: client verify accepts the result (exit 0)" test "$rc" = 0

# ---------------------------------------------------------------------------------------------
# d. The branch's migration, generated before 0001 was but merged after 0001 was applied: its
# journal entry comes last with a `when` between 0000's and 0001's.
echo "# d. a merged migration with an older when"
cp -r "$TMP/three" "$TMP/merged"
(cd "$TMP/merged" && node -e '
  const fs = require("fs"); const j = JSON.parse(fs.readFileSync("meta/_journal.json", "utf8"));
  const [e0, e1, e2] = j.entries; e2.when = Math.floor((e0.when + e1.when) / 2);
  fs.writeFileSync("meta/_journal.json", JSON.stringify(j, null, 2));')
branch=0002_branch_audit_log
branch_when=$(jq -r '.entries[2].when' "$TMP/merged/meta/_journal.json")
check "d: the merged journal lists the branch last with a when older than 0001's" test \
  "$(jq -r '[.entries[].when] | (.[2] > .[0] and .[2] < .[1])' "$TMP/merged/meta/_journal.json")" = true
new_db tm_interop_d
check "d: Drizzle applies generations 1 and 2" drizzle_migrate "$TMP/two" tm_interop_d
check "d: Drizzle's migrate() on the merged folder exits without error" drizzle_migrate "$TMP/merged" tm_interop_d
check "d: ... and says nothing" test ! -s "$TMP/drizzle.out"
check "d: ... but skipped the branch: audit_log does not exist" test "$(table_exists tm_interop_d audit_log && echo yes)" = ""
check "d: ... and recorded nothing (2 rows)" test "$(row_count tm_interop_d)" = 2
add_extension tm_interop_d
client tm_interop_d status --dir "$TMP/merged" --json; rc=$?
check "d: client status exits 1" test "$rc" = 1
check "d: status shows the branch out_of_order" test "$(state_of "$TMP/client.out" "$branch")" = out_of_order
check "d: ... and the others applied" test \
  "$(state_of "$TMP/client.out" 0000_init) $(state_of "$TMP/client.out" 0001_comments_and_due_dates)" = "applied applied"
client tm_interop_d status --dir "$TMP/merged"
check_contains "d: the status table shows it too" "out_of_order" "$(grep "$branch" "$TMP/client.out")"
client tm_interop_d migrate --dir "$TMP/merged"; rc=$?
out=$(cat "$TMP/client.out")
check "d: client migrate refuses (exit 1)" test "$rc" = 1
check_contains "d: ... with an error naming the tag" "ERROR:  cannot apply migrations: 1 out-of-order migration (\"$branch\")" "$out"
check "d: ... and applied nothing (no audit_log, 2 rows)" test "$(table_exists tm_interop_d audit_log && echo yes)$(row_count tm_interop_d)" = 2
client tm_interop_d migrate --dir "$TMP/merged" --allow-out-of-order; rc=$?
check "d: client migrate --allow-out-of-order applies it (exit 0)" test "$rc" = 0
check "d: ... audit_log now exists" table_exists tm_interop_d audit_log
check "d: ... its row is Drizzle's: sha256 of the file, created_at = its when" test \
  "$(sql tm_interop_d "SELECT hash FROM drizzle.__drizzle_migrations WHERE created_at = $branch_when")" = \
  "$(sha256sum "$TMP/merged/$branch.sql" | cut -d' ' -f1)"
client tm_interop_d status --dir "$TMP/merged"; rc=$?
check "d: status then shows all applied (exit 0)" test "$rc" = 0
client tm_interop_d verify --dir "$TMP/merged"; rc=$?
check "d: verify passes (exit 0)" test "$rc" = 0
check "d: Drizzle's migrate() afterwards runs without error" drizzle_migrate "$TMP/merged" tm_interop_d
check "d: ... and inserts nothing (3 rows)" test "$(row_count tm_interop_d)" = 3

# ---------------------------------------------------------------------------------------------
echo "# e. a renamed tracking table (drizzle.config migrations.schema / migrations.table)"
new_db tm_interop_e ext
custom_rows() { sql tm_interop_e "SELECT hash || ' ' || created_at FROM \"App Meta\".\"mig\"\"rations\" ORDER BY id"; }
check "e: Drizzle applies generation 1 into \"App Meta\".\"mig\"\"rations\"" \
  env MIGRATIONS_SCHEMA="App Meta" MIGRATIONS_TABLE='mig"rations' node "$HERE/drizzle-migrate.mjs" "$TMP/one" tm_interop_e
client tm_interop_e migrate --dir "$TMP/two" --migrations-schema "App Meta" --migrations-table 'mig"rations'; rc=$?
check "e: the client applies the rest into the same table (exit 0)" test "$rc" = 0
check "e: ... its rows equal Drizzle's alone" diff <(custom_rows) <(rows tm_interop_b)
check "e: ... and drizzle.__drizzle_migrations was not created" test "$(sql tm_interop_e "SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL")" = t

# ---------------------------------------------------------------------------------------------
echo "# f. statements that cannot run in a transaction, after the file's COMMIT (sim's pattern)"
OUTSIDE=$HERE/fixtures/outside
new_db tm_interop_f1
new_db tm_interop_f2 ext
check "f: drizzle-orm migrate() applies the history (its COMMIT escapes its transaction)" drizzle_migrate "$OUTSIDE" tm_interop_f1
client tm_interop_f2 migrate --dir "$OUTSIDE"; rc=$?
check "f: the client applies it (exit 0)" test "$rc" = 0
check_contains "f: ... statement by statement, and says so" \
  "0001_customer_index cannot run in a transaction (statement 4, line 4: CREATE INDEX CONCURRENTLY): running it statement by statement" \
  "$(cat "$TMP/client.out")"
check "f: the schema is the one drizzle-orm's migrate() builds (pg_dump)" same_schema tm_interop_f1 tm_interop_f2
check_contains "f: ... (the dump has the index built concurrently)" 'CREATE INDEX orders_status_idx' "$(app_schema tm_interop_f2)"
check "f: the tracking rows are Drizzle's (hash, created_at)" same_rows tm_interop_f1 tm_interop_f2
check "f: ... sha256 of each file and its when" diff <(rows tm_interop_f2) <(expected_rows "$OUTSIDE")
check "f: the data is the same (the UPDATE after the file's BEGIN ran once)" \
  test "$(sql tm_interop_f1 "SELECT count(*) || ':' || count(status) FROM orders")" = "$(sql tm_interop_f2 "SELECT count(*) || ':' || count(status) FROM orders")"
check "f: drizzle-orm's migrate() afterwards inserts nothing" drizzle_migrate "$OUTSIDE" tm_interop_f2
check "f: ... (4 rows)" test "$(row_count tm_interop_f2)" = 4
client tm_interop_f1 migrate --dir "$OUTSIDE"; rc=$?
check "f: the client on Drizzle's database finds nothing pending" \
  test "$rc" = 0 -a -n "$(grep -F 'Migration state: 4 applied, 4 expected, 0 pending' "$TMP/client.out")"

echo "# done in $((SECONDS - started)) s"
finish
