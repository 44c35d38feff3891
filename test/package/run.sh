#!/usr/bin/env bash
# The Debian package (issue 15), built and installed from scratch without touching this machine's
# PostgreSQL. A fresh Debian 12 root made with debootstrap is copied twice. In the first, the
# builder, packaging/install-build-deps.sh installs the Build-Depends and packaging/build-deb.sh
# builds postgresql-15-trovella-migrate from a clone of this checkout (its uncommitted changes
# included), and 0.1.0 from the repository's history with the same packaging; the builder is then
# deleted. The second, the target, stands in for the postgres:15-bookworm image (postgresql-15 from
# Debian, no cluster, no compiler): the CI image's own steps (packaging/Dockerfile, which runs
# packaging/install-deb.sh) install the package; in a new cluster there: CREATE EXTENSION, the
# client migrates examples/migrations, `make installcheck` passes against the installed package,
# and the package is removed. Then 0.1.0 is installed, migrated, upgraded to this version's package
# with the data kept, ALTER EXTENSION ... UPDATE, and migrating goes on. Needs root, debootstrap,
# git, node and Debian's archive (scripts/setup installs the tools).
. "$(dirname "$0")/../lib/check.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/test/lib/previous_release.sh"
. "$root/test/lib/export_checkout.sh"
. "$root/test/package/lib/chroot.sh"
. "$root/test/package/lib/build_in_root.sh"
. "$root/test/package/lib/contents.sh"
. "$root/test/package/lib/dockerfile.sh"
. "$root/test/integration/lib/examples.bash"
package=postgresql-15-trovella-migrate

cannot_run() {
  echo "# skipped: $1"
  if [ "${CI:-}" = true ]; then echo "not ok - the package test cannot run: $1"; echo "0 passed, 1 failed"; exit 1; fi
  echo "0 passed, 0 failed"; exit 0
}
[ "$(id -u)" = 0 ] || cannot_run "needs root (debootstrap, chroot, mount)"
for tool in debootstrap git node dpkg-deb; do
  command -v "$tool" >/dev/null || cannot_run "$tool is missing (bash scripts/setup installs it)"
done
old_commit=$(release_commit "$root" 0.1.0) || cannot_run "this checkout's history does not reach 0.1.0 (a shallow clone?)"
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$root/trovella_migrate.control")

work=$(mktemp -d /tmp/trovella-package.XXXXXX); chmod 755 "$work"
builder=$work/builder target=$work/target
cleanup() {
  ROOT=$target cluster_stop
  root_release "$builder" && root_release "$target" && [ -z "${KEEP:-}" ] && rm -rf "$work"
}
trap cleanup EXIT
started=$SECONDS

# build-deb.sh's refusals that need no build.
out=$(bash "$root/packaging/build-deb.sh" 2>&1); code=$?
check_contains "build-deb.sh without OUTDIR: usage, exit 2" "usage: build-deb.sh [--from REV] OUTDIR|2" "$out|$code"
out=$(bash "$root/packaging/build-deb.sh" --from no-such-rev "$work/x" 2>&1); code=$?
check_contains "build-deb.sh --from an unknown commit names it, exit 1" "build-deb.sh: no-such-rev: no such commit in $root|1" "$out|$code"
mkdir -p "$work/nogit" && cp -r "$root/packaging" "$work/nogit/"
out=$(bash "$work/nogit/packaging/build-deb.sh" "$work/x" 2>&1); code=$?
check_contains "build-deb.sh outside a git checkout says so, exit 1" "build-deb.sh: $work/nogit is not a git checkout|1" "$out|$code"

# --- Two fresh Debian 12 roots from one debootstrap --------------------------------------------
root_bootstrap "$target" >"$work/bootstrap.log" 2>&1 && cp -a "$target" "$builder" && root_mount "$builder"
check "debootstrap: a fresh Debian 12 root ($(du -sxm "$target" | cut -f1) MB), copied for the builder" \
  test -x "$builder/usr/bin/apt-get" -a -x "$target/usr/bin/apt-get"
[ -x "$builder/usr/bin/apt-get" ] || { tail -20 "$work/bootstrap.log"; finish; exit 1; }
echo "# debootstrap done: $((SECONDS - started)) s"

# --- The builder: the Build-Depends alone, then the two packages ------------------------------
build_packages
check_contents "$deb" "$version" "$root" "$work"
check_contains "the 0.1.0 tree gives package version 0.1.0" "$package 0.1.0" \
  "$(dpkg-deb --show --showformat='${Package} ${Version}' "$old_deb")"

# --- The target: postgresql-15 from Debian, nothing of this project ---------------------------
ROOT=$target
root_mount "$target"
mkdir -p "$ROOT/etc/postgresql-common"
echo "create_main_cluster = false" >"$ROOT/etc/postgresql-common/createcluster.conf"  # as in the postgres image
in_root sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 make' \
  >"$work/target.log" 2>&1
check "the target root gets postgresql-15 and make from Debian's archive" in_root dpkg-query --show postgresql-15
in_root dpkg-query --show postgresql-15 >/dev/null 2>&1 || { tail -20 "$work/target.log"; finish; exit 1; }
echo "# target ready: $((SECONDS - started)) s"
check "the target has neither the extension, the client nor a compiler" \
  test ! -e "$ROOT/usr/share/postgresql/15/extension/trovella_migrate.control" -a ! -e "$ROOT/usr/bin/trovella-migrate" \
  -a ! -e "$ROOT/usr/bin/cc" -a ! -e "$ROOT/usr/bin/g++"

# The install script's refusals (inside the root: nothing is installed).
cp "$root/packaging/install-deb.sh" "$ROOT/tmp/install-deb.sh"
echo "not a package" >"$ROOT/tmp/not-a-package.deb"
out=$(in_root sh /tmp/install-deb.sh 2>&1); code=$?
check_contains "install-deb.sh without a package: usage, exit 2" "usage: install-deb.sh PACKAGE.deb|2" "$out|$code"
out=$(in_root sh /tmp/install-deb.sh /tmp/missing.deb 2>&1); code=$?
check_contains "install-deb.sh names a missing file, exit 2" "install-deb.sh: /tmp/missing.deb: no such file|2" "$out|$code"
out=$(in_root sh /tmp/install-deb.sh /tmp/not-a-package.deb 2>&1); code=$?
check_contains "install-deb.sh refuses a file that is not this package, exit 2" \
  "/tmp/not-a-package.deb is not a postgresql-<version>-trovella-migrate package|2" "$out|$code"

# --- The CI image's steps install the package --------------------------------------------------
export_checkout "$root" "$work/context" && mkdir -p "$work/context/dist"
cp "$deb" "$work/context/dist/"
dockerfile_run "$root/packaging/Dockerfile" "$work/context" >"$work/dockerfile.log" 2>&1; code=$?
check "packaging/Dockerfile's steps run in the root (install-deb.sh)" test $code = 0
[ $code = 0 ] || tail -20 "$work/dockerfile.log"
check_contains "dpkg: $package $version installed" "install ok installed $version" \
  "$(in_root dpkg-query --show --showformat='${Status} ${Version}' "$package")"
check_contains "the client is on PATH as /usr/bin/trovella-migrate" "/usr/bin/trovella-migrate" \
  "$(as_postgres sh -c 'command -v trovella-migrate')"
check_contains "trovella-migrate --version prints the control file's version" "$version" \
  "$(as_postgres trovella-migrate --version 2>&1)"

cluster_start >"$work/cluster.log" 2>&1
check "a new cluster starts in the root (as postgres, Unix socket only)" test -n "$ROOT_CLUSTER_PID"
[ -n "$ROOT_CLUSTER_PID" ] || { cat "$work/cluster.log"; finish; exit 1; }
sql() { as_postgres psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" "${@:2}" 2>&1; }
extversion="SELECT extversion FROM pg_extension WHERE extname = 'trovella_migrate'"

# The image's entrypoint runs /docker-entrypoint-initdb.d/*.sql in POSTGRES_DB on first start.
as_postgres createdb tm_ci
for f in "$ROOT"/docker-entrypoint-initdb.d/*.sql; do sql tm_ci -f "/docker-entrypoint-initdb.d/${f##*/}" >/dev/null; done
check_contains "the image's init script creates the extension in POSTGRES_DB" "$version" "$(sql tm_ci -c "$extversion")"

as_postgres createdb tm_fresh
check_contains "CREATE EXTENSION trovella_migrate: version $version" "$version" \
  "$(sql tm_fresh -c "CREATE EXTENSION trovella_migrate" -c "$extversion")"
examples_copy "$ROOT/srv/migrations"
out=$(as_postgres env PGDATABASE=tm_fresh trovella-migrate migrate --dir /srv/migrations 2>&1); code=$?
check_contains "the client migrates examples/migrations" "exit 0: Verified: database has all 10 migrations." \
  "exit $code: $(grep -F 'Verified: ' <<<"$out")"
out=$(as_postgres env PGDATABASE=tm_fresh trovella-migrate verify --dir /srv/migrations 2>&1); code=$?
check_contains "the client's verify agrees" "exit 0: Verified: database has all 10 migrations." \
  "exit $code: $(grep -F 'Verified: ' <<<"$out")"
check_contains "the history holds the 10 migrations with their tags" "10|10" \
  "$(sql tm_fresh -c "SELECT count(*) || '|' || count(tag) FROM trovella_migrate.history")"

# make installcheck from a clean export of the tree: pg_regress against the installed package.
cp -r "$work/context" "$ROOT/srv/src" && in_root chown -R postgres:postgres /srv/src
as_postgres make -C /srv/src installcheck PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >"$work/installcheck.log" 2>&1
tests=$(cd "$root" && ls sql/*.sql | wc -l)
specs=$(cd "$root" && ls test/isolation/specs/*.spec | wc -l)
if grep -q "All $tests tests passed" "$work/installcheck.log" && grep -q "All $specs tests passed" "$work/installcheck.log"; then
  check "make installcheck passes against the installed package ($tests pg_regress files, $specs isolation specs)" true
else
  tail -30 "$work/installcheck.log"; head -60 "$ROOT"/srv/src/build/{regress,isolation}/regression.diffs 2>/dev/null
  check "make installcheck passes against the installed package" false
fi
check "installcheck built nothing: the server ran the package's library" \
  test -z "$(find "$ROOT/srv/src" -name '*.so' -o -name '*.o')"

# --- Removing the package ---------------------------------------------------------------------
in_root apt-get remove -y -qq "$package" >"$work/remove.log" 2>&1; code=$?
check "apt-get remove $package" test $code = 0
check "the library, control file, scripts and client are gone" \
  test -z "$(ls "$ROOT"/usr/share/postgresql/15/extension/trovella_migrate* "$ROOT"/usr/lib/postgresql/15/lib/trovella_migrate.so \
    "$ROOT"/usr/bin/trovella-migrate "$ROOT"/usr/lib/postgresql/15/bin/trovella-migrate 2>/dev/null)"
as_postgres createdb tm_after
check_contains "CREATE EXTENSION then says the extension is not available" 'extension "trovella_migrate" is not available' \
  "$(sql tm_after -c "CREATE EXTENSION trovella_migrate")"
check "the migrated database keeps its data (10 tracking rows)" \
  test "$(sql tm_fresh -c "SELECT count(*) FROM drizzle.__drizzle_migrations")" = 10
in_root apt-get purge -y -qq "$package" >>"$work/remove.log" 2>&1
check "purged: dpkg no longer knows the package, postgresql-15 stays" \
  test "$(in_root dpkg-query --show --showformat='${db:Status-Status}' "$package" 2>/dev/null)" != installed -a \
       "$(in_root dpkg-query --show --showformat='${db:Status-Status}' postgresql-15)" = installed

# --- Upgrading the package from 0.1.0 ---------------------------------------------------------
cp "$old_deb" "$deb" "$ROOT/tmp/"
out=$(in_root sh /tmp/install-deb.sh "/tmp/${old_deb##*/}" 2>&1)
check_contains "install-deb.sh installs 0.1.0" "installed $package 0.1.0" "$out"
as_postgres createdb tm_upgrade
check_contains "0.1.0: CREATE EXTENSION" "0.1.0" "$(sql tm_upgrade -c "CREATE EXTENSION trovella_migrate" -c "$extversion")"
examples_copy "$ROOT/srv/m"
psql() { as_postgres psql "$@"; }  # apply_server_files runs psql inside the root
check_contains "0.1.0: the first 8 migrations applied" "8,t" "$(apply_server_files tm_upgrade /srv/m first8.json)"
unset -f psql
out=$(in_root sh /tmp/install-deb.sh "/tmp/${deb##*/}" 2>&1)
check_contains "install-deb.sh upgrades the package from 0.1.0 to $version" "installed $package $version" "$out"
check_contains "dpkg unpacked $version over 0.1.0" "($version) over (0.1.0)" "$out"
check_contains "the data is kept: 8 tracking rows, 8 history rows with tags, extension still 0.1.0" "8|8|0.1.0" \
  "$(sql tm_upgrade -c "SELECT (SELECT count(*) FROM drizzle.__drizzle_migrations) || '|' || (SELECT count(tag) FROM trovella_migrate.history) || '|' || ($extversion)")"
check "the new library works with 0.1.0's objects (status: 8 applied)" test 8 = \
  "$(sql tm_upgrade -c "SELECT count(*) FROM trovella_migrate.status(pg_read_file('/srv/m/meta/first8.json')::json) WHERE state = 'applied'")"
check_contains "ALTER EXTENSION trovella_migrate UPDATE reaches $version" "$version" \
  "$(sql tm_upgrade -c "ALTER EXTENSION trovella_migrate UPDATE" -c "$extversion")"
out=$(as_postgres env PGDATABASE=tm_upgrade trovella-migrate migrate --dir /srv/m 2>&1); code=$?
check_contains "the upgraded client applies the other 2" "exit 0: Migrations complete. Applied 2 new migration(s)." \
  "exit $code: $(grep -F 'Migrations complete' <<<"$out")"
check_contains "the history: all 10 with their tags, from 2 runs (0.1.0's and $version's)" "10|10|2" \
  "$(sql tm_upgrade -c "SELECT count(*) || '|' || count(tag) || '|' || count(DISTINCT run_id) FROM trovella_migrate.history")"

check "no backend crashed in the root's cluster" \
  test -z "$(grep -E 'terminated by signal|was terminated by exception' "$ROOT/var/lib/postgresql/tm-server.log")"
echo "# package test: $((SECONDS - started)) s"
finish
