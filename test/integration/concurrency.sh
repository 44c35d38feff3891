#!/usr/bin/env bash
# Concurrent runners serialize on the migration lock (DESIGN section 6):
#   1. 8 clients apply the same 30-migration journal at the same moment, 10 rounds, a fresh database
#      each round (apply(), apply_each, or both mixed):
#      every client succeeds, every migration is run and recorded exactly once, and every "applied"
#      event belongs to the run of the client that says it applied it.
#   2. A runner waiting for the lock does not deadlock with CREATE INDEX CONCURRENTLY in a third
#      session; the waiting runner's NOTICE names the holder.
#   3. A runner refused by lock_timeout fails with 55P03 and its DETAIL names the holder.
. "$(dirname "$0")/../lib/check.sh"
. "$(dirname "$0")/lib/sessions.bash"
CLIENTS=8
ROUNDS=${ROUNDS:-10}
N=30
work=$(mktemp -d /tmp/trovella-conc.XXXXXX)
trap 'sessions_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"; for d in $(seq 1 $ROUNDS) deadlock; do dropdb --if-exists tm_conc_$d 2>/dev/null; done' EXIT

template=$'CREATE TABLE c_%1$s (id int PRIMARY KEY, v text);\n--> statement-breakpoint\nINSERT INTO c_%1$s VALUES (%1$s, \'m%1$s\');\n--> statement-breakpoint\nSELECT pg_sleep(0.005);\n--> statement-breakpoint\nINSERT INTO c_log (n, pid) VALUES (%1$s, pg_backend_pid());\n'

# Rounds 1, 4, 7, 10: every client calls apply(); 2, 5, 8: every client CALLs apply_each (which
# commits after each migration, so several clients may each apply some); 3, 6, 9: clients 1-4
# apply_each, 5-8 apply().
client_function() {  # ROUND CLIENT
  case $(($1 % 3)) in
    1) echo apply ;;
    2) echo apply_each ;;
    0) if [ "$2" -le 4 ]; then echo apply_each; else echo apply; fi ;;
  esac
}

# client I ROUND FUNCTION: waits at the gate, then applies; prints pid=, result=applied,verified
client() {
  local i=$1 round=$2 fn=$3
  {
    echo '\set VERBOSITY verbose'
    echo '\set ON_ERROR_STOP 1'
    echo 'SELECT journal, migrations FROM fixture \gset'
    echo "SELECT 'pid=' || pg_backend_pid();"
    echo 'SELECT count(*) AS gate_passed FROM gate;'
    if [ "$fn" = apply_each ]; then
      echo "CALL trovella_migrate.apply_each(:'journal', :'migrations') \\gset r_"
      echo '\echo result=:r_applied,:r_verified'
    else
      echo "SELECT 'result=' || applied || ',' || verified FROM trovella_migrate.apply(:'journal', :'migrations');"
    fi
  } | PGAPPNAME=conc_client_$i psql -X -q -At -d "tm_conc_$round" >"$work/r$round.c$i.out" 2>&1
  echo $? >"$work/r$round.c$i.rc"
}

start_all=$(date +%s.%N)
bad_exit=0 bad_verified=0 bad_rows=0 bad_log=0 bad_sum=0 bad_events=0 bad_runs=0 bad_adopted=0 bad_unfinished=0 waits=0 multi_winner_rounds=0
for round in $(seq 1 $ROUNDS); do
  db=tm_conc_$round
  createdb "$db"
  psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION trovella_migrate" \
    -c "CREATE TABLE gate (x int)" -c "CREATE TABLE c_log (n int, pid int)" >/dev/null
  make_fixture "$db" "$N" "$template"
  # The gate: a session holds an exclusive lock on it until all the clients queue behind it, so that
  # they all start applying at the same moment.
  session_open gate "$db" conc_gate
  session_send gate "BEGIN; LOCK TABLE gate IN ACCESS EXCLUSIVE MODE;"
  wait_until "$db" 10 "SELECT count(*) = 1 FROM pg_locks WHERE relation = 'gate'::regclass AND granted"
  pids=()
  for i in $(seq 1 $CLIENTS); do
    fn=$(client_function "$round" "$i")
    client "$i" "$round" "$fn" &
    pids+=($!)
  done
  wait_until "$db" 30 "SELECT count(*) = $CLIENTS FROM pg_locks WHERE relation = 'gate'::regclass AND NOT granted" \
    || echo "# round $round: not all clients reached the gate"
  session_send gate "COMMIT;"
  session_close gate 10
  for pid in "${pids[@]}"; do wait_pid "$pid" 120; done

  # What each client saw.
  declare -A applied_by_pid=()
  sum=0
  for i in $(seq 1 $CLIENTS); do
    out=$(cat "$work/r$round.c$i.out")
    if [ "$(cat "$work/r$round.c$i.rc" 2>/dev/null)" != 0 ]; then
      bad_exit=$((bad_exit + 1)); echo "# round $round client $i failed:"; echo "$out" | head -20 | sed 's/^/#   /'
    fi
    pid=$(echo "$out" | sed -n 's/^pid=//p')
    result=$(echo "$out" | sed -n 's/^result=//p')
    applied=${result%,*}
    case ${result#*,} in t | true) ;; *) bad_verified=$((bad_verified + 1)) ;; esac
    applied_by_pid[$pid]=${applied:-x}
    sum=$((sum + ${applied:-0}))
    waits=$((waits + $(echo "$out" | grep -c 'waiting for the migration lock on drizzle.__drizzle_migrations, held by pid')))
  done
  [ "$sum" = "$N" ] || { bad_sum=$((bad_sum + 1)); echo "# round $round: clients applied $sum in total"; }

  # The tracking table: N rows, N distinct created_at, exactly the journal's.
  q() { psql -X -At -d "$db" -c "$1"; }
  [ "$(q "SELECT count(*) = $N AND count(DISTINCT created_at) = $N
             AND (SELECT array_agg(1700000000000 + i ORDER BY i) FROM generate_series(0, $N - 1) i)
                 = array_agg(created_at ORDER BY created_at)
          FROM drizzle.__drizzle_migrations")" = t ] || { bad_rows=$((bad_rows + 1)); echo "# round $round: tracking rows wrong"; }
  # Each migration's statements ran exactly once (the log is written by the migrations themselves).
  [ "$(q "SELECT count(*) = $N AND count(DISTINCT n) = $N FROM c_log")" = t ] \
    || { bad_log=$((bad_log + 1)); echo "# round $round: c_log: $(q "SELECT count(*), count(DISTINCT n) FROM c_log")"; }
  # Every applied event has its run; N of them, one per tag and tracking row.
  [ "$(q "SELECT count(*) = $N AND count(DISTINCT e.tag) = $N AND count(DISTINCT e.tracking_id) = $N
                 AND count(r.run_id) = $N
          FROM trovella_migrate.migration_event e LEFT JOIN trovella_migrate.run r USING (run_id)
          WHERE e.action = 'applied'")" = t ] || { bad_events=$((bad_events + 1)); echo "# round $round: applied events wrong"; }
  [ "$(q "SELECT count(*) FROM trovella_migrate.migration_event WHERE action <> 'applied'")" = 0 ] \
    || bad_adopted=$((bad_adopted + 1))
  # Every client succeeded, so every run it recorded is finished.
  [ "$(q "SELECT count(*) FROM trovella_migrate.run WHERE finished_at IS NULL")" = 0 ] \
    || { bad_unfinished=$((bad_unfinished + 1)); echo "# round $round: unfinished runs: $(q "SELECT string_agg(run_id || ' ' || function || ' pid ' || backend_pid, ', ') FROM trovella_migrate.run WHERE finished_at IS NULL")"; }
  # The runs that applied something: each is the run of a client (pid, application_name, user), and
  # that client reports exactly the number of migrations its run recorded.
  runs=$(q "SELECT r.backend_pid, r.application_name, r.run_by, r.function, count(*)
            FROM trovella_migrate.migration_event e JOIN trovella_migrate.run r USING (run_id)
            WHERE e.action = 'applied' GROUP BY 1, 2, 3, 4")
  [ "$(echo "$runs" | wc -l)" -gt 1 ] && multi_winner_rounds=$((multi_winner_rounds + 1))
  echo "# round $round: migrations applied per winning run: $(echo "$runs" | awk -F'|' '{printf "%s%s(%s)=%s", sep, $2, $4, $5; sep=", "}')"
  while IFS='|' read -r rpid rapp rby rfn count; do
    [ -n "$rpid" ] || continue
    client_no=${rapp#conc_client_}
    expected_fn=$(client_function "$round" "$client_no")
    if [ "${applied_by_pid[$rpid]:-}" != "$count" ] || [ "$rby" != "$PGUSER" ] || [ "$rfn" != "$expected_fn" ] ||
       ! grep -qx "pid=$rpid" "$work/r$round.c$client_no.out"; then
      bad_runs=$((bad_runs + 1)); echo "# round $round: run of pid $rpid ($rapp, $rby, $rfn) recorded $count, client said ${applied_by_pid[$rpid]:-nothing}"
    fi
  done <<<"$runs"
  dropdb "$db"
done
elapsed=$(echo "$(date +%s.%N) - $start_all" | bc)
printf '# %d rounds of %d clients x %d migrations in %.1f s; %d lock waits reported; %d rounds with several winners\n' \
  "$ROUNDS" "$CLIENTS" "$N" "$elapsed" "$waits" "$multi_winner_rounds"
check "every client of every round succeeded" test "$bad_exit" = 0
check "every client ended verified" test "$bad_verified" = 0
check "each round: the clients' applied counts add up to $N" test "$bad_sum" = 0
check "each round: $N tracking rows, $N distinct created_at, the journal's" test "$bad_rows" = 0
check "each round: every migration's statements ran exactly once" test "$bad_log" = 0
check "each round: $N applied events, each with its run" test "$bad_events" = 0
check "each round: no adopted/other events (nothing was applied behind the extension's back)" test "$bad_adopted" = 0
check "each round: every recorded run has finished_at (all clients succeeded)" test "$bad_unfinished" = 0
check "each round: applied events belong to the winning clients' runs (pid, application_name, user, function)" test "$bad_runs" = 0
check "the clients really contended: some waited for the lock" test "$waits" -gt 0

# 2. The lock holder H keeps its transaction open; W waits for the lock; X runs CREATE INDEX
# CONCURRENTLY on a user table (it waits for H's and W's snapshots). H commits: all three finish.
db=tm_conc_deadlock
createdb "$db"
psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION trovella_migrate" \
  -c "CREATE TABLE c_log (n int, pid int)" -c "CREATE TABLE users_t AS SELECT g AS id FROM generate_series(1, 1000) g" >/dev/null
make_fixture "$db" 5 "$template"
session_open H "$db" conc_holder
session_send H "SELECT journal, migrations FROM fixture \\gset"
session_send H "BEGIN;"
session_send H "SELECT applied FROM trovella_migrate.apply(:'journal', :'migrations');"
wait_until "$db" 10 "SELECT EXISTS (SELECT FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                     WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'conc_holder'
                       AND a.state = 'idle in transaction')"
check "H holds the migration lock in an open transaction" test $? = 0
h_pid=$(backend_pid "$db" conc_holder)

PGAPPNAME=conc_waiter psql -X -q -d "$db" -v ON_ERROR_STOP=1 >"$work/w.out" 2>&1 <<'SQL' &
\set VERBOSITY verbose
SELECT journal, migrations FROM fixture \gset
SELECT 'waiter result=' || applied || ',' || verified FROM trovella_migrate.apply(:'journal', :'migrations');
SQL
w_job=$!
wait_until "$db" 10 "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'conc_waiter'
                     AND wait_event_type = 'Lock' AND wait_event = 'advisory')"
check "W waits for the migration lock" test $? = 0

PGAPPNAME=conc_cic psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "CREATE INDEX CONCURRENTLY users_t_id ON users_t (id)" >"$work/x.out" 2>&1 &
x_job=$!
wait_until "$db" 10 "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'conc_cic' AND wait_event_type = 'Lock' AND wait_event = 'virtualxid')"
check "X (CREATE INDEX CONCURRENTLY) waits for the open transactions" test $? = 0

started=$(date +%s.%N)
session_send H "COMMIT;"
session_close H 30; h_status=$?
wait_pid "$w_job" 30; w_status=$?
wait_pid "$x_job" 30; x_status=$?
printf '# after H committed, W and X finished in %.2f s\n' "$(echo "$(date +%s.%N) - $started" | bc)"
all=$(session_output H; cat "$work/w.out" "$work/x.out")
check "H committed" test "$h_status" = 0
check "W finished (no deadlock, within 30 s)" test "$w_status" = 0
check "X finished (no deadlock, within 30 s)" test "$x_status" = 0
check "no 'deadlock detected' anywhere" bash -c "! grep -q 'deadlock detected' <<<\"\$1\"" _ "$all"
check_contains "W's NOTICE names H's pid and application_name while it waits" \
  "waiting for the migration lock on drizzle.__drizzle_migrations, held by pid $h_pid (application_name \"conc_holder\", user $PGUSER" "$(cat "$work/w.out")"
check_contains "W then found nothing to do and verified" "waiter result=0,t" "$(cat "$work/w.out")"
check_contains "W's NOTICE shows H's last statement (not a stale progress text)" "running: SELECT applied FROM trovella_migrate.apply(" "$(cat "$work/w.out")"
check "the concurrently built index is valid" test "$(psql -X -At -d "$db" -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_t_id'::regclass")" = t
check "5 migrations recorded once" test "$(psql -X -At -d "$db" -c "SELECT count(*) || '/' || count(DISTINCT created_at) FROM drizzle.__drizzle_migrations")" = 5/5

# 3. A runner that will not wait: lock_timeout while H holds the lock -> 55P03, DETAIL names H.
session_open H2 "$db" conc_holder
session_send H2 "BEGIN;"
session_send H2 "SELECT journal, migrations FROM fixture \\gset"
session_send H2 "SELECT applied FROM trovella_migrate.apply(:'journal', :'migrations');"
wait_until "$db" 10 "SELECT EXISTS (SELECT FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                     WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'conc_holder'
                       AND a.state = 'idle in transaction')"
h_pid=$(backend_pid "$db" conc_holder)
started=$(date +%s.%N)
out=$(PGAPPNAME=conc_refused psql -X -q -d "$db" 2>&1 <<'SQL'
\set VERBOSITY verbose
SELECT journal, migrations FROM fixture \gset
SELECT * FROM trovella_migrate.apply(:'journal', :'migrations', '{"lock_timeout": "200ms"}');
SQL
)
took=$(echo "$(date +%s.%N) - $started" | bc)
printf '# the refused runner gave up after %.2f s\n' "$took"
check_contains "refused runner: SQLSTATE 55P03 (lock_not_available)" "ERROR:  55P03: canceling statement due to lock timeout" "$out"
check_contains "refused runner: DETAIL names H's pid and application_name" \
  "DETAIL:  The migration lock on drizzle.__drizzle_migrations is held by pid $h_pid (application_name \"conc_holder\", user $PGUSER" "$out"
check_contains "refused runner: it said it was waiting first" "waiting for the migration lock on drizzle.__drizzle_migrations, held by pid $h_pid" "$out"
check "refused runner gave up within 10 s" bash -c "(( \$(echo \"$took < 10\" | bc) ))"
session_send H2 "COMMIT;"
session_close H2 10
dropdb "$db"
finish
