#!/usr/bin/env bash
# apply_folder(path): a migrations folder on the database server itself. Same results as the
# client; only superusers and members of pg_read_server_files may call it.
. "$(dirname "$0")/../lib/check.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/trovella-folder.XXXXXX); chmod 755 "$dir"
trap 'rm -rf "$dir"; psql -X -q -d postgres -c "DROP ROLE IF EXISTS tm_folder_reader" 2>/dev/null' EXIT
cp -r "$here/examples/migrations/." "$dir/"
printf -- '-- scratch file, not in the journal\nDROP TABLE users;\n' >"$dir/9999_scratch.sql"
chmod -R a+rX "$dir"
for db in tm_folder tm_client; do
  createdb "$db"; psql -X -q -d "$db" -c "CREATE EXTENSION trovella_migrate"
done

out=$(psql -X -d tm_folder -v ON_ERROR_STOP=1 -At -c "SELECT applied, verified FROM trovella_migrate.apply_folder('$dir')" 2>&1)
check_contains "superuser: apply_folder applies the folder and verifies" "10|t" "$out"
check_contains "the orphan file is warned about" 'WARNING:  1 migration file is not in the journal and will never run: "9999_scratch"' "$out"
check "the orphan file never ran" test "$(psql -X -At -d tm_folder -c "SELECT to_regclass('users') IS NOT NULL")" = t
. "$here/test/lib/client.sh"
"$CLIENT" migrate --dir "$dir" --database-url "dbname=tm_client" >/dev/null 2>&1
check "the client applies the same folder (exit 0)" test "$?" = 0
rows() { psql -X -At -d "$1" -c "SELECT id, hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id"; }
check "same tracking rows as the client (hash, created_at)" test "$(rows tm_folder)" = "$(rows tm_client)"
schema() { pg_dump --schema-only --no-owner -N drizzle -N trovella_migrate "$1" | grep -vE '^(--|\\restrict|\\unrestrict)' | grep -v 'trovella_migrate'; }
check "same schema as the client" test "$(schema tm_folder)" = "$(schema tm_client)"
out=$(psql -X -d tm_folder -At -c "SELECT applied, verified, message FROM trovella_migrate.apply_folder('$dir')" 2>&1)
check_contains "re-run applies nothing and says so" "No pending migrations: the database is up to date." "$out"

# Permissions: a role that may call the function but may not read server files gets a clear error.
psql -X -q -d tm_folder -c "CREATE ROLE tm_folder_reader; GRANT EXECUTE ON FUNCTION trovella_migrate.apply_folder(text, jsonb) TO tm_folder_reader"
out=$(psql -X -d tm_folder -c "SET ROLE tm_folder_reader" -c "SELECT * FROM trovella_migrate.apply_folder('$dir')" 2>&1)
check_contains "other roles: permission error" "ERROR:  permission denied to read migrations folder \"$dir\"" "$out"
check_contains "other roles: the detail says who may and what to use instead" "only superusers and members of pg_read_server_files may call it; other roles use apply() with the texts" "$out"
check_contains "other roles: the hint gives the GRANT to run" "HINT:  GRANT pg_read_server_files TO tm_folder_reader;" "$out"
out=$(psql -X -d tm_folder -v VERBOSITY=verbose -c "SET ROLE tm_folder_reader" -c "SELECT * FROM trovella_migrate.apply_folder('$dir')" 2>&1)
check_contains "other roles: SQLSTATE 42501 (permission denied)" "ERROR:  42501: permission denied to read migrations folder" "$out"
psql -X -q -d tm_folder -c "GRANT pg_read_server_files TO tm_folder_reader" \
  -c "GRANT USAGE ON SCHEMA drizzle TO tm_folder_reader" -c "GRANT SELECT, INSERT ON drizzle.__drizzle_migrations TO tm_folder_reader"
out=$(psql -X -d tm_folder -c "SET ROLE tm_folder_reader" -c "SELECT applied FROM trovella_migrate.apply_folder('$dir')" 2>&1)
check_contains "pg_read_server_files members may (nothing pending here)" "Migration state: 10 applied, 10 expected, 0 pending" "$out"

# Bad paths name themselves.
out=$(psql -X -d tm_folder -c "SELECT * FROM trovella_migrate.apply_folder('relative/path')" 2>&1)
check_contains "relative path refused" 'must be an absolute path on the database server, got "relative/path"' "$out"
out=$(psql -X -d tm_folder -c "SELECT * FROM trovella_migrate.apply_folder('/nonexistent/folder')" 2>&1)
check_contains "missing folder named" 'migrations folder "/nonexistent/folder" does not exist on the database server' "$out"
out=$(psql -X -d tm_folder -c "SELECT * FROM trovella_migrate.apply_folder('$dir/meta')" 2>&1)
check_contains "folder without a journal named" "no meta/_journal.json in migrations folder \"$dir/meta\"" "$out"
out=$(psql -X -d tm_folder -c "SELECT * FROM trovella_migrate.apply_folder(NULL)" 2>&1)
check_contains "NULL path" "path must not be NULL" "$out"
printf 'SELECT 1;\xff\xfe\n' >"$dir/0010_bad_bytes.sql"
out=$(psql -X -d tm_folder -c "SELECT * FROM trovella_migrate.apply_folder('$dir')" 2>&1)
check_contains "a file that is not valid UTF-8 is named" "0010_bad_bytes.sql\" is not valid UTF-8 text" "$out"
rm -f "$dir/0010_bad_bytes.sql"

# A Drizzle 1.x folder (no journal): every <YYYYMMDDHHMMSS>_<name>/migration.sql, by folder name.
v1=$(mktemp -d /tmp/trovella-folder-v1.XXXXXX)
trap 'rm -rf "$dir" "$v1"; psql -X -q -d postgres -c "DROP ROLE IF EXISTS tm_folder_reader" 2>/dev/null' EXIT
cp -r "$here/test/interop/v1/fixtures/migrations/." "$v1/"
mkdir -p "$v1/20261202030400_no_migration_yet" && echo "notes" >"$v1/README.md"
chmod -R a+rX "$v1"
for db in tm_folder_v1 tm_client_v1; do createdb "$db"; psql -X -q -d "$db" -c "CREATE EXTENSION trovella_migrate"; done
out=$(psql -X -d tm_folder_v1 -v ON_ERROR_STOP=1 -At -c "SELECT applied, verified, applied_tags[4] FROM trovella_migrate.apply_folder('$v1')" 2>&1)
check_contains "a Drizzle 1.x folder: apply_folder applies its four migrations and verifies" "4|t|20261202030346_audit_log_details" "$out"
"$CLIENT" migrate --dir "$v1" --database-url "dbname=tm_client_v1" >/dev/null 2>&1
v1rows() { psql -X -At -d "$1" -c "SELECT id, hash, created_at, name FROM drizzle.__drizzle_migrations ORDER BY id"; }
check "the same rows as the client (hash, created_at, name)" test "$(v1rows tm_folder_v1)" = "$(v1rows tm_client_v1)"
check "... named after the folders" test "$(psql -X -At -d tm_folder_v1 -c "SELECT count(*) FROM drizzle.__drizzle_migrations WHERE name LIKE '2026120203034%'")" = 4
mkdir -p "$v1/meta" && echo '{"entries":[]}' >"$v1/meta/_journal.json" && chmod -R a+rX "$v1"
out=$(psql -X -d tm_folder_v1 -c "SELECT * FROM trovella_migrate.apply_folder('$v1')" 2>&1)
check_contains "a folder holding both layouts is refused, naming the folders" "migrations folder \"$v1\" holds both layouts: meta/_journal.json (drizzle-kit 0.x) and 4 Drizzle 1.x migration folders (\"20261202030341_init\"" "$out"
check_contains "... with the hint to run drizzle-kit up" "HINT:  Run drizzle-kit up (drizzle-kit 1.x)" "$out"
rm -rf "$v1/meta" && mkdir -p "$v1/custom" && echo 'SELECT 1;' >"$v1/custom/migration.sql" && chmod -R a+rX "$v1"
out=$(psql -X -d tm_folder_v1 -c "SELECT * FROM trovella_migrate.apply_folder('$v1')" 2>&1)
check_contains "a migration folder whose name has no UTC time is named" 'migration folder "custom": the name does not start with the 14 digits of a UTC time' "$out"

for db in tm_folder tm_client tm_folder_v1 tm_client_v1; do dropdb "$db"; done
finish
