#!/usr/bin/env bash
# Supported PostgreSQL majors (issue 15): PostgreSQL's headers enter through one header,
# src/pg/postgres_headers.hpp, which is also the only place that looks at PG_VERSION_NUM (its
# compatibility section), so a port to another major is that one place; and the places that
# name the supported majors (debian/pgversions, META.json.in) agree.
. "$(dirname "$0")/../lib/check.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
header=src/pg/postgres_headers.hpp

elsewhere=$(git grep -n PG_VERSION_NUM -- src ':!'"$header" ':!src/core/no_postgres.hpp')
check "PG_VERSION_NUM appears only in $header (and the core's no-PostgreSQL guard)" test -z "$elsewhere"
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
check "the compatibility section gives PostgreSQL 14 the 15-only calls the glue makes" \
  test "$(sed -n '/^#if PG_VERSION_NUM < 150000$/,/^#endif$/p' "$header" | grep -cE '^inline [a-z ]+\*? ?(InitMaterializedSRF|pg_cryptohash_final|pg_cryptohash_error)\(')" = 3
for call in InitMaterializedSRF pg_cryptohash_final pg_cryptohash_error; do
  check "the glue calls $call under its PostgreSQL 15 name" git grep -q "$call(" -- src/pg ':!'"$header"
done

check_contains "debian/pgversions builds for PostgreSQL 15 only" "15" "$(grep -v '^#' debian/pgversions | tr '\n' ' ')"
check_contains "META.json.in requires PostgreSQL 15 only" ">= 15.0.0, < 16.0.0" \
  "$(jq -r .prereqs.runtime.requires.PostgreSQL META.json.in)"
finish
