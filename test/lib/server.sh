# Sourced by the scripts that need a throwaway PostgreSQL server (as root or as a normal user).
#   start_server   initdb in a new temporary directory, start on a free port, export PG* for libpq
#   stop_server    stop it by its PID and delete the directory (also run on EXIT)
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --bindir)}

_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local port
  for port in $(seq 55432 55999); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && [ ! -e "/tmp/.s.PGSQL.$port" ]; then
      echo "$port"; return 0
    fi
  done
  return 1
}

start_server() {
  TM_SERVER_DIR=$(mktemp -d /tmp/trovella-pg.XXXXXX)
  chmod 755 "$TM_SERVER_DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$TM_SERVER_DIR"
  TM_PORT=$(free_port) || { echo "no free port" >&2; return 1; }
  _as_owner "$PG_BIN/initdb" -D "$TM_SERVER_DIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$TM_SERVER_DIR/initdb.log" 2>&1 \
    || { cat "$TM_SERVER_DIR/initdb.log" >&2; return 1; }
  _as_owner "$PG_BIN/pg_ctl" -D "$TM_SERVER_DIR/data" -l "$TM_SERVER_DIR/server.log" -w \
    -o "-p $TM_PORT -k $TM_SERVER_DIR -c listen_addresses='' -c fsync=off ${TM_SERVER_OPTS:-}" start >/dev/null \
    || { cat "$TM_SERVER_DIR/server.log" >&2; return 1; }
  TM_SERVER_PID=$(head -1 "$TM_SERVER_DIR/data/postmaster.pid")
  export PGHOST=$TM_SERVER_DIR PGPORT=$TM_PORT PGUSER=postgres PGDATABASE=postgres
  trap stop_server EXIT
}

stop_server() {
  if [ -n "${TM_SERVER_PID:-}" ] && kill -0 "$TM_SERVER_PID" 2>/dev/null; then
    kill -INT "$TM_SERVER_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$TM_SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  [ -n "${TM_SERVER_DIR:-}" ] && rm -rf "$TM_SERVER_DIR"
  TM_SERVER_PID=
  TM_SERVER_DIR=
}
