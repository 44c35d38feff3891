// Before anything runs: PostgreSQL's own parser (pg_parse_query) reads every statement that apply
// would send, so syntax errors and statements that can never run inside a function (CREATE INDEX
// CONCURRENTLY, VACUUM, embedded COMMIT, COPY FROM STDIN, ...) stop the run before it starts.
#pragma once

#include <string>
#include <vector>

#include "core/database.hpp"
#include "core/statement_check.hpp"

namespace trovella::pg {

// Every SQL statement of every migration with its verdict (core/statement_rules.hpp); the parser's
// own error (with the migration context) for a syntax error.
std::vector<core::CheckedStatement> checked_statements(const std::vector<core::MigrationToCheck>& migrations);

// Throws core::Error(unsupported) listing every refused statement (tag, number, line), or the
// parser's own error (with the migration context) for a syntax error.
void check_statements(const std::vector<core::MigrationToCheck>& migrations);

}  // namespace trovella::pg
