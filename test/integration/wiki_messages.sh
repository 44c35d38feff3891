#!/usr/bin/env bash
# Layer 1 as a user sees it in psql: the wiki's lines in order, one NOTICE as each migration
# starts and ends, and a re-run that applies nothing and says so. Uses examples/migrations.
. "$(dirname "$0")/../lib/check.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/trovella-wiki.XXXXXX); chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
cp -r "$here/examples/migrations/." "$dir/"; chmod -R a+rX "$dir"
createdb tm_wiki
psql -X -q -d tm_wiki -c "CREATE EXTENSION trovella_migrate" >/dev/null
run_apply() {
  psql -X -q -d tm_wiki -v ON_ERROR_STOP=1 -v dir="$dir" -v journal="${1:-meta/_journal.json}" 2>&1 <<'SQL'
SELECT message FROM trovella_migrate.apply(
  convert_from(pg_read_binary_file(:'dir' || '/' || :'journal'), 'UTF8')::json,
  (SELECT jsonb_object_agg(regexp_replace(f, '\.sql$', ''), convert_from(pg_read_binary_file(:'dir' || '/' || f), 'UTF8'))
   FROM pg_ls_dir(:'dir') f WHERE f LIKE '%.sql')) \gset
SQL
}
# First run on 8 of the 10 migrations, then the other 2: the wiki's own example numbers.
node -e '
const fs=require("fs"); const j=JSON.parse(fs.readFileSync(process.argv[1]+"/meta/_journal.json","utf8"));
j.entries=j.entries.slice(0,8); fs.writeFileSync(process.argv[1]+"/meta/first8.json", JSON.stringify(j,null,2));' "$dir"
out=$(run_apply meta/first8.json)
check_contains "first run: state line" "NOTICE:  Migration state: 0 applied, 8 expected, 8 pending" "$out"
check_contains "first run: completion line" "NOTICE:  Migrations complete. Applied 8 new migration(s)." "$out"
out=$(run_apply)
expected_lines="NOTICE:  Migration state: 8 applied, 10 expected, 2 pending
NOTICE:  Running migrations...
NOTICE:  applying 0008_add-correlation-id-and-embedding-count (3 statements)
NOTICE:  applied 0008_add-correlation-id-and-embedding-count (3 statements in MS ms)
NOTICE:  applying 0009_add-document-chunk-table (8 statements)
NOTICE:  applied 0009_add-document-chunk-table (8 statements in MS ms)
NOTICE:  Migrations complete. Applied 2 new migration(s).
NOTICE:  Verified: database has all 10 migrations."
normalized=$(printf '%s\n' "$out" | grep '^NOTICE' | sed -E 's/in [0-9]+\.[0-9] ms/in MS ms/')
check_contains "second run prints the wiki's lines in order, with per-migration progress" "$expected_lines" "$normalized"
out=$(run_apply)
check_contains "re-run: nothing pending, said so" "NOTICE:  Migration state: 10 applied, 10 expected, 0 pending
NOTICE:  No pending migrations: the database is up to date.
NOTICE:  Migrations complete. Applied 0 new migration(s).
NOTICE:  Verified: database has all 10 migrations." "$out"
check "re-run recorded no new row" test "$(psql -X -At -d tm_wiki -c 'SELECT count(*) FROM drizzle.__drizzle_migrations')" = 10
out=$(run_apply meta/first8.json)
check_contains "journal behind the database: the wiki's guard" "ERROR:  Database has 10 migrations but local journal only has 8" "$out"
out=$(psql -X -d tm_wiki -c "SELECT * FROM drizzle.__drizzle_migrations WHERE created_at = 0" -c "SELECT tag FROM trovella_migrate.history WHERE tag LIKE '%role_grants%'" 2>&1)
check_contains "the wiki's role_grants query works on the history view" "0001_setup_role_grants" "$out"
# The README's CI step (layer 2 with plain psql): exits 0 when verified, non-zero when not.
ci_verify() {
  echo "SELECT * FROM trovella_migrate.verify(:'journal')" |
    psql -d "$1" -X -v ON_ERROR_STOP=1 -v journal="$(cat "$dir/meta/_journal.json")" >/dev/null 2>&1
}
check "README CI step: layer 2 passes on the migrated database" ci_verify tm_wiki
createdb tm_wiki_empty; psql -X -q -d tm_wiki_empty -c "CREATE EXTENSION trovella_migrate"
if ci_verify tm_wiki_empty; then status=0; else status=$?; fi
check "README CI step: layer 2 fails (exit $status) on a database missing migrations" test "$status" != 0
dropdb tm_wiki_empty
dropdb tm_wiki
finish
