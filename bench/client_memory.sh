#!/usr/bin/env bash
# Peak memory of the client sending one large migration: the file's bytes travel once, as a
# binary text[] query parameter read straight from disk, so the client holds them about twice
# (its array and libpq's send buffer). Prints the file size, the peak resident set size of
# `trovella-migrate migrate` and `trovella-migrate status` (GNU time -v) and their ratio.
#
#   bash bench/client_memory.sh [MEGABYTES]     (default 100; a throwaway server; copy the figures
#                                                into BENCHMARKS.md)
set -eu  # (no pipefail: yes | head ends yes with SIGPIPE)
cd "$(dirname "$0")/.."
megabytes=${1:-100}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PATH="$("$PG_CONFIG" --bindir):$PATH"
. test/lib/client.sh
. test/lib/server.sh
start_server >/dev/null
dir=$(mktemp -d /tmp/trovella-memory.XXXXXX)
trap 'stop_server; rm -rf "$dir"' EXIT
mkdir -p "$dir/meta"
printf '{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":1700000000000,"tag":"0000_big","breakpoints":true}]}\n' \
    >"$dir/meta/_journal.json"
# Half of it one string literal, half comment lines after a breakpoint.
half=$((megabytes * 1024 * 1024 / 2))
{
    printf 'CREATE TABLE big (v text);\n--> statement-breakpoint\nINSERT INTO big VALUES ($big$'
    yes -- "row with 'quotes' \\ backslash \$\$ and more text" | head -c "$half"
    printf '$big$);\n--> statement-breakpoint\n'
    yes -- "-- a comment line of the migration" | head -c "$half"
    printf '\nCREATE TABLE big_done (v int);\n'
} >"$dir/0000_big.sql"
bytes=$(stat -c %s "$dir/0000_big.sql")
createdb bench_memory
psql -X -q -d bench_memory -c 'CREATE EXTENSION trovella_migrate'
for command in migrate status; do
    status=0
    /usr/bin/time -v "$CLIENT" "$command" --dir "$dir" --database-url dbname=bench_memory 2>"$dir.time" >/dev/null || status=$?
    kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$dir.time")
    awk -v c="$command" -v kb="$kb" -v b="$bytes" -v s="$status" 'BEGIN {
        printf "%-8s exit %d, file %.1f MB, peak RSS %.1f MB, %.2fx the file\n", c, s, b / 1048576, kb / 1024, kb * 1024 / b }'
done
echo "rows applied: $(psql -X -At -d bench_memory -c 'SELECT count(*) FROM drizzle.__drizzle_migrations'), literal bytes: $(psql -X -At -d bench_memory -c 'SELECT octet_length(v) FROM big')"
rm -f "$dir.time"
