#!/usr/bin/env bash
# A fleet of databases on one throwaway server, migrated with examples/migrations (10 migrations,
# 109 statements) by `trovella-migrate migrate --targets FILE --parallel P`, then read by `status`
# across the fleet: wall-clock time for each P, under each engine (every database with the
# extension: the extension engine; none: the client engine). Fresh databases for every run (made
# from a template, dropped afterwards); the median of ROUNDS runs.
#
#   bash bench/fleet_bench.sh [TARGETS] [PARALLEL...]   (default: 50 targets, parallel 1 4 8;
#                                                        ROUNDS=3; copy the figures into BENCHMARKS.md)
set -eu
cd "$(dirname "$0")/.."
targets=${1:-50}
shift || true
parallels=${*:-1 4 8}
rounds=${ROUNDS:-3}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PATH="$("$PG_CONFIG" --bindir):$PATH"
. test/lib/client.sh
. test/lib/server.sh
start_server >/dev/null
work=$(mktemp -d /tmp/trovella-fleet-bench.XXXXXX)
trap 'stop_server; rm -rf "$work"' EXIT

# The examples create the role "authenticated" when it is missing; roles are shared by every
# database of a server, so it is made once here (as a DBA would) rather than raced by 50 targets.
psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<'SQL'
CREATE ROLE authenticated NOLOGIN;
CREATE DATABASE tmpl_extension;
\c tmpl_extension
CREATE EXTENSION trovella_migrate;
\c postgres
CREATE DATABASE tmpl_client;
SQL

make_fleet() {  # TEMPLATE: $targets fresh databases, and the targets file listing them
    printf "SELECT format('CREATE DATABASE %%I TEMPLATE %%I STRATEGY FILE_COPY', 'bench_' || i, '%s') FROM generate_series(1, %s) AS i \\\\gexec\n" \
        "$1" "$targets" | psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null
    for i in $(seq 1 "$targets"); do echo "host=$PGHOST port=$PGPORT dbname=bench_$i"; done >"$work/targets.txt"
}
drop_fleet() {
    echo "SELECT format('DROP DATABASE %I', datname) FROM pg_database WHERE datname LIKE 'bench\_%' \\gexec" |
        psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# timed COMMAND P: runs the command across the fleet; prints milliseconds; fails unless every target is ok
timed() {
    local start end
    start=$(now_ms)
    "$CLIENT" "$1" --dir examples/migrations --targets "$work/targets.txt" --parallel "$2" --json >"$work/out.json"
    end=$(now_ms)
    jq -e --argjson n "$targets" '.exit_code == 0 and .counts.ok == $n' "$work/out.json" >/dev/null ||
        { echo "fleet_bench: $1 --parallel $2 did not succeed on every target" >&2; jq '.counts' "$work/out.json" >&2; exit 1; }
    echo $((end - start))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(psql -X -At -d postgres -c 'SHOW server_version'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fleet: $targets databases on one server (local socket), examples/migrations: 10 migrations, 109 statements each; median of $rounds rounds"
printf '%-10s %8s %14s %12s %9s %14s\n' engine parallel "migrate (ms)" "per target" speed-up "status (ms)"
for engine in extension client; do
    base=
    for p in $parallels; do
        migrate_runs=() status_runs=()
        for _ in $(seq 1 "$rounds"); do
            make_fleet "tmpl_$engine"
            migrate_runs+=("$(timed migrate "$p")")
            jq -e --arg e "$engine" 'all(.targets[]; .engine == $e and .applied_now == 10)' "$work/out.json" >/dev/null ||
                { echo "fleet_bench: not every target ran the $engine engine" >&2; exit 1; }
            status_runs+=("$(timed status "$p")")
            drop_fleet
        done
        m=$(printf '%s\n' "${migrate_runs[@]}" | median)
        s=$(printf '%s\n' "${status_runs[@]}" | median)
        [ -n "$base" ] || base=$m
        printf '%-10s %8s %14s %12s %9s %14s\n' "$engine" "$p" "$m" "$((m / targets)) ms" \
            "$(awk -v b="$base" -v m="$m" 'BEGIN { printf "%.2fx", b / m }')" "$s"
    done
done
