#!/usr/bin/env bash
# A migration that cannot run in a transaction, interrupted at every one of its statements (issue
# 11): kill -9 of the backend running it (the server restarts, as after a crash) and kill -9 of
# the client, each while statement i waits for a lock another session holds on its table; then a
# new run. Each time: the final schema is right, every statement's effect is there exactly once
# (an INSERT and an UPDATE that would show a second run), no index is left invalid, the Drizzle row
# and the history's "applied" are there once. One more round leaves CREATE INDEX CONCURRENTLY's
# index invalid (killed while the build waits for a writer), which the next run refuses, naming it,
# and --rebuild-invalid-indexes rebuilds.
#
#   test/client/outside_kill.sh   (as root: it kills server processes; the client built)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
export TROVELLA_ENGINE=client  # the statements run from the client; the extension engine hands them to it
trap '' PIPE  # a blocker's psql gone with the server's crash must not take the suite with it
B=$'\n--> statement-breakpoint\n'

DIR=$TMP/m
journal "$DIR" 0000_tables 0001_outside
printf '%s' "CREATE TABLE k1 (id int);${B}CREATE TABLE k2 (id int);${B}CREATE TABLE k3 (id int);${B}CREATE TABLE k4 (id int);${B}CREATE INDEX k4_idx ON k4 (id);${B}CREATE TABLE k5 (id int);${B}CREATE TABLE k6 (id int);${B}CREATE INDEX k6_idx ON k6 (id);${B}CREATE TABLE k7 (id int);${B}INSERT INTO k7 VALUES (1);" \
    >"$DIR/0000_tables.sql"
STATEMENTS=("INSERT INTO k1 VALUES (1);" "CREATE INDEX CONCURRENTLY k2_idx ON k2 (id);" "ALTER TABLE k3 ADD COLUMN w int;"
    "REINDEX INDEX CONCURRENTLY k4_idx;" "VACUUM k5;" "DROP INDEX CONCURRENTLY k6_idx;" "UPDATE k7 SET id = id + 1;")
N=${#STATEMENTS[@]}
text=""
for s in "${STATEMENTS[@]}"; do text+="${text:+$B}$s"; done
printf '%s' "$text" >"$DIR/0001_outside.sql"

# fresh_db DB: a new database with 0000_tables applied by the client engine. (Not copied from a
# template: PostgreSQL 15's CREATE DATABASE copies a sequence's page with its prefetched values,
# which a crash of the copy then hands out again.)
fresh_db() {
    sql postgres "CREATE DATABASE $1" >/dev/null &&
        PGDATABASE=$1 "$CLIENT" migrate --dir "$DIR" --to 0000_tables >"$TMP/tables.out" 2>&1
}

server_up() {
    for _ in $(seq 1 100); do psql -X -q -At -d postgres -c "SELECT 1" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}
# hold_lock DB SQL: a session that runs SQL in a transaction and keeps it open (no snapshot of its
# own for LOCK TABLE, so CREATE INDEX CONCURRENTLY elsewhere does not wait for it).
hold_lock() {
    coproc HOLD { psql -X -q -d "$1" 2>/dev/null; }
    printf 'BEGIN;\n%s\n\\echo held\n' "$2" >&"${HOLD[1]}"
    local line
    read -r -t 10 line <&"${HOLD[0]}" && [[ $line == held ]]
}
release_lock() {
    local pid=${HOLD_PID:-}
    [[ -n ${HOLD[1]:-} ]] && printf 'ROLLBACK;\n\\q\n' >&"${HOLD[1]}" 2>/dev/null
    [[ -n $pid ]] && wait "$pid" 2>/dev/null
    return 0
}
# waiting_pid DB I: the backend of the run once statement I waits for a lock.
waiting_pid() {
    local pid
    for _ in $(seq 1 200); do
        pid=$(psql -X -q -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE datname = '$1'
              AND application_name LIKE '%applying 0001_outside statement $2/$N' AND wait_event_type = 'Lock'")
        [[ -n $pid ]] && { echo "$pid"; return 0; }
        sleep 0.05
    done
    return 1
}
# The database as the migration leaves it, whatever interrupted it: each effect exactly once.
final_state() {
    sql "$1" "SELECT (SELECT count(*) FROM k1) || '|' ||
                     (SELECT string_agg(c.relname || ':' || i.indisvalid, ',' ORDER BY c.relname) FROM pg_index i
                      JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'k%') || '|' ||
                     (SELECT count(*) FROM pg_attribute WHERE attrelid = 'k3'::regclass AND attname = 'w') || '|' ||
                     (SELECT id FROM k7) || '|' ||
                     (SELECT count(*) FROM drizzle.__drizzle_migrations) || '|' ||
                     (SELECT count(*) FROM trovella_migrate_history.migration_event
                      WHERE action = 'applied' AND tag = '0001_outside')"
}
EXPECTED="1|k2_idx:true,k4_idx:true|1|2|2|1"

round() {  # KILL(backend|client) I
    local kill=$1 i=$2 db="kill_${1}_$2" pid client_pid rc
    fresh_db "$db" || { not_ok "$kill, statement $i: a database with 0000_tables"; return; }
    local table="k$i"
    hold_lock "$db" "LOCK TABLE $table IN ACCESS EXCLUSIVE MODE;" || { not_ok "$kill, statement $i: the lock is held"; return; }
    PGDATABASE=$db "$CLIENT" migrate --dir "$DIR" >"$TMP/first.out" 2>&1 &
    client_pid=$!
    if ! pid=$(waiting_pid "$db" "$i"); then
        not_ok "$kill, statement $i: the run reaches it and waits"
        kill -9 "$client_pid" 2>/dev/null; release_lock; return
    fi
    if [[ $kill == backend ]]; then
        kill -9 "$pid"
        wait "$client_pid"; rc=$?
        release_lock
        server_up || { not_ok "$kill, statement $i: the server came back"; return; }
        local first="the client reports the lost connection (exit 3)"
        [[ $rc == 3 ]] || { not_ok "$kill, statement $i: $first" "exit $rc" "$(head -5 "$TMP/first.out")"; return; }
    else
        kill -9 "$client_pid"
        wait "$client_pid" 2>/dev/null
        release_lock  # the orphaned backend finishes statement i (and its record), then notices
    fi
    PGDATABASE=$db "$CLIENT" migrate --dir "$DIR" >"$TMP/again.out" 2>&1
    rc=$?
    local state
    state=$(final_state "$db")
    if [[ $rc == 0 && $state == "$EXPECTED" ]]; then
        ok "kill -9 the $kill at statement $i of $N, run again: exit 0, each statement's effect once ($state)"
    else
        not_ok "kill -9 the $kill at statement $i of $N, run again: exit 0, each statement's effect once" \
            "exit $rc, state $state (expected $EXPECTED)" "$(head -12 "$TMP/again.out")"
    fi
    if [[ $kill == backend ]]; then
        grep -q "resuming 0001_outside at statement $i of $N" "$TMP/again.out" || [[ $i == 1 ]]
        check "... after the backend's kill, the run resumed at statement $i" test $? = 0
    fi
    sql postgres "DROP DATABASE $db" >/dev/null 2>&1
}

echo "# kill -9 at every statement"
for i in $(seq 1 "$N"); do
    round backend "$i"
    round client "$i"
done

# ---------------------------------------------------------------------------------------------
echo "# CREATE INDEX CONCURRENTLY killed while its build waits for a writer: the index is left invalid"
db=kill_invalid
fresh_db "$db"
hold_lock "$db" "INSERT INTO k2 VALUES (5);"  # a writer: the build waits for it after making the index
PGDATABASE=$db "$CLIENT" migrate --dir "$DIR" >"$TMP/first.out" 2>&1 &
client_pid=$!
if pid=$(waiting_pid "$db" 2); then
    kill -9 "$pid"
    wait "$client_pid"
    release_lock
    server_up
    check "the build's index is there and invalid" \
        test "$(sql "$db" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'k2_idx'::regclass")" = f
    PGDATABASE=$db "$CLIENT" migrate --dir "$DIR" >"$TMP/again.out" 2>&1
    check "the next run refuses to build over it (exit 4), naming it, its DROP and --rebuild-invalid-indexes" \
        test $? = 4 -a -n "$(grep -F 'index public.k2_idx is invalid' "$TMP/again.out")" \
             -a -n "$(grep -F 'DROP INDEX CONCURRENTLY public.k2_idx;' "$TMP/again.out")" \
             -a -n "$(grep -F -- '--rebuild-invalid-indexes' "$TMP/again.out")"
    PGDATABASE=$db "$CLIENT" migrate --dir "$DIR" --rebuild-invalid-indexes >"$TMP/again.out" 2>&1
    check "--rebuild-invalid-indexes: exit 0, the index rebuilt, each statement's effect once" \
        test $? = 0 -a "$(final_state "$db")" = "$EXPECTED"
else
    not_ok "the build reaches its wait for the writer"
    kill -9 "$client_pid" 2>/dev/null
    release_lock
fi

echo "$PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
