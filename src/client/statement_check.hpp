// The client engine's half of the check that runs before any statement does: PostgreSQL 15's own
// parser as a library (libpg_query) reads every statement, this file reads the facts the rule
// table needs from its JSON tree (core/statement_rules.hpp), and the core decides and words the
// refusal, so the client refuses exactly what the extension refuses (src/pg/statement_check),
// with the same error (test/integration/parser_agreement.sh compares the two).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "core/database.hpp"
#include "core/statement_check.hpp"

namespace trovella::client {

// What the parser rejects, as the server reports it: SQLSTATE, message, DETAIL and HINT.
class ParseError : public std::runtime_error {
public:
    ParseError(std::string sqlstate, const std::string& message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(message),
          sqlstate_(std::move(sqlstate)),
          detail_(std::move(detail)),
          hint_(std::move(hint)) {}
    const std::string& sqlstate() const noexcept { return sqlstate_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    std::string sqlstate_;
    std::string detail_;
    std::string hint_;
};

// The facts of every SQL statement of `sql`, in order (a piece may hold several; none when it
// holds only comments and semicolons). Throws ParseError.
std::vector<core::StatementFacts> parse_statements(const std::string& sql);

// Every SQL statement of every migration, with its verdict. A syntax error throws Failure as the
// server raises it (severity ERROR, SQLSTATE, message) with the extension's CONTEXT line.
std::vector<core::CheckedStatement> checked_statements(const std::vector<core::MigrationToCheck>& migrations);

// core::Database::check_statements for the client engine: a syntax error throws Failure as
// above (the position of a syntax error is not given: the CONTEXT line names the statement); statements that cannot run
// inside a migration's transaction throw the extension's own core::Error (unsupported, 0A000), with the same message,
// DETAIL and HINT.
void check_statements(const std::vector<core::MigrationToCheck>& migrations);

}  // namespace trovella::client
