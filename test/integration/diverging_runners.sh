#!/usr/bin/env bash
# apply_each under concurrency with diverging journals (issue 7, item 3). Runners on different
# branches share the applied prefix and each has branch-only migrations. apply_each commits after
# each migration and takes the migration lock again before the next one; at that moment it must
# re-check everything apply checks (unknown rows, database ahead, modified, out of order), not
# only "already applied": once one runner has committed a branch-only migration, every other
# runner sees an unknown tracking row and is refused before running anything of its own branch.
#
# The runners are held at the migration lock by a gate session until all of them wait, so that all
# of them plan their branch before any of them commits (the lock queue is first come first served).
# Checked with 2 and with 8 runners: exactly one runner's branch is applied; every other runner is
# refused with SQLSTATE 55000 naming the unknown row, committed nothing and created nothing.
. "$(dirname "$0")/../lib/check.sh"
. "$(dirname "$0")/lib/sessions.bash"
work=$(mktemp -d /tmp/trovella-diverge.XXXXXX)
trap 'sessions_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"; for n in 2 8; do dropdb --if-exists tm_diverge_$n 2>/dev/null; done' EXIT

# journal_for RUNNER: the shared prefix (0000_c0, 0001_c1) and two migrations of the runner's own.
journal_for() {
  local r=$1
  printf '{"version":"7","dialect":"postgresql","entries":['
  printf '{"idx":0,"when":1700000000000,"tag":"0000_c0"},{"idx":1,"when":1700000000001,"tag":"0001_c1"},'
  printf '{"idx":2,"when":%s,"tag":"0002_r%s_a"},{"idx":3,"when":%s,"tag":"0003_r%s_b"}]}' \
    $((1700000001000 + r * 10)) "$r" $((1700000001001 + r * 10)) "$r"
}
texts_for() {
  local r=$1
  printf '{"0000_c0":"CREATE TABLE c0 (id int);","0001_c1":"CREATE TABLE c1 (id int);",'
  printf '"0002_r%s_a":"CREATE TABLE br_%s_a (id int);","0003_r%s_b":"CREATE TABLE br_%s_b (id int);"}' "$r" "$r" "$r" "$r"
}

# runner DB R: CALLs apply_each with its branch's journal, once the gate lets it through.
runner() {
  local db=$1 r=$2
  {
    echo '\set VERBOSITY verbose'
    echo '\set ON_ERROR_STOP 1'
    printf '\\set j %s\n' "'$(journal_for "$r")'"
    printf '\\set m %s\n' "'$(texts_for "$r")'"
    echo "CALL trovella_migrate.apply_each(:'j', :'m') \\gset r_"
    echo '\echo result=:r_applied,:r_verified'
  } | PGAPPNAME=diverge_$r psql -X -q -At -d "$db" >"$work/$db.r$r.out" 2>&1
  echo $? >"$work/$db.r$r.rc"
}

scenario() {
  local n=$1 db=tm_diverge_$1 r pids=() winners=0 refused=0 winner=
  createdb "$db"
  psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION trovella_migrate" >/dev/null
  # The shared prefix is applied before the branches meet.
  psql -X -q -At -d "$db" -v ON_ERROR_STOP=1 -v j='{"entries":[{"idx":0,"when":1700000000000,"tag":"0000_c0"},{"idx":1,"when":1700000000001,"tag":"0001_c1"}]}' \
    -v m='{"0000_c0":"CREATE TABLE c0 (id int);","0001_c1":"CREATE TABLE c1 (id int);"}' \
    >"$work/$db.prefix" 2>&1 <<'SQL'
SET client_min_messages = warning;
SELECT applied FROM trovella_migrate.apply(:'j', :'m');
SQL
  check "$n runners: the shared prefix is applied first" test "$(cat "$work/$db.prefix")" = 2
  session_open gate "$db" diverge_gate
  session_send gate "BEGIN;"
  session_send gate "SELECT pg_advisory_xact_lock($((0x74726f76)), hashtext('drizzle.__drizzle_migrations'));"
  wait_until "$db" 10 "SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND granted" || true
  for r in $(seq 1 "$n"); do
    runner "$db" "$r" &
    pids+=($!)
  done
  wait_until "$db" 30 "SELECT count(*) = $n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
  check "$n runners: all wait at the migration lock" test $? = 0
  session_send gate "COMMIT;"
  session_close gate 10 >/dev/null
  for pid in "${pids[@]}"; do wait_pid "$pid" 60; done

  for r in $(seq 1 "$n"); do
    if [ "$(cat "$work/$db.r$r.rc")" = 0 ] && grep -q "^result=2,t$" "$work/$db.r$r.out"; then
      winners=$((winners + 1)); winner=$r
    elif grep -Eq "ERROR:  55000: cannot apply migrations: [12] unknown tracking rows? " "$work/$db.r$r.out" &&
         grep -q "apply_each committed no migration in this call before the failure" "$work/$db.r$r.out" &&
         grep -q "Another runner committed migrations while apply_each was running" "$work/$db.r$r.out"; then
      refused=$((refused + 1))
    else
      echo "# runner $r:"; sed 's/^/#   /' "$work/$db.r$r.out" | head -20
    fi
  done
  check "$n runners: exactly one applies its branch" test "$winners" = 1
  check "$n runners: the $((n - 1)) others are refused (55000, unknown tracking row, nothing committed)" test "$refused" = $((n - 1))
  local rows
  rows=$(psql -X -At -d "$db" -c "SELECT string_agg(created_at::text, ',' ORDER BY id) FROM drizzle.__drizzle_migrations")
  check_contains "$n runners: the tracking table holds the prefix and the winner's branch, in order" \
    "1700000000000,1700000000001,$((1700000001000 + winner * 10)),$((1700000001001 + winner * 10))" "$rows"
  check "$n runners: no branch-only table of a refused runner exists" \
    test "$(psql -X -At -d "$db" -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'br_%' AND tablename NOT LIKE 'br_${winner}_%'")" = 0
  check "$n runners: no runner reported a count mismatch after committing" \
    bash -c "! grep -l 'Migration count mismatch' $work/$db.r*.out"
  check "$n runners: verify agrees with the winner's journal" \
    test "$(psql -X -q -At -d "$db" -c "SET client_min_messages = warning" -c "SELECT ok FROM trovella_migrate.verify('$(journal_for "$winner")', NULL, '{\"raise\": false}')")" = t
}

scenario 2
scenario 8
finish
