#!/usr/bin/env bash
# Real Drizzle histories from public repositories (the shared corpora folder, see its README.md),
# applied through the client against the server of the PG* variables:
#   dokploy  186 journal entries, 187 files: applies on a fresh database and gives exactly the
#            schema that psql -1 of its files in journal order gives; its orphan file
#            0130_abandoned_dagger.sql is warned about and never runs.
#   sim      298 entries: refused before anything runs, every statement that cannot run in a
#            transaction named by file, statement number and line; nothing created or recorded.
# The corpora are optional (a user's machine has none): /work/shared/corpora, else
# ../shared/corpora beside the repository (or $TROVELLA_CORPORA), else the suite skips with
# "0 passed, 0 failed".
. "$(dirname "$0")/../lib/check.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/test/lib/client.sh"

CORPORA=
candidates=(/work/shared/corpora "$ROOT/../shared/corpora")
[ -n "${TROVELLA_CORPORA:-}" ] && candidates=("$TROVELLA_CORPORA")  # another copy (or none, to try the skip)
for candidate in "${candidates[@]}"; do
  [ -d "$candidate" ] && { CORPORA=$(cd "$candidate" && pwd); break; }
done
if [ -z "$CORPORA" ]; then
  echo "# skipped: no corpora folder (${candidates[*]})"
  finish; exit 0
fi
echo "# corpora: $CORPORA"

TMP=$(mktemp -d /tmp/trovella-corpora.XXXXXX)
DBS=(tm_corpora_dokploy tm_corpora_dokploy_psql tm_corpora_dokploy_prefix tm_corpora_sim tm_corpora_sim_handover
     tm_corpora_sim_prefix)
cleanup() {
  for db in "${DBS[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done
  rm -rf "$TMP"
}
trap cleanup EXIT
for db in "${DBS[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done

sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
new_db() { createdb "$1" && { [ "${2:-}" != ext ] || sql "$1" "CREATE EXTENSION trovella_migrate" >/dev/null; }; }
# client DB ARGS...: stdout in $TMP/out, stderr in $TMP/err, exit code returned
client() { local db=$1; shift; "$CLIENT" "$@" --database-url "dbname=$db" >"$TMP/out" 2>"$TMP/err"; }
# The application schema: pg_dump without the tracking schema, the extension and its schema,
# and without comment and blank lines (pg_dump's "-- Name: ..." headers).
app_schema() {
  pg_dump --schema-only --no-owner --no-privileges --exclude-schema=drizzle --exclude-schema=trovella_migrate -d "$1" |
    grep -vE '^\\(un)?restrict |^(--.*)?$|trovella_migrate'
}
# A copy of a corpus with its journal cut to the entries before TAG (all .sql files kept).
journal_before() {  # CORPUS TAG DEST
  mkdir -p "$3/meta" && cp "$1"/*.sql "$3/" &&
    jq --arg t "$2" '.entries |= .[0:(map(.tag) | index($t))]' "$1/meta/_journal.json" >"$3/meta/_journal.json"
}

# ---------------------------------------------------------------------------------------------
dokploy=$CORPORA/dokploy
if [ ! -f "$dokploy/meta/_journal.json" ]; then
  echo "# dokploy: not in the corpora folder, skipped"
else
  echo "# dokploy"
  orphan=0130_abandoned_dagger
  check "dokploy: the corpus as described (186 entries, 187 files, $orphan not in the journal)" test \
    "$(jq '.entries | length' "$dokploy/meta/_journal.json") $(ls "$dokploy"/*.sql | wc -l) $(jq --arg t $orphan '[.entries[] | select(.tag == $t)] | length' "$dokploy/meta/_journal.json")" = "186 187 0"

  new_db tm_corpora_dokploy ext
  started=$SECONDS
  client tm_corpora_dokploy migrate --dir "$dokploy"; rc=$?
  echo "# dokploy: client migrate took $((SECONDS - started)) s"
  check "dokploy: client migrate applies the whole history on a fresh database (exit 0)" test "$rc" = 0
  check_contains "dokploy: ... layer 1 verified" "Verified: database has all 186 migrations." "$(cat "$TMP/out")"
  check "dokploy: ... 186 tracking rows" test "$(sql tm_corpora_dokploy 'SELECT count(*) FROM drizzle.__drizzle_migrations')" = 186
  check_contains "dokploy: the orphan file is warned about" \
    "warning: 1 migration file is not in the journal and will never run: \"$orphan\"" "$(cat "$TMP/err")"

  # The reference: psql in one transaction, the journal's files in journal order.
  new_db tm_corpora_dokploy_psql
  files=()
  while IFS= read -r tag; do files+=(-f "$dokploy/$tag.sql"); done < <(jq -r '.entries[].tag' "$dokploy/meta/_journal.json")
  check "dokploy: psql -1 -v ON_ERROR_STOP=1 of the 186 files in journal order succeeds" \
    psql -X -q -1 -v ON_ERROR_STOP=1 -d tm_corpora_dokploy_psql "${files[@]}"
  app_schema tm_corpora_dokploy >"$TMP/client.schema"
  app_schema tm_corpora_dokploy_psql >"$TMP/psql.schema"
  check "dokploy: the schema dump is not trivially empty (> 1000 lines)" test "$(wc -l <"$TMP/client.schema")" -gt 1000
  check "dokploy: pg_dump --schema-only of the client's database = of psql's" diff "$TMP/client.schema" "$TMP/psql.schema"

  # The orphan adds "domain"."customEntrypoint"; 0158_amused_synch adds the same column later (so
  # the full apply would have failed with "already exists" had the orphan run before it). Cut the
  # journal before 0158, keep every file (the orphan too): the column must be absent.
  check "dokploy: the orphan adds domain.customEntrypoint" grep -q 'ALTER TABLE "domain" ADD COLUMN "customEntrypoint"' "$dokploy/$orphan.sql"
  check "dokploy: ... as 0158_amused_synch does later" grep -q 'ALTER TABLE "domain" ADD COLUMN "customEntrypoint"' "$dokploy/0158_amused_synch.sql"
  journal_before "$dokploy" 0158_amused_synch "$TMP/dokploy_prefix"
  new_db tm_corpora_dokploy_prefix ext
  client tm_corpora_dokploy_prefix migrate --dir "$TMP/dokploy_prefix"; rc=$?
  check "dokploy: the journal up to 0157 applies, with the orphan file in the folder (exit 0)" test "$rc" = 0
  column_exists() { sql "$1" "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'domain' AND column_name = 'customEntrypoint'"; }
  check "dokploy: ... and domain.customEntrypoint does not exist: the orphan did not run" test "$(column_exists tm_corpora_dokploy_prefix)" = 0
  check "dokploy: domain.customEntrypoint exists once the full history ran (0158 added it)" test "$(column_exists tm_corpora_dokploy)" = 1
  # The orphan's text is byte-identical to 0158_amused_synch.sql (same hash): before 0158 no row
  # may have that hash; after the full history exactly one, 0158's.
  orphan_hash=$(sha256sum "$dokploy/$orphan.sql" | cut -d' ' -f1)
  check "dokploy: before 0158 no tracking row has the orphan's hash" test \
    "$(sql tm_corpora_dokploy_prefix "SELECT count(*) FROM drizzle.__drizzle_migrations WHERE hash = '$orphan_hash'")" = 0
  when_0158=$(jq '.entries[] | select(.tag == "0158_amused_synch") | .when' "$dokploy/meta/_journal.json")
  check "dokploy: after the full history the only row with that hash is 0158's (created_at = its when)" test \
    "$(sql tm_corpora_dokploy "SELECT string_agg(created_at::text, ',') FROM drizzle.__drizzle_migrations WHERE hash = '$orphan_hash'")" = "$when_0158"
  check "dokploy: the history has no row for the orphan" test \
    "$(sql tm_corpora_dokploy "SELECT count(*) FROM trovella_migrate.history WHERE tag = '$orphan'")" = 0
  client tm_corpora_dokploy status --dir "$dokploy" --json; rc=$?
  check "dokploy: status exits 0 (orphans only warn)" test "$rc" = 0
  check "dokploy: status shows 186 applied and the orphan as orphan" test \
    "$(jq -r --arg t $orphan '"\(.counts.applied) \(.counts.orphan) \(.migrations[] | select(.tag == $t) | .state)"' "$TMP/out")" = "186 1 orphan"
  client tm_corpora_dokploy verify --dir "$dokploy"; rc=$?
  check "dokploy: verify passes (exit 0)" test "$rc" = 0
fi

# ---------------------------------------------------------------------------------------------
sim=$CORPORA/sim
if [ ! -f "$sim/meta/_journal.json" ]; then
  echo "# sim: not in the corpora folder, skipped"
else
  echo "# sim"
  # Every statement that cannot run in a transaction, found independently of the extension: split
  # each journal file as Drizzle does, skip pieces that are only whitespace and comments, number
  # the rest from 1, take the line of each piece's first non-whitespace character (the contract
  # of DESIGN.md section 2) and classify the first keyword after the leading comments.
  node -e '
    const fs = require("fs"), dir = process.argv[1], bp = "--> statement-breakpoint";
    const lead = /^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/;
    for (const e of JSON.parse(fs.readFileSync(`${dir}/meta/_journal.json`, "utf8")).entries) {
      const text = fs.readFileSync(`${dir}/${e.tag}.sql`, "utf8");
      let pos = 0, n = 0;
      for (const piece of text.split(bp)) {
        const start = pos; pos += piece.length + bp.length;
        const body = piece.replace(lead, "");
        if (body.trim() === "") continue;
        n++;
        const line = text.slice(0, start + piece.search(/\S/)).split("\n").length;
        if (/^(COMMIT|BEGIN|START\s+TRANSACTION|ROLLBACK|SAVEPOINT|RELEASE|END)\b/i.test(body) ||
            /^((CREATE\s+(UNIQUE\s+)?|DROP\s+)INDEX\s+CONCURRENTLY|REINDEX\b[^;]*CONCURRENTLY|VACUUM|CREATE\s+DATABASE|ALTER\s+SYSTEM)\b/i.test(body))
          console.log(`${e.tag} statement ${n} (line ${line})`);
      }
    }' "$sim" | sort >"$TMP/sim.expected"
  expected_count=$(wc -l <"$TMP/sim.expected")
  check "sim: the independent scan finds blocking statements in 24 files" test \
    "$(cut -d' ' -f1 "$TMP/sim.expected" | sort -u | wc -l)" = 24

  # In one transaction (--single-transaction, as apply() runs) the history cannot run: refused
  # before anything runs, every blocking statement named.
  new_db tm_corpora_sim ext
  client tm_corpora_sim migrate --dir "$sim" --single-transaction; rc=$?
  out=$(cat "$TMP/out" "$TMP/err")
  check "sim: client migrate --single-transaction refuses the history (exit 4, a database error)" test "$rc" = 4
  check_contains "sim: ... refused before anything ran" "trovella-migrate: refused before anything ran" "$out"
  check_contains "sim: ... SQLSTATE 0A000" "SQLSTATE: 0A000" "$out"
  check_contains "sim: ... one error counting every blocking statement ($expected_count)" \
    "ERROR:  $expected_count statements cannot run inside a migration applied by trovella_migrate" "$out"
  # Read in the file: line 3 is "COMMIT;", line 34 the first of three CREATE INDEX CONCURRENTLY,
  # the file has 9 breakpoints (10 statements).
  check_contains "sim: names the embedded COMMIT of 0220_early_hellion (statement 3 of 10, line 3)" \
    '"0220_early_hellion" statement 3 of 10 (line 3): a transaction control statement' "$out"
  check_contains "sim: names its CREATE INDEX CONCURRENTLY (statement 8 of 10, line 34)" \
    '"0220_early_hellion" statement 8 of 10 (line 34): CREATE INDEX CONCURRENTLY: CREATE INDEX CONCURRENTLY IF NOT EXISTS "usage_log_execution' "$out"
  # 0294: line 9 "DROP INDEX CONCURRENTLY", the third piece, which starts with a comment on line 8.
  check_contains "sim: names a DROP INDEX CONCURRENTLY of 0294_workable_jigsaw (statement 3 of 5)" \
    '"0294_workable_jigsaw" statement 3 of 5 (line 8): DROP INDEX CONCURRENTLY' "$out"
  grep -oE '"[0-9a-z_]+" statement [0-9]+ of [0-9]+ \(line [0-9]+\)' <<<"$out" |
    sed -E 's/"//g; s/ of [0-9]+ / /' | sort -u >"$TMP/sim.reported"
  check "sim: the error lists every blocking statement of every file, none missing, none extra" \
    diff "$TMP/sim.expected" "$TMP/sim.reported"
  check_contains "sim: ... and says nothing was run" "Nothing was run." "$out"
  check "sim: the CREATE EXTENSION vector of 0039 never ran (no error about it)" \
    test "$(grep -c 'extension "vector"' <<<"$out")" = 0
  check_contains "sim: the orphan 0091_backfill_user_stats is warned about" '"0091_backfill_user_stats"' "$(cat "$TMP/err")"
  check_contains "sim: the missing idx 29 is warned about" 'idx is 30 but the entry is number 29' "$(cat "$TMP/err")"
  check "sim: no table, view, type or sequence was created" test "$(sql tm_corpora_sim "
    SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'trovella_migrate'))
         + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'trovella_migrate'))")" = 0
  check "sim: no tracking row was written (the tracking table does not even exist)" test \
    "$(sql tm_corpora_sim "SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL")" = t
  check "sim: the history has no row" test "$(sql tm_corpora_sim 'SELECT count(*) FROM trovella_migrate.history')" = 0

  # Without --single-transaction the extension hands the run to the client engine, which would
  # run 0220's statements outside a transaction; the history stops before that, at
  # 0039_tranquil_speed's CREATE EXTENSION vector (not installed here; SQLSTATE 0A000 too, but a
  # failed statement, not the refusal), and 0000-0038, run in one transaction with it, roll back.
  new_db tm_corpora_sim_handover ext
  client tm_corpora_sim_handover migrate --dir "$sim"; rc=$?
  out=$(cat "$TMP/out" "$TMP/err")
  check "sim: client migrate fails (exit 4)" test "$rc" = 4
  check_contains "sim: ... the extension hands the run to the client engine" \
    "the client engine runs this migrate over libpq" "$out"
  check_contains "sim: ... at 0039_tranquil_speed's CREATE EXTENSION vector" \
    'migration "0039_tranquil_speed", statement 1 of 1 (line 1): CREATE EXTENSION IF NOT EXISTS vector;' "$out"
  check_contains "sim: ... a failed migration, not the refusal (same SQLSTATE 0A000)" \
    "trovella-migrate: migration failed: the whole run was rolled back, nothing was applied" "$out"
  check "sim: ... and never handed back and forth (one hand-over)" \
    test "$(grep -c 'the client engine runs this migrate' <<<"$out")" = 1
  check "sim: ... and 0000-0038 were rolled back with it (no table, no tracking table, no history)" test \
    "$(sql tm_corpora_sim_handover "SELECT count(*) FROM pg_tables
       WHERE schemaname IN ('public', 'drizzle', 'trovella_migrate_history')")" = 0

  # The journal cut before 0220_early_hellion, the first blocking file: the extension runs it
  # itself and stops at the same statement, rolling everything back.
  journal_before "$sim" 0220_early_hellion "$TMP/sim_prefix"
  new_db tm_corpora_sim_prefix ext
  client tm_corpora_sim_prefix migrate --dir "$TMP/sim_prefix"; rc=$?
  out=$(cat "$TMP/out" "$TMP/err")
  check "sim before 0220: migrate fails (exit 4)" test "$rc" = 4
  check "sim before 0220: ... in the extension: its 0A000 is a failed statement, not a refusal to hand over" \
    test "$(grep -c 'the client engine runs this migrate' <<<"$out")" = 0
  check_contains "sim before 0220: ... at 0039_tranquil_speed's CREATE EXTENSION vector" 'ERROR:  extension "vector" is not available' "$out"
  check_contains "sim before 0220: ... named by migration, statement and line" \
    'migration "0039_tranquil_speed", statement 1 of 1 (line 1): CREATE EXTENSION IF NOT EXISTS vector;' "$out"
  check "sim before 0220: ... and 0000-0038 were rolled back with it (no table, no tracking table)" test \
    "$(sql tm_corpora_sim_prefix "SELECT count(*) FROM pg_tables WHERE schemaname IN ('public', 'drizzle')")" = 0
fi

finish
