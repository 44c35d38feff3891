#!/usr/bin/env bash
# Supported PostgreSQL majors (issue 15): PostgreSQL's headers enter through one header,
# src/pg/postgres_headers.hpp, which is also the only place that looks at PG_VERSION_NUM and the
# only caller of the calls whose form differs between versions (its shims), so a port to another
# major starts in that one place; and the places that name the supported majors
# (debian/pgversions, META.json.in) agree with its floor.
. "$(dirname "$0")/../lib/check.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
header=src/pg/postgres_headers.hpp

# The extension's code: the core and the glue. (The client includes libpg_query, PostgreSQL 15's
# parser built as a library of its own, whose header defines PG_VERSION_NUM too.)
elsewhere=$(git grep -n PG_VERSION_NUM -- src/core src/pg ':!'"$header" ':!src/core/no_postgres.hpp')
check "PG_VERSION_NUM appears in the extension's code only in $header (and the core's no-PostgreSQL guard)" test -z "$elsewhere"
[ -z "$elsewhere" ] || echo "$elsewhere" | sed 's/^/#   /'
check "the no-PostgreSQL guard only tests whether PG_VERSION_NUM is defined" \
  test "$(grep -c PG_VERSION_NUM src/core/no_postgres.hpp)" = "$(grep -c '^#ifdef PG_VERSION_NUM$' src/core/no_postgres.hpp)"
# A PostgreSQL server header: a file of pg_config --includedir-server (libpq-fe.h is not one).
server_headers=$("${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" --includedir-server)
direct=$(git grep -nE '^#include [<"][^>"]+[>"]' -- src ':!'"$header" | while IFS= read -r line; do
  name=$(sed -E 's/^[^#]*#include [<"]([^>"]+)[>"].*/\1/' <<<"$line")
  [ ! -f "$server_headers/$name" ] || echo "$line"
done)
check "no other file includes a PostgreSQL server header (a file of $server_headers)" test -z "$direct"
[ -z "$direct" ] || echo "$direct" | sed 's/^/#   /'
# Calls whose form differs between PostgreSQL versions: the glue reaches them only through the
# header's shims (materialized_srf; SHA-256 is libcrypto's, core/sha256, for both hosts).
for call in InitMaterializedSRF; do
  direct=$(git grep -n "$call(" -- src ':!'"$header")
  check "$call is called only in $header's shims" test -z "$direct" -a -n "$(grep -F "$call(" "$header")"
  [ -z "$direct" ] || echo "$direct" | sed 's/^/#   /'
done
check_contains "$header refuses a PostgreSQL older than 15 at compile time" "#if PG_VERSION_NUM < 150000 #error" \
  "$(grep -A1 '^#if PG_VERSION_NUM < 150000$' "$header" | cut -d' ' -f1-4 | tr '\n' ' ' | sed 's/ *"$//')"

check_contains "debian/pgversions builds for PostgreSQL 15 only" "15" "$(grep -v '^#' debian/pgversions | tr '\n' ' ')"
check_contains "META.json.in requires PostgreSQL 15 only" ">= 15.0.0, < 16.0.0" \
  "$(jq -r .prereqs.runtime.requires.PostgreSQL META.json.in)"
finish
