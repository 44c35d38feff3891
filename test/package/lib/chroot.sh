# Sourced by test/package/run.sh: fresh Debian 12 roots in folders, made with debootstrap, where
# the package is built and installed without touching this machine's own PostgreSQL.
#   root_bootstrap DIR     debootstrap --variant=minbase bookworm, Debian's archive with its
#                          security updates, no service started inside
#   root_mount DIR         mounts /proc and a /dev/shm (PostgreSQL's shared memory) inside
#   root_release DIR       unmounts, then deletes DIR only once nothing is mounted below it
#   in_root CMD...         runs CMD as root inside $ROOT, with a clean environment
#   as_postgres CMD...     runs CMD inside $ROOT as the postgres user, PG* set for the cluster
#   cluster_start / cluster_stop   a new cluster inside $ROOT (Unix socket only), stopped by its PID
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
ROOT=
ROOT_CLUSTER_PID=

in_root() {
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 "$@"
}

as_postgres() {
  chroot "$ROOT" /usr/sbin/runuser -u postgres -- /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin \
    HOME=/var/lib/postgresql LANG=C.UTF-8 PGHOST=/run/tm PGPORT=5432 PGUSER=postgres PGDATABASE=postgres "$@"
}

root_bootstrap() {
  debootstrap --variant=minbase bookworm "$1" "$DEBIAN_MIRROR" || return 1
  # The archive as the postgres image has it, with the security updates: Debian's extension
  # packages depend on the newest PostgreSQL minor release.
  cat >"$1/etc/apt/sources.list" <<EOF
deb $DEBIAN_MIRROR bookworm main
deb $DEBIAN_MIRROR bookworm-updates main
deb $DEBIAN_SECURITY_MIRROR bookworm-security main
EOF
  printf '#!/bin/sh\nexit 101\n' >"$1/usr/sbin/policy-rc.d" && chmod 755 "$1/usr/sbin/policy-rc.d"
}

root_mount() {
  mount -t proc proc "$1/proc" && mount -t tmpfs -o size=256m shm "$1/dev/shm"
}

root_release() {
  [ -n "$1" ] && [ -d "$1" ] || return 0
  local m
  for m in dev/shm proc; do
    if mountpoint -q "$1/$m"; then umount "$1/$m" || umount -l "$1/$m"; fi
  done
  if grep -q " $1[/ ]" /proc/mounts; then
    echo "# not deleting $1: something is still mounted below it" >&2
    return 1
  fi
  rm -rf --one-file-system "$1"
}

cluster_start() {
  as_postgres /usr/lib/postgresql/15/bin/initdb -D /var/lib/postgresql/tm-data -A trust -U postgres --no-sync \
    -E UTF8 --locale=C.UTF-8 >/dev/null || return 1
  mkdir -p "$ROOT/run/tm" && chroot "$ROOT" chown postgres:postgres /run/tm || return 1
  as_postgres /usr/lib/postgresql/15/bin/pg_ctl -D /var/lib/postgresql/tm-data -l /var/lib/postgresql/tm-server.log \
    -w -o "-k /run/tm -c listen_addresses='' -c fsync=off" start >/dev/null || return 1
  ROOT_CLUSTER_PID=$(head -1 "$ROOT/var/lib/postgresql/tm-data/postmaster.pid")
}

cluster_stop() {
  if [ -n "$ROOT_CLUSTER_PID" ] && kill -0 "$ROOT_CLUSTER_PID" 2>/dev/null; then
    kill -INT "$ROOT_CLUSTER_PID"
    for _ in $(seq 1 100); do kill -0 "$ROOT_CLUSTER_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  ROOT_CLUSTER_PID=
}
