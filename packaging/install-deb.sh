#!/bin/sh
# Installs (or upgrades to) trovella_migrate's Debian package on Debian 12 with PostgreSQL 15,
# its dependencies coming from the machine's apt sources. The CI image (packaging/Dockerfile)
# runs this script, and test/package/run.sh runs the same script in a fresh Debian 12 root.
#
#   sh install-deb.sh ./postgresql-15-trovella-migrate_<version>_<arch>.deb
set -eu

if [ $# != 1 ]; then
  echo "usage: install-deb.sh PACKAGE.deb" >&2
  exit 2
fi
deb=$1
[ -f "$deb" ] || { echo "install-deb.sh: $deb: no such file" >&2; exit 2; }
package=$(dpkg-deb --field "$deb" Package 2>/dev/null) || package=
case $package in
  postgresql-*-trovella-migrate) ;;
  *) echo "install-deb.sh: $deb is not a postgresql-<version>-trovella-migrate package" >&2; exit 2 ;;
esac
# apt takes a local file only as a path with a slash in it.
case $deb in */*) ;; *) deb=./$deb ;; esac

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$deb"
echo "install-deb.sh: installed $package $(dpkg-query --show --showformat='${Version}' "$package")"
