#!/usr/bin/env bash
# shellcheck disable=SC2016  # the migration texts below hold $ on purpose
# Fleets (issue 14): one history applied to many databases with bounded parallelism, as a black
# box against two throwaway servers. 50 databases on one server and three on a second (one
# reached through a libpq service name), half with the extension and half without (--engine auto
# picks per target), one unreachable target and one whose history disagrees: migrate with
# --parallel 8, then status, verify and plan across the fleet; --json; the bound on connections in
# flight; --fail-fast; Ctrl-C once and twice; the client killed mid-fleet and run again (each
# migration applied exactly once); every usage error's message; one target behaves as always.
#
#   test/client/fleet.sh   (as root; the extension and the client built and installed:
#                           make && make install). Runs once, not per engine: the fleet mixes them.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
unset TROVELLA_ENGINE  # auto: each target picks its engine

# ---------------------------------------------------------------------------------------------
# A second server, started with the same commands as the first (test/lib/server.sh); both are
# stopped by their PIDs at the end.
start_second_server() {
    B_DIR=$(mktemp -d /tmp/trovella-pg-b.XXXXXX)
    chmod 755 "$B_DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$B_DIR"
    B_PORT=$(free_port) || return 1
    [ "$B_PORT" = "$PGPORT" ] && B_PORT=$((PGPORT + 1))
    _as_owner "$PG_BIN/initdb" -D "$B_DIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 \
        >"$B_DIR/initdb.log" 2>&1 || { cat "$B_DIR/initdb.log" >&2; return 1; }
    _as_owner "$PG_BIN/pg_ctl" -D "$B_DIR/data" -l "$B_DIR/server.log" -w \
        -o "-p $B_PORT -k $B_DIR -c listen_addresses='' -c fsync=off" start >/dev/null ||
        { cat "$B_DIR/server.log" >&2; return 1; }
    B_PID=$(head -1 "$B_DIR/data/postmaster.pid")
}
# At the end the servers' data is thrown away: an immediate shutdown (no checkpoint of some 55
# databases), then their directories removed in the background (half a gigabyte of files is slow to
# delete on a busy disk, and nothing needs to wait for it).
discard_servers() {
    local pid dir
    for pid in ${B_PID:-} ${TM_SERVER_PID:-}; do kill -QUIT "$pid" 2>/dev/null; done
    for pid in ${B_PID:-} ${TM_SERVER_PID:-}; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    for dir in ${B_DIR:-} ${TM_SERVER_DIR:-}; do [ -d "$dir" ] && (rm -rf "$dir" >/dev/null 2>&1 &); done
    B_PID= B_DIR= TM_SERVER_PID= TM_SERVER_DIR=
    rm -rf "$TMP"
}
trap discard_servers EXIT
start_second_server || { echo "cannot start the second PostgreSQL" >&2; exit 2; }

sqla() { sql "$@"; }
sqlb() { PGHOST=$B_DIR PGPORT=$B_PORT sql "$@"; }
url_a() { printf 'postgresql://postgres:%s@/%s?host=%s&port=%s' "$SECRET" "$1" "$PGHOST" "$PGPORT"; }
url_b() { printf 'postgresql://postgres:%s@/%s?host=%s&port=%s' "$SECRET" "$1" "$B_DIR" "$B_PORT"; }
SECRET=fleet-secret-pw  # trust authentication ignores it; it must never be printed
CLOSED=$(free_port)
[ "$CLOSED" = "$PGPORT" ] && CLOSED=$((PGPORT + 7))
UNREACHABLE="postgresql://fleet:$SECRET@127.0.0.1:$CLOSED/nowhere"

# The later sections reuse the fleet's databases with a tracking table of their own
# (--migrations-table), so the suite makes no more databases than it needs.
TRACKING=__drizzle_migrations
# rows SQLFN DB: rows of the tracking table $TRACKING ("none" when there is no such table)
rows() { "$1" "$2" "SELECT count(*) FROM drizzle.$TRACKING" 2>/dev/null || echo none; }
# once SQLFN DB N: N tracking rows with N distinct created_at, and N 'applied' history events for N
# distinct tags, in whichever history the engine keeps (the extension's, or the client engine's).
once() {
    local history
    history=$("$1" "$2" "SELECT CASE WHEN to_regclass('trovella_migrate.migration_event') IS NOT NULL
                                     THEN 'trovella_migrate' ELSE 'trovella_migrate_history' END")
    [[ $("$1" "$2" "SELECT count(*) || '/' || count(DISTINCT created_at) FROM drizzle.$TRACKING") == "$3/$3" &&
        $("$1" "$2" "SELECT count(*) || '/' || count(DISTINCT tag) FROM $history.migration_event
                     WHERE action = 'applied' AND tracking_table = '$TRACKING'") == "$3/$3" ]]
}
# every SQLFN N DB...: once() holds for each
every() {
    local fn=$1 n=$2 db
    shift 2
    for db in "$@"; do once "$fn" "$db" "$n" || { echo "#   $db: $(rows "$fn" "$db") rows" >&2; return 1; }; done
}

# The migrations: three, then a fourth (FLEET4). Nothing cluster-wide (roles are shared by every
# database of a server: two targets on one server creating one role race each other).
FLEET=$TMP/fleet
journal "$FLEET" 0000_tenants 0001_orders 0002_orders_index
printf 'CREATE TABLE tenants (id int PRIMARY KEY, name text);\n--> statement-breakpoint\nINSERT INTO tenants VALUES (1, $$first$$);\n' \
    >"$FLEET/0000_tenants.sql"
printf 'CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id int REFERENCES tenants);\n' >"$FLEET/0001_orders.sql"
printf 'CREATE INDEX orders_tenant_idx ON orders (tenant_id);\n' >"$FLEET/0002_orders_index.sql"
FLEET4=$TMP/fleet4
journal "$FLEET4" 0000_tenants 0001_orders 0002_orders_index 0003_order_total
cp "$FLEET"/*.sql "$FLEET4/"
printf 'ALTER TABLE orders ADD COLUMN total numeric;\n' >"$FLEET4/0003_order_total.sql"

# ---------------------------------------------------------------------------------------------
echo "# 50 databases on one server (25 with the extension), 3 on a second, created in one session each"
A_DBS=()
for i in $(seq -w 1 50); do A_DBS+=("fleet_$i"); done
psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<'SQL'
CREATE DATABASE tmpl_ext;
\c tmpl_ext
CREATE EXTENSION trovella_migrate;
\c postgres
SELECT format('CREATE DATABASE %I TEMPLATE %I STRATEGY FILE_COPY', 'fleet_' || lpad(i::text, 2, '0'),
              CASE WHEN i % 2 = 1 THEN 'tmpl_ext' ELSE 'template1' END)
FROM generate_series(1, 50) AS i \gexec
CREATE DATABASE fleet_diverged;
SQL
check "50 databases on server A" test "$(sqla postgres "SELECT count(*) FROM pg_database WHERE datname ~ '^fleet_[0-9]+$'")" = 50
psql -X -q -v ON_ERROR_STOP=1 -h "$B_DIR" -p "$B_PORT" -d postgres >/dev/null <<'SQL'
CREATE DATABASE b_1;
CREATE DATABASE b_2;
CREATE DATABASE b_3;
\c b_1
CREATE EXTENSION trovella_migrate;
SQL
check "3 databases on server B" test "$(sqlb postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'b\_%'")" = 3
# The history of fleet_diverged disagrees: 0000_tenants was applied from another text.
DIVERGED=$TMP/diverged
journal "$DIVERGED" 0000_tenants
printf 'CREATE TABLE tenants (id int PRIMARY KEY);\n' >"$DIVERGED/0000_tenants.sql"
tm migrate --dir "$DIVERGED" --database-url "$(url_for fleet_diverged)"
check "fleet_diverged: migrated beforehand from an edited 0000_tenants" test "$RC/$(rows sqla fleet_diverged)" = "0/1"

# The targets file: comments, blank lines, URLs with a password, key=value strings, a service name.
printf '[fleet_b3]\nhost=%s\nport=%s\ndbname=b_3\nuser=postgres\n' "$B_DIR" "$B_PORT" >"$TMP/pg_service.conf"
export PGSERVICEFILE=$TMP/pg_service.conf
TARGETS=$TMP/fleet.txt
{
    echo "# the tenants of server A"
    for db in "${A_DBS[@]}"; do
        if [[ $db == *[05] ]]; then echo "  host=$PGHOST port=$PGPORT dbname=$db user=postgres  "; else url_a "$db"; echo; fi
    done
    echo
    echo "# a tenant whose history disagrees"
    url_a fleet_diverged; echo
    echo "# server B (b_3 through the service file)"
    url_b b_1; echo
    url_b b_2; echo
    echo "fleet_b3"
    echo "# gone"
    echo "$UNREACHABLE"
} >"$TARGETS"
ALL=55

# ---------------------------------------------------------------------------------------------
echo "# migrate across the fleet, --parallel 8"
tm migrate --dir "$FLEET" --targets "$TARGETS" --parallel 8
check "exit code 3: the worst of ok (0), refused (1) and unreachable (3)" rc_is 3
check "summary: 55 targets, 53 ok, 1 refused, 1 unreachable" \
    grep -qE "^Fleet: $ALL targets in [0-9.]+ m?s \(8 at a time\): 53 ok, 1 refused, 1 unreachable; exit code 3 \(the highest of the targets'\)$" "$TMP/out"
check "every database of server A migrated, each migration exactly once" every sqla 3 "${A_DBS[@]}"
check "every database of server B migrated (b_3 through the service name), exactly once" every sqlb 3 b_1 b_2 b_3
check "fleet_diverged refused: its history is as it was" test "$(rows sqla fleet_diverged)" = 1
check "... and nothing of the fleet's migrations ran there" \
    test "$(sqla fleet_diverged "SELECT to_regclass('orders') IS NULL")" = t
check "one progress line per migration, prefixed by its target: 53 x 3" \
    test "$(grep -cE '^\[postgres@[^]]+\] applied 000[0-2]_[a-z_]+ \([0-9]+ statements? in [0-9]+\.[0-9] ms\)$' "$TMP/out")" = 159
check "every line of a target is whole and prefixed (no two targets' lines interleave)" \
    test -z "$(grep '^\[' "$TMP/out" | grep -vE '^\[[^]]+\] (applied 000[0-2]_[a-z_]+ \([0-9]+ statements? in [0-9]+\.[0-9] ms\)|(ok|refused|unreachable): .*)$')"
check "... every line on stderr too (warnings, errors)" test -z "$(grep -v '^\[' "$TMP/err")"
check "the progress of fleet_07 shows its three migrations in order" \
    test "$(grep -F '/fleet_07] applied' "$TMP/out" | cut -d' ' -f3 | tr '\n' ' ')" = "0000_tenants 0001_orders 0002_orders_index "
row() { grep -E "^$1 " "$TMP/out"; }
check "summary table: the header" out_has "TARGET"
check "summary table: fleet_01 (extension) 0 before, 3 now, 0 pending, ok" \
    grep -qE "^postgres@$PGHOST:$PGPORT/fleet_01 +extension +0 +3 +0 +ok +[0-9.]+ m?s$" "$TMP/out"
check "summary table: fleet_02 (no extension: the client engine) 0 before, 3 now, 0 pending, ok" \
    grep -qE "^postgres@$PGHOST:$PGPORT/fleet_02 +client +0 +3 +0 +ok +[0-9.]+ m?s$" "$TMP/out"
check "summary table: b_1 extension, b_2 client on server B" \
    test -n "$(row "postgres@$B_DIR:$B_PORT/b_1" | grep ' extension ')" -a -n "$(row "postgres@$B_DIR:$B_PORT/b_2" | grep ' client ')"
check "summary table: the service target, named as such" \
    grep -qE "^postgres@.*/b_3 \(service fleet_b3\) +client +0 +3 +0 +ok " "$TMP/out"
check "summary table: fleet_diverged refused, 1 applied before, 0 now, the error's first line" \
    grep -qE "^postgres@$PGHOST:$PGPORT/fleet_diverged +client +1 +0 +[0-9]+ +refused +[0-9.]+ m?s +.*modified" "$TMP/out"
check "summary table: the unreachable target, its password masked, libpq's first line" \
    grep -qE "^fleet@127\.0\.0\.1:$CLOSED/nowhere +- +- +- +- +unreachable +[0-9.]+ m?s +connection to server at \"127\.0\.0\.1\", port $CLOSED failed: Connection refused$" "$TMP/out"
check "the refusal in full on stderr, prefixed: the edited migration named, SQLSTATE 55000" \
    test -n "$(grep -F "/fleet_diverged] SQLSTATE: 55000" "$TMP/err")" -a -n "$(grep -F "/fleet_diverged] " "$TMP/err" | grep -F 0000_tenants)"
check "the unreachable target's error in full, prefixed, with the line it came from" \
    grep -qF "[fleet@127.0.0.1:$CLOSED/nowhere] trovella-migrate: cannot connect to the database: fleet@127.0.0.1:$CLOSED/nowhere (from $TARGETS:$(grep -nF "$UNREACHABLE" "$TARGETS" | cut -d: -f1))" "$TMP/err"
check "the password of the URLs is printed nowhere" test -z "$(grep -F "$SECRET" "$TMP/out" "$TMP/err")"

echo "# run again: nothing left to do but for the two that cannot"
tm migrate --dir "$FLEET" --targets "$TARGETS" --parallel 8
check "again: exit 3, 53 ok with 3 before and 0 now" \
    test "$RC" = 3 -a "$(grep -cE '^postgres@.* +(extension|client) +3 +0 +0 +ok ' "$TMP/out")" = 53
check "again: no progress line (nothing applied)" test "$(grep -c '\] applied ' "$TMP/out")" = 0

# ---------------------------------------------------------------------------------------------
echo "# status across the fleet: which databases are behind, and on what"
AHEAD=$TMP/ahead.txt
for db in fleet_01 fleet_02 fleet_03; do url_a "$db"; echo; done >"$AHEAD"
url_b b_2 >>"$AHEAD"; echo >>"$AHEAD"
tm migrate --dir "$FLEET4" --targets "$AHEAD"
check "four targets migrated on to 0003_order_total: exit 0" test "$RC" = 0 -a "$(rows sqla fleet_02)/$(rows sqlb b_2)" = "4/4"
tm status --dir "$FLEET4" --targets "$TARGETS" --parallel 8
check "status: exit 3 (behind 1, refused 1, unreachable 3)" rc_is 3
check "status: 4 ok, 49 behind, 1 refused, 1 unreachable" \
    grep -qE "^Fleet: $ALL targets .*: 4 ok, 49 behind, 1 refused, 1 unreachable; exit code 3" "$TMP/out"
check "status table: fleet_02 last applied 0003_order_total, 4 applied, 0 pending, ok" \
    grep -qE "^postgres@$PGHOST:$PGPORT/fleet_02 +client +0003_order_total +4 +0 +ok " "$TMP/out"
check "status table: fleet_04 last applied 0002_orders_index, 3 applied, 1 pending, behind" \
    grep -qE "^postgres@$PGHOST:$PGPORT/fleet_04 +client +0002_orders_index +3 +1 +behind " "$TMP/out"
check "status table: fleet_diverged refused (modified), last applied 0000_tenants" \
    grep -qE "^postgres@$PGHOST:$PGPORT/fleet_diverged +client +0000_tenants +1 +3 +refused .*1 modified" "$TMP/out"
check "by last applied migration: 4 targets at 0003_order_total, nothing pending" \
    grep -qE '^0003_order_total +0 +4$' "$TMP/out"
check "... 49 at 0002_orders_index, 1 pending, named (the first ten, then a count)" \
    grep -qE "^0002_orders_index +1 +49 +postgres@$PGHOST:$PGPORT/fleet_04, .* and 39 more$" "$TMP/out"
check "... fleet_diverged at 0000_tenants, 3 pending" grep -qE "^0000_tenants +3 +1 +postgres@$PGHOST:$PGPORT/fleet_diverged$" "$TMP/out"
check "status changed nothing" test "$(rows sqla fleet_04)" = 3

tm status --dir "$FLEET4" --targets "$TARGETS" --json
check "status --json: one document, exit code 3" test "$RC" = 3 -a "$(jq -s length "$TMP/out")" = 1
check "status --json: one entry per target, in the file's order" \
    test "$(jq -r '.targets | length' "$TMP/out")/$(jq -r '.targets[0].target_source' "$TMP/out")" = "$ALL/$TARGETS:2"
check "status --json: each entry has the summary's fields" \
    jq -e 'all(.targets[]; has("target") and has("engine") and has("applied_before") and has("applied_now") and has("pending")
           and has("state") and has("duration_ms") and has("error") and has("last_applied") and has("exit_code"))' "$TMP/out"
check "status --json: 26 targets ran the extension, 28 the client engine (auto, per target), 1 none" \
    test "$(jq -r '[.targets[].engine] | "\(map(select(. == "extension")) | length)/\(map(select(. == "client")) | length)/\(map(select(. == null)) | length)"' "$TMP/out")" = "26/28/1"
check "status --json: counts and the groups by last applied migration" \
    jq -e '.counts == {"ok": 4, "behind": 49, "refused": 1, "unreachable": 1, "failed": 0, "skipped": 0}
           and (.by_last_applied | map([.last_applied, .pending, (.targets | length)]))
               == [["0003_order_total", 0, 4], ["0002_orders_index", 1, 49], ["0000_tenants", 3, 1]]' "$TMP/out"
check "status --json: each target's own report is the document it alone would give" \
    jq -e '.targets[3].report | .command == "status" and .exit_code == 1 and .target == "postgres@'"$PGHOST:$PGPORT"'/fleet_04"
           and (.migrations | length) == 4 and .counts.pending == 1' "$TMP/out"
check "status --json: the unreachable entry" \
    jq -e '.targets[-1] | .state == "unreachable" and .exit_code == 3 and .engine == null and (.error | startswith("connection to server"))' "$TMP/out"
check "status --json: no password anywhere" test -z "$(grep -F "$SECRET" "$TMP/out")"

echo "# verify and plan across the fleet"
tm verify --dir "$FLEET4" --targets "$AHEAD"
check "verify on the four up to date: exit 0, 4 ok" test "$RC" = 0 -a -n "$(grep -E ': 4 ok; exit code 0$' "$TMP/out")"
tm verify --dir "$FLEET4" --targets "$TARGETS" --parallel 8
check "verify on the fleet: exit 3; the 49 behind do not match the journal (refused)" \
    test "$RC" = 3 -a -n "$(grep -E ': 4 ok, 50 refused, 1 unreachable; exit code 3' "$TMP/out")"
tm plan --dir "$FLEET4" --targets "$TARGETS" --parallel 8
check "plan on the fleet: exit 3; 53 ok, fleet_diverged refused, one unreachable" \
    test "$RC" = 3 -a -n "$(grep -E ': 53 ok, 1 refused, 1 unreachable; exit code 3' "$TMP/out")"
check "plan: fleet_04 would apply its 1 pending migration, applied nothing" \
    test -n "$(grep -E "^postgres@$PGHOST:$PGPORT/fleet_04 +client +3 +0 +1 +ok " "$TMP/out")" -a "$(rows sqla fleet_04)" = 3

# ---------------------------------------------------------------------------------------------
echo "# --parallel N bounds the connections in flight"
# Each migration samples how many runners of this fleet are inside their run (pg_stat_activity,
# every 50 ms, until it sees WAIT of them or for TICKS x 50 ms) and records the most it saw: with
# --parallel N, never more than N, and N when they overlap.
bound_folder() {  # DIR WAIT TICKS
    journal "$1" 0000_seen
    printf 'CREATE TABLE seen (n int);\n--> statement-breakpoint\nDO $$ DECLARE c int; most int := 0; BEGIN
  FOR i IN 1..%s LOOP
    PERFORM pg_stat_clear_snapshot();
    SELECT count(*) INTO c FROM pg_stat_activity
     WHERE application_name LIKE $a$trovella-migrate%%$a$ AND state <> $s$idle$s$;
    most := greatest(most, c);
    EXIT WHEN c >= %s;
    PERFORM pg_sleep(0.05);
  END LOOP;
  INSERT INTO seen VALUES (most);
END $$;\n' "$3" "$2" >"$1/0000_seen.sql"
}
bound_folder "$TMP/bound3" 3 40
bound_folder "$TMP/bound1" 2 10  # each looks for a second runner for 0.5 s
PAR=$TMP/par.txt
for i in 01 02 03 04 05 06; do url_a "fleet_$i"; echo; done >"$PAR"
tm migrate --dir "$TMP/bound3" --targets "$PAR" --parallel 3 --migrations-table bound_run
seen() { for i in "$@"; do sqla "fleet_$i" "SELECT n FROM seen"; done | sort -n | tail -1; }
check "--parallel 3, 6 targets: exit 0" rc_is 0
check "--parallel 3: every target recorded what it saw" \
    test "$(for i in 01 02 03 04 05 06; do sqla "fleet_$i" "SELECT count(*) FROM seen"; done | tr -d '\n')" = 111111
check "--parallel 3: no migration saw more than 3 runners, and they did overlap (3)" test "$(seen 01 02 03 04 05 06)" = 3
for i in 07 08 09; do url_a "fleet_$i"; echo; done >"$PAR"
tm migrate --dir "$TMP/bound1" --targets "$PAR" --parallel 1 --migrations-table bound_run
check "--parallel 1: one at a time (none saw another in its 0.5 s)" test "$RC/$(seen 07 08 09)" = "0/1"

# ---------------------------------------------------------------------------------------------
echo "# a migration that cannot run in a transaction, across a fleet of both engines"
TRACKING=cic_run
CIC=$TMP/cic
journal "$CIC" 0000_tenant_name_index
printf 'CREATE INDEX CONCURRENTLY tenants_name_idx ON tenants (name);\n' >"$CIC/0000_tenant_name_index.sql"
for i in 14 15 16 17; do url_a "fleet_$i"; echo; done >"$TMP/cic.txt"
tm migrate --dir "$CIC" --targets "$TMP/cic.txt" --parallel 4 --migrations-table "$TRACKING"
check "CREATE INDEX CONCURRENTLY on 4 targets (2 with the extension): exit 0, 4 ok" \
    test "$RC" = 0 -a -n "$(grep -E ': 4 ok; exit code 0$' "$TMP/out")"
check "... one progress line per target, outside a transaction" \
    test "$(grep -cE '^\[[^]]+\] applied 0000_tenant_name_index \(1 statement in [0-9.]+ ms, outside a transaction\)$' "$TMP/out")" = 4
check "... the targets with the extension handed the run to the client engine" \
    test -n "$(grep -E "^postgres@$PGHOST:$PGPORT/fleet_15 +client +0 +1 +0 +ok " "$TMP/out")"
check "... every index built and valid, each migration recorded once" \
    test "$(for i in 14 15 16 17; do sqla "fleet_$i" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'tenants_name_idx'::regclass"; done | tr -d '\n')" = tttt
check "... recorded once in each" every sqla 1 fleet_14 fleet_15 fleet_16 fleet_17

# ---------------------------------------------------------------------------------------------
echo "# --fail-fast"
TRACKING=ff_run
FF=$TMP/ff
journal "$FF" 0000_ff
printf 'CREATE TABLE ff_t (id int);\n' >"$FF/0000_ff.sql"
{ echo "$UNREACHABLE"; for i in 11 12 13; do url_a "fleet_$i"; echo; done; } >"$TMP/ff.txt"
tm migrate --dir "$FF" --targets "$TMP/ff.txt" --parallel 1 --fail-fast --migrations-table "$TRACKING"
check "--fail-fast: the first target unreachable: exit 3, the other three skipped" \
    test "$RC" = 3 -a -n "$(grep -E ': 1 unreachable, 3 skipped; exit code 3' "$TMP/out")" -a -n "$(grep -F -- '--fail-fast: the skipped targets never started.' "$TMP/out")"
check "--fail-fast: nothing ran on the skipped ones" test "$(rows sqla fleet_11)$(rows sqla fleet_13)" = nonenone
tm migrate --dir "$FF" --targets "$TMP/ff.txt" --parallel 1 --migrations-table "$TRACKING"
check "without --fail-fast: the others are migrated, exit 3" test "$RC/$(rows sqla fleet_11)/$(rows sqla fleet_13)" = "3/1/1"

# ---------------------------------------------------------------------------------------------
echo "# Ctrl-C: once stops starting targets, twice cancels the running ones"
slow_folder() {
    journal "$1" 0000_quick 0001_slow
    printf 'CREATE TABLE quick_t (id int);\n' >"$1/0000_quick.sql"
    printf 'CREATE TABLE slow_t (id int);\n--> statement-breakpoint\nSELECT pg_sleep(%s);\n' "$2" >"$1/0001_slow.sql"
}
slow_folder "$TMP/slow3" 3
slow_folder "$TMP/slow30" 30
TRACKING=ctl_run
# start_fleet FOLDER FILE N: the fleet in the background (FLEET_PID); waits for N "applied 0000_quick" lines.
start_fleet() {
    "$CLIENT" migrate --dir "$1" --targets "$2" --parallel 2 --migrations-table "$TRACKING" >"$TMP/out" 2>"$TMP/err" &
    FLEET_PID=$!
    for _ in $(seq 1 200); do [ "$(grep -c 'applied 0000_quick' "$TMP/out")" -ge "$3" ] && return 0; sleep 0.05; done
    return 1
}
CTL=$TMP/ctl.txt
CTL_DBS=(fleet_21 fleet_22 fleet_23 fleet_24 fleet_25 fleet_26 fleet_27 fleet_28)
for db in "${CTL_DBS[@]}"; do url_a "$db"; echo; done >"$CTL"
check "Ctrl-C once: two targets running" start_fleet "$TMP/slow3" "$CTL" 2
kill -INT "$FLEET_PID"
wait "$FLEET_PID"; RC=$?
ok_n=$(grep -cE '^postgres@.* ok ' "$TMP/out")
skipped_n=$(grep -cE '^postgres@.* skipped ' "$TMP/out")
check "Ctrl-C once: exit 4 (interrupted)" rc_is 4
check "Ctrl-C once: says no new target starts, the running finish" err_has "interrupted: no new target starts; the 2 running finish or roll back on their own (Ctrl-C again cancels them)"
check "Ctrl-C once: the running targets finished (ok), the rest skipped, none failed ($ok_n ok, $skipped_n skipped)" \
    test "$ok_n" -ge 2 -a $((ok_n + skipped_n)) = 8 -a "$skipped_n" -ge 1
check "Ctrl-C once: the summary says so" out_has "Interrupted by Ctrl-C: the skipped targets never started"
migrated=0; untouched=0
for db in "${CTL_DBS[@]}"; do
    case $(rows sqla "$db") in 2) migrated=$((migrated + 1)) ;; none) untouched=$((untouched + 1)) ;; esac
done
check "Ctrl-C once: what finished is migrated, what was skipped untouched" test "$migrated/$untouched" = "$ok_n/$skipped_n"
tm migrate --dir "$TMP/slow3" --targets "$CTL" --parallel 8 --migrations-table "$TRACKING"
check "run again: exit 0" rc_is 0
check "run again: every target migrated, each migration exactly once" every sqla 2 "${CTL_DBS[@]}"
for db in fleet_31 fleet_32 fleet_33 fleet_34; do url_a "$db"; echo; done >"$CTL"
check "Ctrl-C twice: two targets running a 30 s statement" start_fleet "$TMP/slow30" "$CTL" 2
# Signals do not queue: a second SIGINT sent before the client took the first would merge with it
# (a busy machine can leave the watcher thread unscheduled for longer than any fixed pause), so the
# second goes once the client says it took the first.
kill -INT "$FLEET_PID"
for _ in $(seq 1 200); do grep -q 'interrupted: no new target starts' "$TMP/err" && break; sleep 0.05; done
kill -INT "$FLEET_PID"
wait "$FLEET_PID"; RC=$?
check "Ctrl-C twice: exit 4" rc_is 4
check "Ctrl-C twice: says it cancels the running statements" err_has "interrupted again: cancelling the running statements"
check "Ctrl-C twice: the two running failed with PostgreSQL's cancel (57014), the other two skipped" \
    test "$(grep -c '] SQLSTATE: 57014' "$TMP/err")/$(grep -cE '^postgres@.* failed .*canceling statement due to user request' "$TMP/out")/$(grep -cE '^postgres@.* skipped ' "$TMP/out")" = "2/2/2"
check "Ctrl-C twice: everything rolled back" test "$(rows sqla fleet_31)$(rows sqla fleet_32)$(rows sqla fleet_33)$(rows sqla fleet_34)" = nonenonenonenone

# ---------------------------------------------------------------------------------------------
echo "# the client killed mid-fleet, then run again"
SLOWK=$TMP/slowk
journal "$SLOWK" 0000_quick 0001_slow 0002_after
printf 'CREATE TABLE quick_t (id int);\n' >"$SLOWK/0000_quick.sql"
printf 'CREATE TABLE slow_t (id int);\n--> statement-breakpoint\nSELECT pg_sleep(0.7);\n' >"$SLOWK/0001_slow.sql"
printf 'CREATE TABLE after_t (id int);\n' >"$SLOWK/0002_after.sql"
TRACKING=kill_run
KILL=$TMP/kill.txt
KILL_DBS=()
for i in $(seq 37 48); do KILL_DBS+=("fleet_$i"); url_a "fleet_$i"; echo; done >"$KILL"
"$CLIENT" migrate --dir "$SLOWK" --targets "$KILL" --parallel 4 --migrations-table "$TRACKING" >"$TMP/out" 2>"$TMP/err" &
KILL_PID=$!
for _ in $(seq 1 200); do [ "$(grep -cE '^\[.*\] ok: ' "$TMP/out")" -ge 4 ] && break; sleep 0.05; done
kill -KILL "$KILL_PID"; wait "$KILL_PID" 2>/dev/null
done_before=$(grep -cE '^\[.*\] ok: ' "$TMP/out")
check "killed (SIGKILL) after $done_before targets had finished, with others running" test "$done_before" -ge 4 -a "$done_before" -lt 12
tm migrate --dir "$SLOWK" --targets "$KILL" --parallel 4 --json --migrations-table "$TRACKING"
check "run again: exit 0" rc_is 0
check "run again: the ones finished before the kill applied nothing now" \
    test "$(jq '[.targets[] | select(.applied_now == 0 and .applied_before == 3)] | length' "$TMP/out")" -ge "$done_before"
check "run again: every target migrated, each migration exactly once (tracking rows and history)" \
    every sqla 3 "${KILL_DBS[@]}"
TRACKING=__drizzle_migrations

# ---------------------------------------------------------------------------------------------
echo "# usage errors: named, before anything connects"
printf 'postgresql://postgres@/fleet_01?host=%s&port=%s\nmy pass word %s\n' "$PGHOST" "$PGPORT" "$SECRET" >"$TMP/bad_line.txt"
tm migrate --dir "$FLEET" --targets "$TMP/bad_line.txt"
check "a line that is no target: exit 2, named by file and line, not shown" \
    test "$RC" = 2 -a -n "$(grep -F "trovella-migrate: --targets $TMP/bad_line.txt:2 is neither a connection string (postgresql://... or key=value pairs) nor a service name (one word of letters, digits, '_', '.', '-'); it is not shown, since it may hold a password" "$TMP/err")" \
         -a -z "$(grep -F "$SECRET" "$TMP/out" "$TMP/err")"
check "... with the format of a targets file as the hint" err_has "hint: A targets file has one target per line"
psql -X -q -d postgres -c "CREATE DATABASE untouched" >/dev/null
printf 'dbname=untouched host=%s port=%s\nhost=x bogus_key=%s\n' "$PGHOST" "$PGPORT" "$SECRET" >"$TMP/malformed.txt"
tm migrate --dir "$FLEET" --targets "$TMP/malformed.txt"
check "a malformed connection string: exit 2, libpq cannot parse it, named by line, not shown" \
    test "$RC" = 2 -a -n "$(grep -F "the connection string (from $TMP/malformed.txt:2) is malformed: libpq cannot parse it (it is not shown, since it may hold a password)" "$TMP/err")" \
         -a -z "$(grep -F "$SECRET" "$TMP/out" "$TMP/err")"
check "... and nothing ran on the good line before it" test "$(rows sqla untouched)" = none
printf 'postgresql://u:p@ss%s@127.0.0.1/db\n' "$SECRET" >"$TMP/ambiguous.txt"
echo "dbname=x" >>"$TMP/ambiguous.txt"
tm status --dir "$FLEET" --targets "$TMP/ambiguous.txt"
check "a URL with an unencoded @ in its password: exit 2, named by line, not shown" \
    test "$RC" = 2 -a -n "$(grep -F "the connection string (from $TMP/ambiguous.txt:1) is not a URL libpq reads as meant" "$TMP/err")" -a -z "$(grep -F "$SECRET" "$TMP/err")"
tm migrate --dir "$FLEET" --targets "$TMP/missing.txt"
check "a missing file: exit 2, named" test "$RC" = 2 -a -n "$(grep -F "trovella-migrate: cannot read --targets $TMP/missing.txt: No such file or directory" "$TMP/err")"
tm migrate --dir "$FLEET" --targets "$TMP"
check "a directory: exit 2, named" test "$RC" = 2 -a -n "$(grep -F "trovella-migrate: cannot read --targets $TMP: Is a directory" "$TMP/err")"
printf '# nobody yet\n\n' >"$TMP/empty.txt"
tm migrate --dir "$FLEET" --targets "$TMP/empty.txt"
check "a file without targets: exit 2, named" test "$RC" = 2 -a -n "$(grep -F "trovella-migrate: --targets $TMP/empty.txt lists no target (only blank lines and # comments)" "$TMP/err")"
printf 'host=%s port=%s dbname=fleet_01 user=postgres\n' "$PGHOST" "$PGPORT" >"$TMP/dup.txt"
tm migrate --dir "$FLEET" --targets "$TMP/dup.txt" --database-url "$(url_a fleet_01)"
check "one database listed twice: exit 2, both sources named" \
    test "$RC" = 2 -a -n "$(grep -F "trovella-migrate: --database-url and $TMP/dup.txt:1 name the same database (postgres@$PGHOST:$PGPORT/fleet_01): each target is migrated once, so list it once" "$TMP/err")"
tm migrate --dir "$FLEET" --targets "$TARGETS" --parallel 0
check "--parallel 0: exit 2, named" \
    test "$RC" = 2 -a -n "$(grep -F 'trovella-migrate: --parallel must be a whole number from 1 to 256 (how many targets run at once), not "0"' "$TMP/err")"
tm migrate --dir "$FLEET" --targets "$TARGETS" --parallel lots
check "--parallel lots: exit 2, named" err_has '--parallel must be a whole number from 1 to 256 (how many targets run at once), not "lots"'
tm --version --targets "$TARGETS"
check "--version with a fleet: exit 2, one target please" \
    test "$RC" = 2 -a -n "$(grep -F "trovella-migrate: --version asks one database for the extension's version: give it one target, not $ALL" "$TMP/err")"
tm migrate --dir "$FLEET" --targets "$TMP/bad_line.txt" --json
check "--json: a usage error is one document, exit_code 2" \
    jq -e '.exit_code == 2 and (.error.message | contains("bad_line.txt:2 is neither"))' "$TMP/out"
check "... and the client exits 2" rc_is 2
tm migrate --dir "$TMP/nowhere" --targets "$TARGETS"
check "a missing migrations folder: exit 2 before any target connects" test "$RC" = 2 -a -z "$(grep -F '] ' "$TMP/out" "$TMP/err")"

# ---------------------------------------------------------------------------------------------
echo "# one target behaves as it always did"
tm migrate --dir "$FLEET" --targets "$AHEAD" --database-url "$(url_a fleet_05)" --json
check "two sources (--targets and --database-url) are a fleet" jq -e '.fleet == true and (.targets | length) == 5' "$TMP/out"
printf '# one\n%s\n' "$(url_a fleet_05)" >"$TMP/one.txt"
tm status --dir "$FLEET" --targets "$TMP/one.txt" --json
check "a targets file with one target: the one-target document (no fleet), exit 0" \
    jq -e '(has("fleet") | not) and .command == "status" and .exit_code == 0 and .target_source == "'"$TMP/one.txt"':2"' "$TMP/out"
tm status --dir "$FLEET" --targets "$TMP/one.txt"
check "... and the one-target text: the engine line, the status table, no summary table" \
    test "$RC" = 0 -a -n "$(grep '^Engine: extension' "$TMP/out")" -a -z "$(grep '^Fleet:' "$TMP/out")" -a -n "$(grep '^Migration state: 3 applied, 3 expected, 0 pending$' "$TMP/out")"
tm status --dir "$FLEET" --database-url "$(url_a fleet_05)" --database-url "$(url_b b_1)"
check "--database-url repeated: a fleet of two across both servers, exit 0" \
    test "$RC" = 0 -a -n "$(grep -E '^Fleet: 2 targets .*: 2 ok; exit code 0$' "$TMP/out")"

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
