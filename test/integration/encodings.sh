#!/usr/bin/env bash
# Databases whose encoding is not UTF-8 (issue 7, item 12). Drizzle's journal and files are UTF-8
# and Drizzle hashes the files' UTF-8 bytes; held in LATIN1 the texts would hash differently from
# what drizzle-kit recorded (and would not parse as JSON). So a LATIN1 database gets a clear error
# from every function before anything is read or run, and a SQL_ASCII database (which keeps the
# bytes as sent) works, with the recorded hash equal to sha256sum of the file.
. "$(dirname "$0")/../lib/check.sh"
export PGCLIENTENCODING=UTF8  # every text this test sends is UTF-8, as drizzle-kit's files
work=$(mktemp -d /tmp/trovella-enc.XXXXXX); chmod 755 "$work"
trap 'rm -rf "$work"; dropdb --if-exists tm_latin1 2>/dev/null; dropdb --if-exists tm_sqlascii 2>/dev/null' EXIT
createdb -E LATIN1 --locale=C -T template0 tm_latin1
createdb -E SQL_ASCII --locale=C -T template0 tm_sqlascii
for db in tm_latin1 tm_sqlascii; do psql -X -q -d "$db" -c "CREATE EXTENSION trovella_migrate"; done

mkdir -p "$work/m/meta"
printf '{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":1700000000000,"tag":"0000_café","breakpoints":true}]}' \
  >"$work/m/meta/_journal.json"
printf -- '-- créée en été\nCREATE TABLE "café" ("prénom" text DEFAULT '"'"'Zoë'"'"');\n' >"$work/m/0000_café.sql"
chmod -R a+rX "$work"
file_hash=$(sha256sum "$work/m/0000_café.sql" | cut -d' ' -f1)
journal=$(cat "$work/m/meta/_journal.json")
texts=$(node -e 'const fs=require("fs"),d=process.argv[1],o={};for(const f of fs.readdirSync(d))if(f.endsWith(".sql"))o[f.slice(0,-4)]=fs.readFileSync(d+"/"+f,"utf8");process.stdout.write(JSON.stringify(o))' "$work/m")
call() {  # DB SQL (with :'j' and :'m')
  psql -X -q -At -d "$1" -v VERBOSITY=verbose -v j="$journal" -v m="$texts" -c "SET client_min_messages = warning" -f - 2>&1 <<<"$2"
}

for fn in "apply(:'j', :'m')" "status(:'j', :'m')" "verify(:'j')" "plan(:'j', :'m')" "baseline(:'j', :'m', '0000_café')" "apply_folder('$work/m')"; do
  out=$(call tm_latin1 "SELECT * FROM trovella_migrate.$fn;")
  check_contains "LATIN1: ${fn%%(*}() is refused, naming the encoding (0A000)" \
    "ERROR:  0A000: trovella_migrate works in UTF8 databases; this database's encoding is LATIN1" "$out"
done
check_contains "LATIN1: the hint says what to do" "HINT:  Create the database with ENCODING 'UTF8'" "$out"
check "LATIN1: nothing was created" test "$(psql -X -At -d tm_latin1 -c "SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL")" = t

check_contains "SQL_ASCII: a migration with accents applies" "1" "$(call tm_sqlascii "SELECT applied FROM trovella_migrate.apply(:'j', :'m');")"
check "SQL_ASCII: the recorded hash is sha256sum of the file (Drizzle's)" \
  test "$(psql -X -At -d tm_sqlascii -c "SELECT hash FROM drizzle.__drizzle_migrations")" = "$file_hash"
check_contains "SQL_ASCII: the names with accents are as written" "Zoë" \
  "$(psql -X -At -d tm_sqlascii -c 'INSERT INTO "café" DEFAULT VALUES RETURNING "prénom"')"
check_contains "SQL_ASCII: status reads it applied" "applied" "$(call tm_sqlascii "SELECT state FROM trovella_migrate.status(:'j', :'m');")"
finish
