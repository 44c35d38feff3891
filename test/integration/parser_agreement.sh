#!/usr/bin/env bash
# The two pre-flight checks agree (issue 10): the extension's (PostgreSQL's pg_parse_query inside
# the server, src/pg/statement_check) and the client engine's (libpg_query, PostgreSQL 15's parser
# as a library, src/client/statement_check) read the same statements through one rule table
# (src/core/statement_rules) and must refuse exactly the same ones with exactly the same error.
#   1. every case of test/parser_agreement/cases.txt (every rule and its negative twins, pieces
#      holding several statements, syntax errors): the extension's verdict (plan() of the case
#      alone, as apply() would run it: nothing, or the error it raises, field by field) equals the client's, and both are
#      what the case expects (class, reason, statement number and line of every refusal);
#   2. every .sql file of the shared corpora (dokploy, sim), each alone, the same comparison;
#   3. the rule table against the server itself: what the cases call no_transaction_block,
#      PostgreSQL refuses inside a transaction block, and nothing they call transactional;
#   4. end to end: trovella-migrate --single-transaction --engine client prints the refusal and the syntax error
#      exactly as --engine extension does;
#   5. the comparison fails when the two disagree: verdicts of the extension altered on purpose
#      (a refusal dropped, a line changed, a refusal added), and a case expecting a wrong line,
#      are each reported "not ok".
# The client's half is build/core/parser_verdicts (CMake, test/parser_agreement/parser_verdicts.cpp),
# built here when missing. The corpora are optional (a user's machine has none): /work/shared/
# corpora, else ../shared/corpora beside the repository (or $TROVELLA_CORPORA); without them part 2
# is skipped and says so.
. "$(dirname "$0")/../lib/check.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CASES=$ROOT/test/parser_agreement/cases.txt
BUILD=${TROVELLA_CMAKE_BUILD:-$ROOT/build/core}
HELPER=$BUILD/parser_verdicts
TMP=$(mktemp -d /tmp/trovella-parsers.XXXXXX)
db=tm_parser_agreement
trap 'dropdb --if-exists $db 2>/dev/null; rm -rf "$TMP"' EXIT

# The helper: built with the unit tests by scripts/test; built here when run alone.
if ! { [ -d "$BUILD" ] || cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$TMP/cmake.log" 2>&1; } ||
   ! cmake --build "$BUILD" --target parser_verdicts >>"$TMP/cmake.log" 2>&1; then
  tail -30 "$TMP/cmake.log"
  check "build the client's half (parser_verdicts)" false
  finish; exit 1
fi

CORPORA=()
candidates=(/work/shared/corpora "$ROOT/../shared/corpora")
[ -n "${TROVELLA_CORPORA:-}" ] && candidates=("$TROVELLA_CORPORA")
for candidate in "${candidates[@]}"; do
  if [ -d "$candidate" ]; then
    for corpus in "$candidate"/*/; do ls "$corpus"*.sql >/dev/null 2>&1 && CORPORA+=("${corpus%/}"); done
    break
  fi
done
[ ${#CORPORA[@]} -gt 0 ] || echo "# corpora: none found (${candidates[*]}): part 2 skipped"

dropdb --if-exists $db 2>/dev/null
createdb $db && psql -X -q -d $db -v ON_ERROR_STOP=1 -c "CREATE EXTENSION trovella_migrate" >/dev/null ||
  { check "a database with the extension" false; finish; exit 1; }

# extension_verdicts MIGRATIONS_JSON: what plan() raises for each migration alone, as apply()
# would (option single_transaction: refusing what cannot run in a transaction, not listing it), as
# {"tag": {"sqlstate", "message", "detail", "hint", "context"}} ("00000": nothing raised).
extension_verdicts() {
  psql -X -q -At -d $db -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
SET lc_messages = 'C';
\\set m \`cat '$1'\`
CREATE FUNCTION pg_temp.verdict(tag text, body text) RETURNS jsonb LANGUAGE plpgsql AS \$\$
DECLARE
  st text; msg text; det text; hnt text; ctx text;
BEGIN
  PERFORM FROM trovella_migrate.plan(
    json_build_object('entries', json_build_array(json_build_object('idx', 0, 'when', 1, 'tag', tag))),
    jsonb_build_object(tag, body), '{"single_transaction": true}');
  RETURN jsonb_build_object('sqlstate', '00000');
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                          hnt = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
  RETURN jsonb_build_object('sqlstate', st, 'message', msg, 'detail', det, 'hint', hnt, 'context', ctx);
END \$\$;
SELECT jsonb_object_agg(key, pg_temp.verdict(key, value)) FROM jsonb_each_text(:'m');
SQL
}

# 1 and 2. Every case and every corpus file: both parsers, compared.
"$HELPER" migrations "$CASES" "${CORPORA[@]}" >"$TMP/migrations.json" &&
  extension_verdicts "$TMP/migrations.json" >"$TMP/extension.json" ||
  { check "the extension's verdicts (plan() of every migration)" false; finish; exit 1; }
check "the extension gave a verdict for every migration ($(jq length "$TMP/migrations.json"))" \
  test "$(jq length "$TMP/extension.json")" = "$(jq length "$TMP/migrations.json")"
"$HELPER" compare "$CASES" "${CORPORA[@]}" "$TMP/extension.json" >"$TMP/compare.out" 2>&1
status=$?
cat "$TMP/compare.out"
TM_PASSED=$((TM_PASSED + $(grep -c '^ok - ' "$TMP/compare.out")))
TM_FAILED=$((TM_FAILED + $(grep -c '^not ok - ' "$TMP/compare.out")))
check "the comparison ran to the end and found no disagreement (exit 0)" test "$status" = 0

# 3. The rule table held against the server itself: every statement of the cases read as
# no_transaction_block (the client's reading, which part 1 found equal to the extension's) is
# refused by PostgreSQL inside a transaction block (25001, "... cannot run inside a transaction
# block"), and none read as transactional is refused for that reason (they may fail for others:
# the cases' tables do not exist). Each runs alone, rolled back.
"$HELPER" statements "$CASES" >"$TMP/statements.jsonl"
jq -r -s 'to_entries[] | "BEGIN;\n\(.value.sql)\n;\n\\echo \(.key) :SQLSTATE\nROLLBACK;"' "$TMP/statements.jsonl" \
  >"$TMP/in_a_block.sql"
PGOPTIONS='-c client_min_messages=error -c lc_messages=C' psql -X -q -At -d $db -f "$TMP/in_a_block.sql" 2>/dev/null |
  grep -E '^[0-9]+ [0-9A-Z]{5}$' >"$TMP/in_a_block.out"
jq -r -s 'to_entries[] | "\(.key) \(.value.class) \(.value.tag)"' "$TMP/statements.jsonl" |
  awk 'NR == FNR { state[$1] = $2; next } $1 in state { print $0, state[$1] }' "$TMP/in_a_block.out" - \
  >"$TMP/in_a_block.joined"
outside=$(grep -c ' no_transaction_block ' "$TMP/in_a_block.joined")
inside=$(grep -c ' transactional ' "$TMP/in_a_block.joined")
check "every statement was run in a transaction block ($(wc -l <"$TMP/statements.jsonl"))" \
  test "$(wc -l <"$TMP/in_a_block.joined")" = "$(wc -l <"$TMP/statements.jsonl")"
check "PostgreSQL refuses in a transaction block all $outside statements read as no_transaction_block" \
  test -z "$(awk '$2 == "no_transaction_block" && $4 != "25001"' "$TMP/in_a_block.joined")"
awk '$2 == "no_transaction_block" && $4 != "25001" { print "#   not refused: " $0 }' "$TMP/in_a_block.joined"
check "... and none of the $inside read as transactional" \
  test -z "$(awk '$2 == "transactional" && $4 == "25001"' "$TMP/in_a_block.joined")"
awk '$2 == "transactional" && $4 == "25001" { print "#   refused: " $0 }' "$TMP/in_a_block.joined"

# 4. End to end, through trovella-migrate --single-transaction (without it the client runs such
# migrations outside a transaction: test/client/outside_transaction.sh): the client engine (this
# check) and the extension engine (apply's) print the same refusal and the same syntax error, exit
# 4, and apply nothing.
. "$ROOT/test/lib/client.sh"
folder() {  # DIR FILE_0000 FILE_0001: a two-migration folder
  mkdir -p "$1/meta" && printf '%s' "$2" >"$1/0000_first.sql" && printf '%s' "$3" >"$1/0001_second.sql" &&
    printf '%s' '{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":1,"tag":"0000_first","breakpoints":true},{"idx":1,"version":"7","when":2,"tag":"0001_second","breakpoints":true}]}' \
      >"$1/meta/_journal.json"
}
folder "$TMP/refused" $'CREATE TABLE e2e (id int);\n--> statement-breakpoint\nCREATE INDEX CONCURRENTLY e2e_i ON e2e (id);' \
  $'SELECT 1;\n--> statement-breakpoint\nCOMMIT;\nVACUUM e2e;'
folder "$TMP/syntax" 'SELECT 1;' $'SELECT 1;\n--> statement-breakpoint\n\nCREATE TABLE e2e (id int,, x int);'
for case in refused syntax; do
  for engine in client extension; do
    "$CLIENT" migrate --single-transaction --engine $engine --dir "$TMP/$case" --database-url "dbname=$db" \
      >"$TMP/$case.$engine.out" 2>&1
    echo "exit $?" >>"$TMP/$case.$engine.out"
  done
  check "trovella-migrate, $case: the client engine prints what the extension engine prints" \
    diff <(grep -v '^Engine: ' "$TMP/$case.client.out") <(grep -v '^Engine: ' "$TMP/$case.extension.out")
  check "... exit 4, nothing applied" test "$(tail -1 "$TMP/$case.client.out")/$(psql -X -At -d $db -c \
    "SELECT to_regclass('e2e') IS NULL AND to_regclass('drizzle.__drizzle_migrations') IS NULL")" = "exit 4/t"
done
check_contains "... the refusal names each statement by its own line" \
  '"0001_second" statement 2 of 2 (line 4): VACUUM: VACUUM e2e' "$(cat "$TMP/refused.client.out")"
check_contains "... the syntax error has the statement's CONTEXT line" \
  'CONTEXT:  migration "0001_second", statement 2 of 2 (line 4): CREATE TABLE e2e (id int,, x int);' \
  "$(cat "$TMP/syntax.client.out")"

# 5. The comparison can fail: verdicts altered on purpose are each reported.
jq '.one_piece_several_statements.detail |= (split("\n") | .[0:1] | join("\n"))
    | .syntax_error.context |= sub("[(]line [0-9]+[)]"; "(line 99)")
    | .analyze = {sqlstate: "0A000", message: "1 statement cannot run", detail: "", hint: "", context: ""}' \
  "$TMP/extension.json" >"$TMP/altered.json"
"$HELPER" compare "$CASES" "$TMP/altered.json" >"$TMP/altered.out" 2>&1
status=$?
check "a disagreement fails the comparison (exit 1)" test "$status" = 1
for tag in one_piece_several_statements syntax_error analyze; do
  check "... the altered verdict of $tag is reported" grep -q "^not ok - $tag$" "$TMP/altered.out"
done
check "... and nothing else" test "$(grep -c '^not ok' "$TMP/altered.out")" = 3
sed -n '/^not ok - one_piece_several_statements$/,/^#   client/p' "$TMP/altered.out" | sed 's/^/#   /'
sed 's/^expect: refused 2:3 no_transaction_block CREATE INDEX CONCURRENTLY$/expect: refused 2:4 no_transaction_block CREATE INDEX CONCURRENTLY/' \
  "$CASES" >"$TMP/wrong_case.txt"
"$HELPER" compare "$TMP/wrong_case.txt" "$TMP/extension.json" >"$TMP/wrong_case.out" 2>&1
check "a case expecting the wrong line fails the comparison" \
  test "$?/$(grep -c '^not ok' "$TMP/wrong_case.out")/$(grep -c '^not ok - cic$' "$TMP/wrong_case.out")" = 1/1/1
finish
