#!/usr/bin/env bash
# Runs the TAP tests in test/tap/t with PostgreSQL's own test modules (PostgreSQL::Test::Cluster,
# from postgresql-server-dev-15; prove and IPC::Run from Debian). Each test makes its own
# clusters. initdb refuses root, so as root the tests run as the postgres user, from a copy of
# what they read (test/tap and examples/) that it can read wherever this checkout lives.
# Prints "ok - ..." / "not ok - ..." per check and ends with "N passed, M failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
pgxs=$(dirname "$("$PG_CONFIG" --pgxs)")/../..   # .../lib/pgxs
bindir=$("$PG_CONFIG" --bindir)
work=$(mktemp -d /tmp/trovella-tap.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/test" "$work/root/examples" "$work/testdir"
cp -r "$here" "$work/root/test/tap"
cp -r "$root/examples/migrations" "$work/root/examples/"
chmod -R a+rX "$work"
as_user=()
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$work/testdir"
  as_user=(runuser -u postgres --)
fi
if ! perl -MIPC::Run -e 1 2>/dev/null || ! command -v prove >/dev/null; then
  echo "not ok - prove and IPC::Run are installed (Debian: perl, libipc-run-perl; scripts/setup installs them)"
  echo "0 passed, 1 failed"; exit 1
fi
cd "$work/root/test/tap"
"${as_user[@]}" env PATH="$bindir:$PATH" TESTDIR="$work/testdir" PG_REGRESS="$pgxs/src/test/regress/pg_regress" \
  TROVELLA_ROOT="$work/root" prove -v -I "$pgxs/src/test/perl" -I . t/*.pl >"$work/prove.log" 2>&1
status=$?
passed=0 failed=0
while IFS= read -r line; do
  case $line in
    "ok "*) passed=$((passed + 1)); echo "ok - ${line#ok * - }" ;;
    "not ok "*) failed=$((failed + 1)); echo "not ok - ${line#not ok * - }" ;;
  esac
done <"$work/prove.log"
if [ "$status" != 0 ] || [ "$failed" != 0 ]; then
  sed 's/^/# /' "$work/prove.log" | tail -40
  [ "$failed" != 0 ] || failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
