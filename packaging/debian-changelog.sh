#!/usr/bin/env bash
# Prints debian/changelog for a source tree: one entry whose version is default_version in the
# tree's trovella_migrate.control (the package's format is "3.0 (native)", so that is the package
# version), dated and named after the commit the tree was exported from.
#
#   bash packaging/debian-changelog.sh TREE REPOSITORY COMMIT > TREE/debian/changelog
set -euo pipefail
[ $# = 3 ] || { echo "usage: debian-changelog.sh TREE REPOSITORY COMMIT" >&2; exit 2; }
tree=$1 repo=$2 commit=$3
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$tree/trovella_migrate.control" 2>/dev/null)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  { echo "debian-changelog.sh: cannot read default_version = 'x.y.z' from $tree/trovella_migrate.control" >&2; exit 1; }
maintainer=$(sed -n 's/^Maintainer: //p' "$tree/debian/control")
[ -n "$maintainer" ] || { echo "debian-changelog.sh: no Maintainer in $tree/debian/control" >&2; exit 1; }
cat <<CHANGELOG
trovella-migrate ($version) bookworm; urgency=medium

  * trovella_migrate $version, built from commit $(git -C "$repo" rev-parse --short "$commit").

 -- $maintainer  $(git -C "$repo" log -1 --format=%aD "$commit")
CHANGELOG
