# Sourced by test/package/run.sh: a fresh Debian 12 root in a folder, standing in for the
# postgres:15-bookworm image (Debian 12 with the postgresql-15 package and no cluster), where the
# package is installed and tested without touching this machine's own PostgreSQL.
#   root_create DIR   debootstrap (minbase) + postgresql-15 from Debian's archive, /proc and
#                     /dev/shm mounted; sets ROOT
#   in_root CMD...    runs CMD as root inside, with a clean environment
#   as_postgres CMD...  runs CMD inside as the postgres user, PG* set for the cluster below
#   cluster_start / cluster_stop   a cluster inside (Unix socket only), stopped by its PID
#   root_destroy      stops the cluster, unmounts, deletes the folder (only once nothing is
#                     mounted below it)
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
ROOT=
ROOT_CLUSTER_PID=
ROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

in_root() {
  chroot "$ROOT" /usr/bin/env -i PATH="$ROOT_PATH" HOME=/root LANG=C.UTF-8 "$@"
}

as_postgres() {
  chroot "$ROOT" /usr/sbin/runuser -u postgres -- /usr/bin/env -i PATH="/usr/local/bin:/usr/bin:/bin" \
    HOME=/var/lib/postgresql LANG=C.UTF-8 PGHOST=/run/tm PGPORT=5432 PGUSER=postgres PGDATABASE=postgres "$@"
}

root_create() {
  ROOT=$1
  debootstrap --variant=minbase bookworm "$ROOT" "$DEBIAN_MIRROR" || return 1
  mount -t proc proc "$ROOT/proc" || return 1
  mount -t tmpfs -o size=256m shm "$ROOT/dev/shm" || return 1
  # The archive as the postgres image has it: with the security updates (Debian's extension
  # packages depend on the newest PostgreSQL minor release).
  cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $DEBIAN_MIRROR bookworm main
deb $DEBIAN_MIRROR bookworm-updates main
deb $DEBIAN_SECURITY_MIRROR bookworm-security main
EOF
  # No service starts inside; no cluster is created when postgresql-15 is installed (the
  # postgres image's settings).
  printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$ROOT/usr/sbin/policy-rc.d"
  mkdir -p "$ROOT/etc/postgresql-common"
  echo "create_main_cluster = false" >"$ROOT/etc/postgresql-common/createcluster.conf"
  in_root sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 make' || return 1
}

cluster_start() {
  as_postgres /usr/lib/postgresql/15/bin/initdb -D /var/lib/postgresql/tm-data -A trust -U postgres --no-sync \
    -E UTF8 --locale=C.UTF-8 >/dev/null || return 1
  mkdir -p "$ROOT/run/tm" && chroot "$ROOT" chown postgres:postgres /run/tm || return 1
  as_postgres /usr/lib/postgresql/15/bin/pg_ctl -D /var/lib/postgresql/tm-data -l /var/lib/postgresql/tm-server.log -w \
    -o "-k /run/tm -c listen_addresses='' -c fsync=off" start >/dev/null || return 1
  ROOT_CLUSTER_PID=$(head -1 "$ROOT/var/lib/postgresql/tm-data/postmaster.pid")
}

cluster_stop() {
  if [ -n "$ROOT_CLUSTER_PID" ] && kill -0 "$ROOT_CLUSTER_PID" 2>/dev/null; then
    kill -INT "$ROOT_CLUSTER_PID"
    for _ in $(seq 1 100); do kill -0 "$ROOT_CLUSTER_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  ROOT_CLUSTER_PID=
}

root_destroy() {
  [ -n "$ROOT" ] || return 0
  cluster_stop
  local m
  for m in dev/shm proc; do
    mountpoint -q "$ROOT/$m" && { umount "$ROOT/$m" || umount -l "$ROOT/$m"; }
  done
  if grep -q " $ROOT[/ ]" /proc/mounts; then
    echo "# not deleting $ROOT: something is still mounted below it" >&2
    return 1
  fi
  rm -rf --one-file-system "$ROOT"
  ROOT=
}
