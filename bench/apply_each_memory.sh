#!/usr/bin/env bash
# Backend memory of CALL apply_each() as the history grows (issue 7, item 9): N one-table
# migrations, one commit each, on a throwaway server. Reports the backend's peak resident set
# (VmHWM, which includes the shared buffers it touched) and the peak of its private memory
# (RssAnon, sampled every 20 ms by this script), and the wall time.
# Usage: bash bench/apply_each_memory.sh [N...]   (default: 1000 3000 10000)
# PG_CONFIG picks the PostgreSQL installation (e.g. a private copy with another build installed).
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PATH="$("$PG_CONFIG" --bindir):$PATH"
. test/lib/server.sh
start_server
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 3000 10000)
# TEMPLATE: the text of migration i (format() with %s = i); default one new table each.
template=${TEMPLATE:-CREATE TABLE t_%s (id int);}
kib_to_mb() { echo "scale=1; $1 / 1024" | bc; }
echo "| migrations | backend peak RSS (VmHWM) | backend peak private memory (RssAnon) | time |"
echo "|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  db=bench_each_$n
  dropdb --if-exists "$db" 2>/dev/null; createdb "$db"
  psql -X -q -d "$db" -v ON_ERROR_STOP=1 -v n="$n" -v template="$template" >/dev/null <<'SQL'
CREATE EXTENSION trovella_migrate;
CREATE TABLE fixture AS
SELECT json_build_object('entries', json_agg(json_build_object('idx', i, 'when', 1700000000000 + i,
         'tag', format('%s_m%s', lpad(i::text, 5, '0'), i)) ORDER BY i))::text AS journal,
       jsonb_object_agg(format('%s_m%s', lpad(i::text, 5, '0'), i), format(:'template', i))::text AS migrations
FROM generate_series(0, :n - 1) i;
SQL
  out=$(mktemp)
  # The session reports its pid, then runs the CALL; the sampler follows that backend.
  {
    echo "SET client_min_messages = warning;"
    echo "SELECT 'pid=' || pg_backend_pid();"
    echo "SELECT journal, migrations FROM fixture \\gset"
    echo "SELECT pg_sleep(0.2);"
    echo "CALL trovella_migrate.apply_each(:'journal', :'migrations') \\gset r_"
    echo "\\echo applied=:r_applied"
    echo "SELECT 'hwm=' || (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\\s+(\\d+)'))[1];"
  } | psql -X -q -At -d "$db" -v ON_ERROR_STOP=1 >"$out" 2>&1 &
  client=$!
  pid=
  for _ in $(seq 1 100); do pid=$(sed -n 's/^pid=//p' "$out"); [ -n "$pid" ] && break; sleep 0.05; done
  t0=$(date +%s%3N); peak_anon=0
  while kill -0 "$client" 2>/dev/null; do
    anon=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$anon" ] && [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
    sleep 0.02
  done
  wait "$client"
  t1=$(date +%s%3N)
  grep -q "^applied=$n$" "$out" || { cat "$out" >&2; echo "apply_each did not apply $n migrations" >&2; exit 1; }
  hwm=$(sed -n 's/^hwm=//p' "$out")
  echo "| $n | $(kib_to_mb "$hwm") MB | $(kib_to_mb "$peak_anon") MB | $(echo "scale=1; ($t1 - $t0) / 1000" | bc) s |"
  rm -f "$out"
  dropdb "$db"
done
