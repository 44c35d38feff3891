#!/usr/bin/env bash
# One version (issue 15): default_version in trovella_migrate.control is the only place the
# version is written. In a scratch copy of this checkout whose control file says 9.8.7, the
# install script name, the client's compiled-in version, the Debian package version and PGXN's
# META.json all say 9.8.7; no build, packaging or test file spells the real version out; and
# META.json and `make dist` give PGXN what its Meta Spec 1.0.0 requires.
. "$(dirname "$0")/../lib/check.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/test/lib/export_checkout.sh"
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
work=$(mktemp -d /tmp/trovella-version.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$root/trovella_migrate.control")
check "trovella_migrate.control has default_version = 'x.y.z' ($version)" grep -qE '^[0-9]+\.[0-9]+\.[0-9]+$' <<<"$version"

# Nothing else spells the version out (docs, upgrade script names and comments aside).
spelled=$(cd "$root" && git grep -n -F "$version" -- Makefile CMakeLists.txt META.json.in debian packaging scripts .ci sql expected test \
  ':!*.md' ':(glob,exclude)**/package-lock.json'; git grep -n -F "\"$version\"" -- src)
check "no build, packaging, test or source file spells out $version" test -z "$spelled"
[ -z "$spelled" ] || echo "$spelled" | sed 's/^/#   /'

# A scratch copy of this checkout (tracked files, uncommitted changes included) saying 9.8.7.
tree=$work/tree
export_checkout "$root" "$tree"
sed -i "s/^default_version = .*/default_version = '9.8.7'/" "$tree/trovella_migrate.control"
git -C "$tree" init -q && git -C "$tree" add -A && git -C "$tree" -c user.name=test -c user.email=test@localhost commit -q -m 9.8.7
make -s -C "$tree" PG_CONFIG="$PG_CONFIG" trovella_migrate--9.8.7.sql META.json >"$work/make.log" 2>&1
check "the install script is installed as trovella_migrate--9.8.7.sql" cmp "$tree/trovella_migrate.sql" "$tree/trovella_migrate--9.8.7.sql"
check_contains "META.json: distribution and extension version 9.8.7" "9.8.7 9.8.7" \
  "$(jq -r '.version + " " + .provides.trovella_migrate.version' "$tree/META.json" 2>&1)"
cmake -S "$tree" -B "$tree/build/v" -DTROVELLA_TESTS=OFF >"$work/cmake.log" 2>&1
check_contains "the client is compiled with TROVELLA_VERSION 9.8.7" 'TROVELLA_VERSION=9.8.7' \
  "$(grep -o 'TROVELLA_VERSION=[^ ]*' "$tree/build/v/compile_commands.json" | tr -d '\\"' | sort -u)"
bash "$root/packaging/debian-changelog.sh" "$tree" "$tree" HEAD >"$work/changelog" 2>&1
check_contains "debian/changelog, and so the package, is version 9.8.7" "trovella-migrate 9.8.7" \
  "$(dpkg-parsechangelog -l "$work/changelog" -SSource 2>&1) $(dpkg-parsechangelog -l "$work/changelog" -SVersion 2>&1)"

# PGXN: META.json of this checkout, and the distribution `make dist` packs.
make -s -C "$root" PG_CONFIG="$PG_CONFIG" META.json >"$work/meta.log" 2>&1
meta=$root/META.json
check "META.json has every key PGXN requires" jq -e 'has("name") and has("version") and has("abstract") and has("maintainer")
  and has("license") and has("provides") and has("meta-spec")' "$meta"
check_contains "META.json follows Meta Spec 1.0.0, versions from the control file" "1.0.0 $version $version" \
  "$(jq -r '."meta-spec".version + " " + .version + " " + .provides.trovella_migrate.version' "$meta")"
check "META.json's license is one of the spec's names" jq -e '.license | IN("agpl_3","apache_1_1","apache_2_0","artistic_1",
  "artistic_2","bsd","freebsd","gfdl_1_2","gfdl_1_3","gpl_1","gpl_2","gpl_3","lgpl_2_1","lgpl_3_0","mit","mozilla_1_0",
  "mozilla_1_1","openssl","perl_5","postgresql","qpl_1_0","ssleay","sun","zlib","open_source","restricted","unrestricted","unknown")' "$meta"
check "every file META.json names exists" test -f "$root/$(jq -r .provides.trovella_migrate.file "$meta")" \
  -a -f "$root/$(jq -r .provides.trovella_migrate.docfile "$meta")"
make -s -C "$tree" PG_CONFIG="$PG_CONFIG" dist >"$work/dist.log" 2>&1
check_contains "make dist packs trovella_migrate-9.8.7.zip with META.json, the control file and the install script" \
  "trovella_migrate-9.8.7/META.json trovella_migrate-9.8.7/trovella_migrate.control trovella_migrate-9.8.7/trovella_migrate.sql" \
  "$(unzip -Z1 "$tree/trovella_migrate-9.8.7.zip" 2>&1 | grep -E '^[^/]+/(META.json|trovella_migrate\.(control|sql))$' | sort | tr '\n' ' ')"
check_contains "the packed META.json says 9.8.7" "9.8.7" \
  "$(unzip -p "$tree/trovella_migrate-9.8.7.zip" trovella_migrate-9.8.7/META.json 2>&1 | jq -r .version 2>&1)"

# Without default_version, each consumer stops and says so.
sed -i '/^default_version/d' "$tree/trovella_migrate.control"
out=$(bash "$root/packaging/debian-changelog.sh" "$tree" "$tree" HEAD 2>&1); code=$?
check_contains "no default_version: debian-changelog.sh says so, exit 1" \
  "cannot read default_version = 'x.y.z' from $tree/trovella_migrate.control|1" "$out|$code"
out=$(make -s -C "$tree" PG_CONFIG="$PG_CONFIG" 2>&1); code=$?
check_contains "no default_version: make says so, exit 2" "cannot read default_version from trovella_migrate.control.  Stop.|2" "$out|$code"
out=$(cmake -S "$tree" -B "$tree/build/w" -DTROVELLA_TESTS=OFF 2>&1); code=$?
check_contains "no default_version: cmake says so, exit 1" "CMake Error|cannot read default_version from trovella_migrate.control|1" \
  "$(grep -o '^CMake Error' <<<"$out")|$(grep -o 'cannot read default_version from trovella_migrate.control' <<<"$out")|$code"
finish
