#!/usr/bin/env bash
# Builds the Debian package postgresql-15-trovella-migrate from a clean export of this checkout
# (its tracked files, uncommitted changes to them included; nothing built or untracked), or of an
# older commit with this checkout's debian/ directory (--from REV: how the package test builds
# 0.1.0), and copies the .deb into OUTDIR. Prints the path of the .deb.
#
#   bash packaging/build-deb.sh [--from REV] OUTDIR
#
# The package version is default_version in the exported tree's trovella_migrate.control:
# packaging/debian-changelog.sh writes debian/changelog from it. Needs git and the build
# dependencies of debian/control (dpkg-buildpackage names any that are missing).
set -euo pipefail

usage() { echo "usage: build-deb.sh [--from REV] OUTDIR" >&2; exit 2; }
from=
case ${1:-} in
  --from) [ $# = 3 ] || usage; from=$2; shift 2 ;;
  -*|'') usage ;;
esac
[ $# = 1 ] || usage
mkdir -p "$1"
out=$(cd "$1" && pwd)

root=$(cd "$(dirname "$0")/.." && pwd)
git -C "$root" rev-parse --git-dir >/dev/null 2>&1 || { echo "build-deb.sh: $root is not a git checkout" >&2; exit 1; }
# `git stash create` records the working tree's changes to tracked files as a commit without
# touching the checkout; it prints nothing when there are none.
here=$(git -C "$root" -c user.name=build-deb -c user.email=build-deb@localhost stash create 2>/dev/null || true)
here=${here:-$(git -C "$root" rev-parse HEAD)}
if [ -n "$from" ]; then
  source_rev=$(git -C "$root" rev-parse --verify -q "$from^{commit}") ||
    { echo "build-deb.sh: $from: no such commit in $root" >&2; exit 1; }
else
  source_rev=$here
fi

work=$(mktemp -d /tmp/trovella-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/trovella-migrate
mkdir "$src"
git -C "$root" archive "$source_rev" | tar -x -C "$src"
if [ -n "$from" ]; then  # the same packaging for an older tree
  rm -rf "$src/debian"
  git -C "$root" archive "$here" debian | tar -x -C "$src"
fi

bash "$root/packaging/debian-changelog.sh" "$src" "$root" "$source_rev" >"$src/debian/changelog"
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -SVersion)

echo "build-deb.sh: building postgresql-15-trovella-migrate $version (log: $out/build-$version.log)" >&2
if ! (cd "$src" && dpkg-buildpackage -us -uc -b -Jauto) >"$out/build-$version.log" 2>&1; then
  tail -30 "$out/build-$version.log" >&2
  echo "build-deb.sh: dpkg-buildpackage failed (the whole log: $out/build-$version.log)" >&2
  exit 1
fi
debs=("$work"/postgresql-*-trovella-migrate_"${version}"_*.deb)
[ -f "${debs[0]}" ] || { echo "build-deb.sh: dpkg-buildpackage made no postgresql-*-trovella-migrate_${version} package" >&2; exit 1; }
cp "${debs[@]}" "$out/"
for deb in "${debs[@]}"; do echo "$out/$(basename "$deb")"; done
