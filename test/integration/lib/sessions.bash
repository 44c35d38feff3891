# Sourced by the integration suites that need several sessions at once (not a suite itself: the
# runner only runs test/integration/*.sh).
#
#   session_open NAME DB APPNAME   a psql session in the background, fed line by line through a FIFO;
#                                  its stdout and stderr go to $TM_SESSIONS/NAME.out
#   session_send NAME SQL          send SQL (psql runs each statement as soon as its line arrives)
#   session_close NAME [SECONDS]   end its input and wait (bounded) for psql to exit; returns psql's
#                                  status, or 124 if it was still running (then it is killed)
#   session_output NAME            what the session printed so far
#   backend_pid DB APPNAME         the server pid of the session with that application_name
#   wait_until DB SECONDS SQL      poll until SQL returns t (false after SECONDS)
#   wait_pid PID SECONDS           wait (bounded) for a background job of this shell; its status, or
#                                  124 if it was still running (then it is killed)
#   make_fixture DB N TEMPLATE     table fixture(journal json, migrations jsonb) with N migrations
#                                  0000_m0 ... (when = 1700000000000 + i); TEMPLATE is a format()
#                                  string, %1$s is the migration's number
TM_SESSIONS=$(mktemp -d /tmp/trovella-sessions.XXXXXX)
chmod 755 "$TM_SESSIONS"
declare -A TM_SESSION_FD TM_SESSION_PID

session_open() {
  local name=$1 db=$2 app=$3 fd
  mkfifo "$TM_SESSIONS/$name.in"
  PGAPPNAME=$app psql -X -q -d "$db" <"$TM_SESSIONS/$name.in" >"$TM_SESSIONS/$name.out" 2>&1 &
  TM_SESSION_PID[$name]=$!
  exec {fd}>"$TM_SESSIONS/$name.in"
  TM_SESSION_FD[$name]=$fd
  printf '\\set VERBOSITY verbose\n' >&"$fd"
}

session_send() {
  printf '%s\n' "$2" >&"${TM_SESSION_FD[$1]}"
}

session_close() {
  local name=$1 seconds=${2:-30} fd=${TM_SESSION_FD[$1]:-}
  [ -n "$fd" ] || return 0
  exec {fd}>&-
  unset "TM_SESSION_FD[$name]"
  rm -f "$TM_SESSIONS/$name.in"
  wait_pid "${TM_SESSION_PID[$name]}" "$seconds"
}

session_output() {
  cat "$TM_SESSIONS/$1.out"
}

backend_pid() {
  psql -X -At -d "$1" -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$2' ORDER BY backend_start LIMIT 1"
}

wait_until() {
  local db=$1 seconds=$2 sql=$3 i
  for ((i = 0; i < seconds * 20; i++)); do
    [ "$(psql -X -At -d "$db" -c "$sql" 2>/dev/null)" = t ] && return 0
    sleep 0.05
  done
  return 1
}

wait_pid() {
  local pid=$1 seconds=$2 i
  for ((i = 0; i < seconds * 20; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      return
    fi
    sleep 0.05
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 124
}

make_fixture() {
  psql -X -q -d "$1" -v ON_ERROR_STOP=1 -v n="$2" -v template="$3" >/dev/null <<'SQL'
CREATE TABLE fixture AS
SELECT json_build_object('version', '7', 'dialect', 'postgresql', 'entries',
         json_agg(json_build_object('idx', i, 'version', '7', 'when', 1700000000000 + i,
                                    'tag', format('%s_m%s', lpad(i::text, 4, '0'), i), 'breakpoints', true)
                  ORDER BY i)) AS journal,
       jsonb_object_agg(format('%s_m%s', lpad(i::text, 4, '0'), i), format(:'template', i)) AS migrations
FROM generate_series(0, :n - 1) i;
SQL
}

# Ends every session still open and removes the FIFOs; suites call it from their EXIT trap.
sessions_cleanup() {
  local name
  for name in "${!TM_SESSION_FD[@]}"; do session_close "$name" 5 >/dev/null 2>&1; done
  rm -rf "$TM_SESSIONS"
}
