# Sourced by suites that migrate with examples/migrations (not a suite itself).
#   examples_copy DIR        copies examples/migrations into DIR (readable by the server) and adds
#                            meta/first8.json, the journal of its first 8 entries (the wiki's
#                            "8 applied, 10 expected" state)
#   apply_server_files DB DIR JOURNAL
#                            apply() with the texts the server reads from DIR itself
#                            (meta/JOURNAL and every *.sql); prints "applied,verified"
examples_copy() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
  mkdir -p "$1"
  cp -r "$root/examples/migrations/." "$1/"
  node -e 'const fs=require("fs"),p=process.argv[1]+"/meta/_journal.json",j=JSON.parse(fs.readFileSync(p,"utf8"));
j.entries=j.entries.slice(0,8);fs.writeFileSync(process.argv[1]+"/meta/first8.json",JSON.stringify(j,null,2));' "$1"
  chmod -R a+rX "$1"
}

apply_server_files() {
  psql -X -q -At -d "$1" -v ON_ERROR_STOP=1 -v dir="$2" -v journal="$3" 2>&1 <<'SQL'
SET client_min_messages = warning;
SELECT applied || ',' || verified FROM trovella_migrate.apply(
  convert_from(pg_read_binary_file(:'dir' || '/meta/' || :'journal'), 'UTF8')::json,
  (SELECT jsonb_object_agg(regexp_replace(f, '\.sql$', ''), convert_from(pg_read_binary_file(:'dir' || '/' || f), 'UTF8'))
   FROM pg_ls_dir(:'dir') f WHERE f LIKE '%.sql'));
SQL
}
