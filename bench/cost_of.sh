#!/usr/bin/env bash
# What apply()'s own work costs beyond running the statements (issue 13: where the 500 x 20
# INSERTs' ratio to the floor comes from). Builds the extension four times from this checkout's
# committed sources (git archive HEAD) into a private copy of PostgreSQL: as it is; with the
# history's event rows not written (History::flush drops them); with the pre-flight parse of every
# statement skipped (checked_statements returns nothing); with neither. Then times, on a fresh
# database per run and rounds alternating who goes first, apply_folder() of each build (the files
# read by the server, as the floor reads them: no SQL building of the arguments in the time) beside
# the floor and the floor with Drizzle's records (bench/lib.sh). Server time of the one call, as
# psql's \timing reports it. The cut-down builds are measurements only: they are never installed
# anywhere but the private copy, which is deleted at the end.
#
# Usage: bash bench/cost_of.sh [N_MIGRATIONS [ROUNDS]]    (default 500 migrations x 20, 6 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
ROUNDS=${2:-6}
work=$(mktemp -d /tmp/trovella-cost.XXXXXX)
chmod 755 "$work"
export PG_CONFIG
PG_CONFIG=$(bash test/lib/private_pg.sh "$work/pg")
libdir=$("$PG_CONFIG" --pkglibdir)
. test/lib/server.sh
. bench/lib.sh
cleanup() { stop_server 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# --- the four builds ------------------------------------------------------------------------------
# patch FILE FROM TO: one line replaced, or the script stops (the sources moved on: update it here).
patch_line() {
  grep -qxF -- "$2" "$1" || { echo "cost_of: '$2' not found in $1: update bench/cost_of.sh" >&2; exit 1; }
  local tmp=$1.tmp
  awk -v from="$2" -v to="$3" '$0 == from { print to; next } { print }' "$1" >"$tmp" && mv "$tmp" "$1"
}
build() {  # name [no_history] [no_preflight]
  local name=$1 src=$work/src-$1; shift
  mkdir -p "$src"
  git archive HEAD | tar -x -C "$src"
  for cut in "$@"; do
    case $cut in
      no_history) patch_line "$src/src/core/history.cpp" "void History::flush() {" "void History::flush() { held_.clear();" ;;
      no_preflight) patch_line "$src/src/pg/statement_check.cpp" "    if (migrations.empty()) return checked;" "    return checked;" ;;
    esac
  done
  make -s -C "$src" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >"$work/build-$name.log" 2>&1 ||
    { cat "$work/build-$name.log" >&2; exit 1; }
  cp "$src/trovella_migrate.so" "$work/$name.so"
}
echo "== building four variants of the extension from HEAD ($(git rev-parse --short HEAD)) into a private PostgreSQL"
build full
build no_history no_history
build no_preflight no_preflight
build neither no_history no_preflight
make -s -C "$work/src-full" install PG_CONFIG="$PG_CONFIG" >/dev/null  # SQL scripts and control file
use() { cp "$work/$1.so" "$libdir/trovella_migrate.so.tmp" && mv "$libdir/trovella_migrate.so.tmp" "$libdir/trovella_migrate.so"; }

# --- the server and the workload ------------------------------------------------------------------
start_server
node bench/make_workload.mjs insert "$work/insert" "$N" 20
chmod -R a+rX "$work/insert"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE cost_tpl' >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d cost_tpl >/dev/null <<'SQL'
CREATE EXTENSION trovella_migrate;
CREATE TABLE public.bench_rows (m integer, s integer, v text);
SQL

run_one() {  # who -> milliseconds of its one call
  local who=$1 sql
  case $who in
    floor) sql=$(floor_sql "$work/insert") ;;
    floor_records) sql=$(floor_records_sql "$work/insert") ;;
    *) use "$who"; sql="SELECT count(*) FROM trovella_migrate.apply_folder('$work/insert');" ;;
  esac
  dropdb --if-exists cost_run 2>/dev/null; createdb -T cost_tpl cost_run
  local ms
  ms=$( { echo "SET client_min_messages = warning;"; echo '\timing on'; echo "$sql"; } |
        psql -X -q -v ON_ERROR_STOP=1 -d cost_run 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
  if [ "$who" != floor ]; then
    [ "$(psql -X -At -d cost_run -c 'SELECT count(*) FROM drizzle.__drizzle_migrations')" = "$N" ] ||
      { echo "cost_of: $who did not record $N migrations" >&2; exit 1; }
  fi
  echo "$ms"
}

declare -A T
who_all=(full no_history no_preflight neither floor floor_records)
echo "== $N migrations x 20 single-row INSERTs, $ROUNDS rounds; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
for r in $(seq 1 "$ROUNDS"); do
  n=${#who_all[@]}
  for i in $(seq 0 $((n - 1))); do
    who=${who_all[$(( (i + r - 1) % n ))]}
    T[$who:$r]=$(run_one "$who")
  done
  printf '   round %s:' "$r" >&2
  for who in "${who_all[@]}"; do printf ' %s %s ms;' "$who" "${T[$who:$r]}" >&2; done
  echo >&2
done

median_of() { local r; for r in $(seq 1 "$ROUNDS"); do echo "${T[$1:$r]}"; done | stats | cut -d'|' -f1; }
ratio_of() { local r; for r in $(seq 1 "$ROUNDS"); do awk -v a="${T[$1:$r]}" -v b="${T[$2:$r]}" 'BEGIN { print a / b }'; done | stats; }
echo
echo "| apply_folder() built | median ms | / the floor with Drizzle's records (median, min-max) | / the floor |"
echo "|---|---:|---:|---:|"
for who in full no_history no_preflight neither floor_records floor; do
  IFS='|' read -r m lo hi < <(ratio_of "$who" floor_records)
  IFS='|' read -r f _ _ < <(ratio_of "$who" floor)
  printf '| %s | %.1f | %.2fx (%.2f-%.2fx) | %.2fx |\n' "$who" "$(median_of "$who")" "$m" "$lo" "$hi" "$f"
done
echo
echo "Per round, the part of the full build's time each cut removes (median, min-max):"
for cut in no_history no_preflight neither; do
  IFS='|' read -r m lo hi < <(for r in $(seq 1 "$ROUNDS"); do awk -v a="${T[full:$r]}" -v b="${T[$cut:$r]}" 'BEGIN { print (a - b) / a * 100 }'; done | stats)
  printf '   %-13s %.1f%% (%.1f to %.1f%%)\n' "$cut" "$m" "$lo" "$hi"
done
