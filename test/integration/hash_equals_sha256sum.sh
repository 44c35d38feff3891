#!/usr/bin/env bash
# The recorded hash equals `sha256sum` of the file on disk, for plain, BOM + CRLF and UTF-8
# files. The server reads the files itself (pg_read_binary_file), so no client can alter a byte.
. "$(dirname "$0")/../lib/check.sh"
dir=$(mktemp -d /tmp/trovella-hash.XXXXXX); chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
printf 'CREATE TABLE hx_plain (id int);\n--> statement-breakpoint\nCREATE TABLE hx_plain2 (id int);\n' >"$dir/0000_plain.sql"
printf '\xef\xbb\xbfCREATE TABLE hx_bom (id int);\r\n--> statement-breakpoint\r\nCREATE TABLE hx_bom2 (id int);' >"$dir/0001_bom_crlf.sql"
printf 'COMMENT ON TABLE hx_plain IS $$caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \\ %s$$;' "'quoted'" >"$dir/0002_utf8.sql"
cat >"$dir/_journal.json" <<'J'
{"version":"7","dialect":"postgresql","entries":[
 {"idx":0,"version":"7","when":1,"tag":"0000_plain","breakpoints":true},
 {"idx":1,"version":"7","when":2,"tag":"0001_bom_crlf","breakpoints":true},
 {"idx":2,"version":"7","when":3,"tag":"0002_utf8","breakpoints":true}]}
J
createdb tm_hash
psql -X -q -d tm_hash -c "CREATE EXTENSION trovella_migrate" >/dev/null
psql -X -q -d tm_hash -v ON_ERROR_STOP=1 -v dir="$dir" >/dev/null 2>&1 <<'SQL'
SET client_min_messages = warning;
SELECT * FROM trovella_migrate.apply(
  convert_from(pg_read_binary_file(:'dir' || '/_journal.json'), 'UTF8')::json,
  jsonb_build_object(
    '0000_plain', convert_from(pg_read_binary_file(:'dir' || '/0000_plain.sql'), 'UTF8'),
    '0001_bom_crlf', convert_from(pg_read_binary_file(:'dir' || '/0001_bom_crlf.sql'), 'UTF8'),
    '0002_utf8', convert_from(pg_read_binary_file(:'dir' || '/0002_utf8.sql'), 'UTF8')));
SQL
check "apply of files read from disk succeeded" test "$?" = 0
for when_tag in 1:0000_plain 2:0001_bom_crlf 3:0002_utf8; do
  when=${when_tag%%:*}; tag=${when_tag#*:}
  recorded=$(psql -X -At -d tm_hash -c "SELECT hash FROM drizzle.__drizzle_migrations WHERE created_at = $when")
  expected=$(sha256sum "$dir/$tag.sql" | cut -d' ' -f1)
  check "$tag: recorded hash = sha256sum of the file ($expected)" test "$recorded" = "$expected"
done
check "BOM file's statements ran (BOM not sent)" \
  test "$(psql -X -At -d tm_hash -c "SELECT count(*) FROM pg_tables WHERE tablename IN ('hx_bom','hx_bom2')")" = 2
dropdb tm_hash
finish
