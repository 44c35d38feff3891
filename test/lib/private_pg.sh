#!/usr/bin/env bash
# Makes a private copy of Debian's PostgreSQL 15 installation and prints the path of its
# pg_config. PostgreSQL finds its share and lib directories relative to its own binary, so a
# server started from the copy loads extensions from the copy only: an older trovella_migrate can
# be installed there (the upgrade test) without touching the system's, and two checkouts can each
# run the whole test suite against their own install:
#
#   PG_CONFIG=$(bash test/lib/private_pg.sh /tmp/my-pg) bash scripts/test
#
# Usage: private_pg.sh DIR   (DIR is created; an existing copy there is reused)
set -euo pipefail
dir=${1:?usage: private_pg.sh DIR}
src_config=${SOURCE_PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bindir=$("$src_config" --bindir)        # /usr/lib/postgresql/15/bin
sharedir=$("$src_config" --sharedir)    # /usr/share/postgresql/15
includedir=$("$src_config" --includedir-server)
pgroot=$(dirname "$bindir")             # /usr/lib/postgresql/15
if [ ! -x "$dir$bindir/pg_config" ]; then
  mkdir -p "$dir$(dirname "$pgroot")" "$dir$(dirname "$sharedir")" "$dir$(dirname "$includedir")"
  cp -a "$pgroot" "$dir$(dirname "$pgroot")/"
  cp -a "$sharedir" "$dir$(dirname "$sharedir")/"
  # Headers are only read: the copy's include directory points at the system's.
  ln -sfn "$includedir" "$dir$includedir"
  # The server runs as postgres and must be able to read (and the tests to install into) it.
  if [ "$(id -u)" = 0 ]; then chmod -R a+rX "$dir"; fi
fi
# Message translations are looked up relative to the binary too (pg_config --localedir): the
# copy reads the system's, so a server run with a translated lc_messages speaks that language.
localedir=$("$src_config" --localedir)   # /usr/share/locale
[ -e "$dir$localedir" ] || { mkdir -p "$dir$(dirname "$localedir")"; ln -sfn "$localedir" "$dir$localedir"; }
echo "$dir$bindir/pg_config"
