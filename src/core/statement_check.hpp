// The parser-neutral half of the check that runs before any statement does: every SQL statement
// of every migration to apply, as a parser found it (core/statement_rules.hpp), with where it is
// and what messages call it; and the words of every message about it, so that both engines say
// exactly the same thing. The parsing half is in each engine: src/pg/statement_check (the
// server's pg_parse_query) and src/client/statement_check (libpg_query).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/journal.hpp"
#include "core/splitter.hpp"
#include "core/statement_rules.hpp"

namespace trovella::core {

// A migration whose statements the database checks before anything runs.
struct MigrationToCheck {
    const JournalEntry* entry = nullptr;
    const std::vector<Statement>* statements = nullptr;
};

// One SQL statement of a migration. A statement sent (the piece between two breakpoints, which
// messages number "statement i of n") may hold several SQL statements (`A; B;`): each has its own
// CheckedStatement, named by its own line.
struct CheckedStatement {
    const JournalEntry* entry = nullptr;
    const Statement* statement = nullptr;  // the piece holding it
    int total = 0;                         // the migration's pieces
    bool first = false;                    // the first SQL statement of its piece
    std::size_t offset = 0;                // its bytes in the piece: [offset, offset + length),
    std::size_t length = 0;                // from RawStmt.stmt_location (comments before it included)
    StatementNode node = StatementNode::other;
    StatementFacts facts;  // what the parser found (the index a CREATE INDEX builds, ...)
    Verdict verdict;

    // Its text in the piece (without the semicolon that ends it).
    std::string_view sql() const;
    // Its line in the file: the piece's line for the first SQL statement, else the line of its
    // first byte that is neither whitespace nor comment.
    int line() const;
    // Its start, as messages show it: the piece's for the first SQL statement, else its own.
    std::string preview() const;
};

// An empty list with room for one SQL statement per piece of `migrations`, the usual case (growing
// it a doubling at a time touched twice the memory).
std::vector<CheckedStatement> checked_list_for(const std::vector<MigrationToCheck>& migrations);

// Drops what `list` holds from `from` on (one migration's statements) when every one of them runs
// in a transaction: a run reads nothing else of such a migration (core/run.hpp, prepare()). The
// extension keeps only the others, so that the check of a long history holds no record per
// statement (a third of the page faults of apply() on 500 migrations of 20 INSERTs).
void drop_if_all_transactional(std::vector<CheckedStatement>& list, std::size_t from);

// Appends the SQL statements of `piece`, a statement of `migration`, from what a parser found in
// the text piece.sql, in order.
void add_checked_statements(std::vector<CheckedStatement>& out, const MigrationToCheck& migration,
                            const Statement& piece, const std::vector<StatementFacts>& facts);

// The CONTEXT line of an error raised by a statement of a migration, as it is checked or run:
//   migration "<tag>", statement <i> of <n> (line <L>): <preview>
std::string statement_context(std::string_view tag, int number, int total, int line, std::string_view preview);
// The same for a piece as a whole (its line, its preview): what a syntax error in it says.
std::string statement_context(const JournalEntry& entry, const Statement& piece, int total);

// One line of the refusal: "<tag>" statement <i> of <n> (line <L>): <reason>: <preview>
std::string refusal_line(const CheckedStatement& statement);

// Throws Error(unsupported) naming every statement of `statements` whose class `refused` says
// (each on a line of DETAIL, the first in the message), with `hint`; returns when there is none.
void refuse_statements(const std::vector<CheckedStatement>& statements, bool (*refused)(StatementClass),
                       const std::string& hint);

// Where a migration runs inside a transaction (apply(), migrate --single-transaction): throws
// Error(unsupported) naming every statement that cannot run inside one (each on a line of DETAIL),
// with a hint naming the client's way through; returns when there is none.
void refuse_unless_transactional(const std::vector<CheckedStatement>& statements);
// Where a migration may run outside a transaction (the client): refuses only what no migration
// can run (two-phase commit, COPY ... FROM STDIN / TO STDOUT).
void refuse_never_runnable(const std::vector<CheckedStatement>& statements);

// The classes of statements that make a migration run outside a transaction (statement by
// statement, by the client), and those no migration can run.
bool runs_outside_transaction(StatementClass cls);
bool never_runs(StatementClass cls);

}  // namespace trovella::core
