#!/usr/bin/env bash
# End-to-end figures for apply(), on a throwaway server:
#   1. a synthetic history (500 migrations x 20 statements): apply() in one call vs psql sending
#      the same statements one round trip each (what Drizzle's Node migrator does), both in one
#      transaction, both over the local Unix socket (no network latency: the gap only grows with it);
#   2. the dokploy history from ../shared/corpora (186 migrations), when present;
#   3. a 50 MB single-statement migration: time, and the backend's peak memory (VmHWM);
#   4. 3,000 one-table migrations: apply() (one transaction) against CALL apply_each() (a commit each).
# Usage: bash bench/apply_bench.sh   (after scripts/setup). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/lib/postgresql/15/bin:$PATH"
. test/lib/server.sh
start_server
work=$(mktemp -d /tmp/trovella-bench.XXXXXX); chmod 755 "$work"
trap 'rm -rf "$work"; stop_server' EXIT

ms() { date +%s%3N; }
fresh_db() { dropdb --if-exists "$1" 2>/dev/null; createdb "$1"; psql -X -q -d "$1" -c "CREATE EXTENSION trovella_migrate"; }

# Folder -> SQL that calls apply() with the files read by the server itself.
apply_sql() {
  cat <<SQL
SET client_min_messages = warning;
SELECT applied, verified FROM trovella_migrate.apply(
  convert_from(pg_read_binary_file('$1/meta/_journal.json'), 'UTF8')::json,
  (SELECT jsonb_object_agg(regexp_replace(f, '\.sql$', ''), convert_from(pg_read_binary_file('$1/' || f), 'UTF8'))
   FROM pg_ls_dir('$1') f WHERE f LIKE '%.sql'));
SQL
}

echo "| case | migrations | statements | apply() one call | one round trip per statement (psql -1) |"
echo "|---|---:|---:|---:|---:|"

# 1. Synthetic history. Statements that create few relation files (ALTER, COMMENT, INSERT,
# CREATE TYPE), so the figures measure the migration machinery rather than the filesystem.
syn=$work/synthetic; mkdir -p "$syn/meta"
node -e '
const fs=require("fs"); const dir=process.argv[1]; const n=500, k=20; const entries=[]; const q=String.fromCharCode(39);
const kinds=[(i,s)=>`ALTER TABLE "b${i}" ADD COLUMN IF NOT EXISTS "c${s}" integer DEFAULT ${s};`,
             (i,s)=>`INSERT INTO "b${i}" ("id", "name") VALUES (${s}, ${"$$"}row ${s}; with a semicolon${"$$"});`,
             (i,s)=>`COMMENT ON TABLE "b${i}" IS ${"$$"}version ${s}${"$$"};`,
             (i,s)=>`DO ${"$$"} BEGIN\n CREATE TYPE "public"."e${i}_${s}" AS ENUM(${q}a${q}, ${q}b${q});\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND ${"$$"};`];
for (let i=0;i<n;i++){ const tag=String(i).padStart(4,"0")+"_bench"; entries.push({idx:i,version:"7",when:1700000000000+i,tag,breakpoints:true});
  const st=[`CREATE TABLE "b${i}" (\n\t"id" integer PRIMARY KEY NOT NULL,\n\t"name" varchar(200)\n);`];
  for (let s=1;s<k;s++) st.push(kinds[s%4](i,s));
  fs.writeFileSync(`${dir}/${tag}.sql`, st.join("--> statement-breakpoint\n")); }
fs.writeFileSync(dir+"/meta/_journal.json", JSON.stringify({version:"7",dialect:"postgresql",entries},null,2));' "$syn"
chmod -R a+rX "$work"
# The round-trip baseline: every statement sent on its own, in journal order, one transaction.
node -e '
const fs=require("fs"); const dir=process.argv[1]; const j=JSON.parse(fs.readFileSync(dir+"/meta/_journal.json","utf8"));
let out="BEGIN;\n"; for (const e of j.entries){ for (const s of fs.readFileSync(`${dir}/${e.tag}.sql`,"utf8").split("--> statement-breakpoint")) if (s.trim()) out+=s.trim()+"\n"; }
fs.writeFileSync(process.argv[2], out+"COMMIT;\n");' "$syn" "$work/syn_roundtrips.sql"
# Three alternating rounds; the median of each is reported.
a=(); b=()
for round in 1 2 3; do
  fresh_db b1; t0=$(ms); apply_sql "$syn" | psql -X -q -d b1 -v ON_ERROR_STOP=1 >/dev/null; a+=($(( $(ms) - t0 )))
  fresh_db b2; t0=$(ms); psql -X -q -d b2 -v ON_ERROR_STOP=1 -f "$work/syn_roundtrips.sql" >/dev/null; b+=($(( $(ms) - t0 )))
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
echo "| synthetic (median of 3) | 500 | 10000 | $(median "${a[@]}") ms | $(median "${b[@]}") ms |"

# 2. dokploy, when ../shared is there.
corpus=$(cd .. && pwd)/shared/corpora/dokploy
if [ -d "$corpus" ]; then
  cp -r "$corpus" "$work/dokploy"; chmod -R a+rX "$work"
  stmts=$(cat "$work"/dokploy/*.sql | grep -c -- '--> statement-breakpoint' || true)
  fresh_db b3; t0=$(ms); apply_sql "$work/dokploy" | psql -X -q -d b3 -v ON_ERROR_STOP=1 >/dev/null; t1=$(ms)
  echo "| dokploy (real) | 186 | ~$((stmts + 186)) | $((t1 - t0)) ms | (see interop suite) |"
else
  echo "| dokploy (real) | - | - | skipped: ../shared/corpora absent | |"
fi

# 3. One 50 MB statement: time and the backend's peak memory (VmHWM), each mode in a new session.
# "inputs only" builds the same arguments without calling the extension: PostgreSQL's own share.
big=$work/big; mkdir -p "$big/meta"
echo '{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":1,"tag":"0000_big","breakpoints":true}]}' >"$big/meta/_journal.json"
{ printf 'CREATE TABLE big_t (v text);\n--> statement-breakpoint\nINSERT INTO big_t VALUES ($$'; head -c 52428800 /dev/zero | tr '\0' 'x'; printf '$$);'; } >"$big/0000_big.sql"
chmod -R a+rX "$work"
fresh_db b4
for mode in inputs apply apply_folder; do
  out=$(psql -X -q -At -d b4 -v ON_ERROR_STOP=1 2>/dev/null <<SQL
SET client_min_messages = warning;
SELECT pg_catalog.clock_timestamp() AS t0 \gset
CREATE TEMP TABLE inp AS SELECT convert_from(pg_read_binary_file('$big/meta/_journal.json'), 'UTF8')::json AS j,
  jsonb_build_object('0000_big', convert_from(pg_read_binary_file('$big/0000_big.sql'), 'UTF8')) AS m
  WHERE '$mode' <> 'apply_folder';
SELECT CASE '$mode' WHEN 'inputs' THEN (SELECT count(*) FROM inp)::text
                    WHEN 'apply' THEN (SELECT applied FROM inp, trovella_migrate.apply(j, m))::text
                    ELSE (SELECT applied FROM trovella_migrate.apply_folder('$big'))::text END;
SELECT 'elapsed ' || round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000);
SELECT regexp_replace(l, '\s+', ' ', 'g') FROM regexp_split_to_table(pg_read_file('/proc/' || pg_backend_pid() || '/status'), E'\n') l WHERE l LIKE 'VmHWM%';
DROP TABLE IF EXISTS big_t;
DROP SCHEMA IF EXISTS drizzle CASCADE;
SQL
)
  echo "| 50 MB statement, $mode | 1 | 2 | $(echo "$out" | sed -n 's/elapsed //p') ms, backend peak $(echo "$out" | grep VmHWM | sed 's/VmHWM: //') | |"
done

# 4. 3,000 migrations of one table each: one transaction holds ~3 locks per table.
many=$work/many; mkdir -p "$many/meta"
node -e '
const fs=require("fs"); const dir=process.argv[1]; const entries=[];
for (let i=0;i<3000;i++){ const tag=String(i).padStart(4,"0")+"_t"; entries.push({idx:i,version:"7",when:1700000000000+i,tag,breakpoints:true});
  fs.writeFileSync(`${dir}/${tag}.sql`, `CREATE TABLE "m${i}" (\n\t"id" integer PRIMARY KEY NOT NULL\n);`); }
fs.writeFileSync(dir+"/meta/_journal.json", JSON.stringify({version:"7",dialect:"postgresql",entries},null,2));' "$many"
chmod -R a+rX "$work"
fresh_db b5; t0=$(ms)
if apply_sql "$many" | psql -X -q -d b5 -v ON_ERROR_STOP=1 >/dev/null 2>"$work/b5.err"; then r5="$(( $(ms) - t0 )) ms"; else r5="fails after $(( $(ms) - t0 )) ms: $(grep -o 'out of shared memory' "$work/b5.err" | head -1) (max_locks_per_transaction $(psql -X -At -d b5 -c 'SHOW max_locks_per_transaction'))"; fi
fresh_db b6; t0=$(ms)
{ cat <<SQL
SET client_min_messages = warning;
CREATE TEMP TABLE inp AS SELECT convert_from(pg_read_binary_file('$many/meta/_journal.json'), 'UTF8')::json AS j,
  (SELECT jsonb_object_agg(regexp_replace(f, '\.sql$', ''), convert_from(pg_read_binary_file('$many/' || f), 'UTF8'))
   FROM pg_ls_dir('$many') f WHERE f LIKE '%.sql') AS m;
SELECT j AS journal, m AS migrations FROM inp \gset
CALL trovella_migrate.apply_each(:'journal', :'migrations');
SQL
} | psql -X -q -d b6 -v ON_ERROR_STOP=1 >/dev/null
r6="$(( $(ms) - t0 )) ms, $(psql -X -At -d b6 -c 'SELECT count(*) FROM drizzle.__drizzle_migrations') rows"
echo "| 3,000 one-table migrations | 3000 | 3000 | apply(): $r5 | CALL apply_each(): $r6 |"
