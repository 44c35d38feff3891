#!/usr/bin/env bash
# The upgrade chain (issue 7, item 8): trovella_migrate 0.1.0, built from this repository's own
# history, is installed into a private copy of PostgreSQL (test/lib/private_pg.sh), a database is
# migrated with it and a DBA is granted the history; then this checkout's build replaces the
# library (as a package upgrade does), the database keeps working before the update,
# ALTER EXTENSION trovella_migrate UPDATE runs the upgrade scripts, and migrating continues with
# the same history. The upgraded extension must equal a fresh install of the current version,
# object for object.
. "$(dirname "$0")/../lib/check.sh"
. "$(dirname "$0")/lib/examples.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/trovella-upgrade.XXXXXX); chmod 755 "$work"
cleanup() { stop_server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT

# The last commit whose install script was 0.1.0's: the parent of the commit that removed it.
old_commit=$(git -C "$root" log --format=%H -1 --diff-filter=D -- trovella_migrate--0.1.0.sql 2>/dev/null)
if [ -z "$old_commit" ] || ! git -C "$root" cat-file -e "$old_commit^:trovella_migrate--0.1.0.sql" 2>/dev/null; then
  echo "# skipped: this checkout has no git history holding trovella_migrate 0.1.0 (a shallow clone?)"
  if [ "${CI:-}" = true ]; then echo "not ok - the upgrade test needs the repository's history"; echo "0 passed, 1 failed"; exit 1; fi
  echo "0 passed, 0 failed"; exit 0
fi
old_commit=$(git -C "$root" rev-parse "$old_commit^")
echo "# 0.1.0 from commit ${old_commit:0:12}"
mkdir -p "$work/old"
git -C "$root" archive "$old_commit" | tar -x -C "$work/old"
pg_config=$(bash "$root/test/lib/private_pg.sh" "$work/pg")
make -s -C "$work/old" -j"$(nproc)" PG_CONFIG="$pg_config" >"$work/old-build.log" 2>&1 &&
  make -s -C "$work/old" install PG_CONFIG="$pg_config" >>"$work/old-build.log" 2>&1
check "0.1.0 builds and installs into a private PostgreSQL" test $? = 0

# A server of that private PostgreSQL (its own port and socket; PG* now point at it).
PG_BIN=$("$pg_config" --bindir)
. "$root/test/lib/server.sh"
start_server || { echo "not ok - cannot start the private server"; finish; exit 1; }
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" "${@:2}" 2>&1; }
examples_copy "$work/m"

createdb tm_upgrade
check_contains "0.1.0: CREATE EXTENSION" "0.1.0" "$(sql tm_upgrade -c "CREATE EXTENSION trovella_migrate" -c "SELECT extversion FROM pg_extension WHERE extname = 'trovella_migrate'")"
check_contains "0.1.0: 8 migrations applied" "8,t" "$(apply_server_files tm_upgrade "$work/m" first8.json)"
sql tm_upgrade <<'SQL' >/dev/null
CREATE ROLE tm_upgrade_dba;
GRANT SELECT ON trovella_migrate.history TO tm_upgrade_dba;
GRANT EXECUTE ON FUNCTION trovella_migrate.history_rows() TO tm_upgrade_dba;
GRANT EXECUTE ON FUNCTION trovella_migrate.status(json, jsonb, jsonb) TO tm_upgrade_dba;
SQL
check_contains "0.1.0: history shows the 8 with their tags" "8" "$(sql tm_upgrade -c "SELECT count(tag) FROM trovella_migrate.history")"

# The package upgrade: this checkout's library and scripts replace 0.1.0's files.
make -s -C "$root" install PG_CONFIG="$pg_config" CLIENT_LINK_DIR= >"$work/new-install.log" 2>&1
check "this checkout installs over it" test $? = 0
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$root/trovella_migrate.control")
# Before ALTER EXTENSION UPDATE the new library runs against 0.1.0's objects (a new session).
check_contains "new library, 0.1.0 objects: status works" "8" \
  "$(sql tm_upgrade -c "SELECT count(*) FROM trovella_migrate.status(pg_read_file('$work/m/meta/first8.json')::json) WHERE state = 'applied'")"
# The client engine, asked for by name, applies the 9th migration while the old objects are in
# place: its history waits in trovella_migrate_history until the update adopts it.
. "$root/test/lib/client.sh"
PGDATABASE=tm_upgrade "$CLIENT" migrate --dir "$work/m" --to 0008_add-correlation-id-and-embedding-count --engine client \
  >"$work/client.out" 2>&1
check "before the update: the client engine applies the 9th migration (exit 0)" test $? = 0
check_contains "ALTER EXTENSION UPDATE reaches $version" "$version" \
  "$(sql tm_upgrade -c "ALTER EXTENSION trovella_migrate UPDATE" -c "SELECT extversion FROM pg_extension WHERE extname = 'trovella_migrate'")"
check_contains "the update adopted the client engine's run: the 9th migration, engine client" \
  "0008_add-correlation-id-and-embedding-count|applied|client" \
  "$(sql tm_upgrade -c "SELECT tag || '|' || action || '|' || engine FROM trovella_migrate.history WHERE idx = 8")"
check_contains "after the update: the last migration applies" "1,t" "$(apply_server_files tm_upgrade "$work/m" _journal.json)"
check_contains "after the update: history shows all 10 with their tags, 0.1.0's included" "10|10" \
  "$(sql tm_upgrade -c "SELECT count(*) || '|' || count(tag) FROM trovella_migrate.history")"
check_contains "after the update: the 0.1.0 run, the client's and the new one are all in the history" "3" \
  "$(sql tm_upgrade -c "SELECT count(DISTINCT run_id) FROM trovella_migrate.history")"
check_contains "after the update: the DBA's grant on history survived" "10" \
  "$(sql tm_upgrade -c "SET ROLE tm_upgrade_dba" -c "SELECT count(*) FROM trovella_migrate.history")"
check_contains "after the update: the DBA's EXECUTE on status() survived its new column (progress)" "true|true" \
  "$(sql tm_upgrade -c "SELECT has_function_privilege('tm_upgrade_dba', 'trovella_migrate.status(json, jsonb, jsonb)', 'EXECUTE')
                        || '|' || (SELECT count(*) = 11 FROM pg_proc p, unnest(p.proallargtypes) WHERE p.oid = 'trovella_migrate.status(json, jsonb, jsonb)'::regprocedure)::text")"
check_contains "after the update: history_rows() is gone (history reads no tracking table)" "0" \
  "$(sql tm_upgrade -c "SELECT count(*) FROM pg_proc WHERE proname = 'history_rows'")"
out=$(sql tm_upgrade -v dir="$work/m" <<'SQL'
SET client_min_messages = warning;
SELECT convert_from(pg_read_binary_file(:'dir' || '/meta/_journal.json'), 'UTF8') AS j,
  (SELECT jsonb_object_agg(regexp_replace(f, '\.sql$', ''), convert_from(pg_read_binary_file(:'dir' || '/' || f), 'UTF8'))
   FROM pg_ls_dir(:'dir') f WHERE f LIKE '%.sql') AS m \gset
CALL trovella_migrate.apply_each(:'j', :'m') \gset r_
\echo :r_applied,:r_verified
SQL
)
check_contains "after the update: apply_each finds the same history complete" "0,t" "$out"

# The upgraded extension equals a fresh install of the current version.
createdb tm_fresh
sql tm_fresh -c "CREATE EXTENSION trovella_migrate" >/dev/null
describe() {
  sql "$1" <<'SQL'
SELECT 'function ' || p.proname || '(' || pg_get_function_arguments(p.oid) || ') ' || pg_get_function_result(p.oid)
       || ' ' || p.provolatile::text || coalesce(' ' || array_to_string(p.proacl, ','), '')
       || ' ' || coalesce(array_to_string(p.proconfig, ','), '') || ' body ' || md5(p.prosrc)
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'trovella_migrate'
UNION ALL
SELECT 'relation ' || c.relname || ' ' || c.relkind::text || ' ' || coalesce(array_to_string(c.relacl, ','), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'trovella_migrate'
UNION ALL
SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
       || ' ' || a.attidentity::text || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE n.nspname = 'trovella_migrate' AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'trovella_migrate'::regnamespace
UNION ALL
SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid)
FROM pg_class c WHERE c.relnamespace = 'trovella_migrate'::regnamespace AND c.relkind = 'v'
UNION ALL
SELECT 'dumped ' || x::regclass::text || ' ' || coalesce(e.extcondition[i], '')
FROM pg_extension e, unnest(e.extconfig) WITH ORDINALITY AS u(x, i) WHERE e.extname = 'trovella_migrate'
UNION ALL
SELECT 'comment ' || coalesce(obj_description(c.oid, 'pg_class'), '') FROM pg_class c
WHERE c.relnamespace = 'trovella_migrate'::regnamespace AND c.relkind IN ('r', 'v')
ORDER BY 1;
SQL
}
sql tm_upgrade -c "DROP OWNED BY tm_upgrade_dba" >/dev/null  # its grants differ from a fresh install's, on purpose
describe tm_upgrade >"$work/upgraded.txt"
describe tm_fresh >"$work/fresh.txt"
check "the catalog description of a fresh install reads (more than 40 lines, no error)" \
  test "$(grep -c . "$work/fresh.txt")" -gt 40 -a "$(grep -c ERROR "$work/fresh.txt")" = 0
if diff "$work/fresh.txt" "$work/upgraded.txt" >"$work/diff.txt"; then
  check "the upgraded extension equals a fresh $version install ($(wc -l <"$work/fresh.txt") catalog lines)" true
else
  sed 's/^/#   /' "$work/diff.txt" | head -20
  check "the upgraded extension equals a fresh $version install" false
fi
check_contains "the sequences are registered for dump (4 config relations)" "4" \
  "$(sql tm_upgrade -c "SELECT cardinality(extconfig) FROM pg_extension WHERE extname = 'trovella_migrate'")"
sql tm_upgrade -c "DROP ROLE tm_upgrade_dba" >/dev/null
finish
