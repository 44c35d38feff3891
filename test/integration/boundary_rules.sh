#!/usr/bin/env bash
# The C++/PostgreSQL boundary rules of CONVENTIONS.md, checked on the source: the core includes
# no PostgreSQL header; PG_TRY lives only in the guard; every SQL-callable symbol is declared
# through the one entry wrapper and matches the install script.
. "$(dirname "$0")/../lib/check.sh"
cd "$(dirname "$0")/../.."
check "src/core includes no PostgreSQL or glue header" \
  bash -c '! grep -rnE "#include [<\"](postgres|fmgr|executor/|utils/|pg/)" src/core'
check "every src/core translation unit ends its includes with the no-postgres check" \
  bash -c 'for f in src/core/*.cpp; do grep -q "core/no_postgres.hpp" "$f" || exit 1; done'
check "PG_TRY/PG_CATCH appear only in the guard" \
  bash -c '[ "$(grep -rlE "PG_TRY|PG_CATCH" src | sort | tr "\n" " ")" = "src/pg/guard.hpp " ]'
check "PG_FUNCTION_INFO_V1 appears only in the entry wrapper macro" \
  bash -c '[ "$(grep -rl "PG_FUNCTION_INFO_V1" src | tr "\n" " ")" = "src/pg/guard.hpp " ]'
check "ereport(ERROR) is raised only by the entry wrapper, after its catch" \
  bash -c '[ "$(grep -rl "^ *ereport(ERROR" src | tr "\n" " ")" = "src/pg/guard.cpp " ]'
check "no PostgreSQL call that can raise in a catch handler or a destructor, except through pg_cleanup" \
  test -z "$(awk -f test/integration/lib/boundary_check.awk src/pg/*.cpp src/pg/*.hpp)"
awk -f test/integration/lib/boundary_check.awk src/pg/*.cpp src/pg/*.hpp | sed 's/^/#   /'
check "pg_call and pg_cleanup catch C++ exceptions inside PG_TRY (safe by construction)" \
  test "$(grep -c 'PG_TRY();' src/pg/guard.hpp)" = "$(grep -A4 'PG_TRY();' src/pg/guard.hpp | grep -c 'try {')"
symbols=$(grep -ho 'TROVELLA_FUNCTION([a-z_]*)' src/pg/*.cpp | sed -E 's/TROVELLA_FUNCTION\((.*)\)/trovella_migrate_\1/' | sort)
script_symbols=$(grep -ho "'MODULE_PATHNAME', 'trovella_migrate_[a-z_]*'" trovella_migrate.sql | sed -E "s/.*, '(.*)'/\1/" | sort -u)
check "C entry points and the install script agree ($(echo $symbols | wc -w) functions)" test "$symbols" = "$script_symbols"
finish
