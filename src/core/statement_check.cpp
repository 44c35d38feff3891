#include "core/statement_check.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/messages.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

std::string_view CheckedStatement::sql() const {
    std::string_view piece = statement->sql;
    std::string_view rest = piece.substr(std::min(offset, piece.size()));
    return length > 0 ? rest.substr(0, length) : rest;
}

int CheckedStatement::line() const {
    return first ? statement->line
                 : line_of_code(*statement, static_cast<std::ptrdiff_t>(std::min(offset, statement->sql.size())));
}

std::string CheckedStatement::preview() const { return statement_preview(first ? statement->sql : sql()); }

std::vector<CheckedStatement> checked_list_for(const std::vector<MigrationToCheck>& migrations) {
    std::size_t pieces = 0;
    for (const auto& m : migrations) pieces += m.statements->size();
    std::vector<CheckedStatement> out;
    out.reserve(pieces);
    return out;
}

void drop_if_all_transactional(std::vector<CheckedStatement>& list, std::size_t from) {
    for (std::size_t i = from; i < list.size(); ++i)
        if (list[i].verdict.cls != StatementClass::transactional) return;
    list.resize(from);
}

void add_checked_statements(std::vector<CheckedStatement>& out, const MigrationToCheck& migration,
                            const Statement& piece, const std::vector<StatementFacts>& facts) {
    bool first = true;
    for (const auto& f : facts) {
        check_interrupts();
        CheckedStatement checked;
        checked.entry = migration.entry;
        checked.statement = &piece;
        checked.total = static_cast<int>(migration.statements->size());
        checked.first = first;
        checked.offset = f.location;
        checked.length = f.length;
        checked.node = f.node;
        checked.facts = f;
        checked.verdict = classify(f);
        out.push_back(checked);
        first = false;
    }
}

std::string statement_context(std::string_view tag, int number, int total, int line, std::string_view preview) {
    return "migration \"" + std::string(tag) + "\", statement " + std::to_string(number) + " of " +
           std::to_string(total) + " (line " + std::to_string(line) + "): " + std::string(preview);
}

std::string statement_context(const JournalEntry& entry, const Statement& piece, int total) {
    return statement_context(entry.tag, piece.number, total, piece.line, statement_preview(piece.sql));
}

std::string refusal_line(const CheckedStatement& s) {
    return quote_tag(s.entry->tag) + " statement " + std::to_string(s.statement->number) + " of " +
           std::to_string(s.total) + " (line " + std::to_string(s.line()) +
           "): " + (s.verdict.reason != nullptr ? s.verdict.reason : "") + ": " + s.preview();
}

void refuse_statements(const std::vector<CheckedStatement>& statements, bool (*refused)(StatementClass),
                       const std::string& hint) {
    std::vector<std::string> lines;
    for (const auto& s : statements) {
        check_interrupts();
        if (refused(s.verdict.cls)) lines.push_back(refusal_line(s));
    }
    if (lines.empty()) return;
    throw Error(ErrorKind::unsupported,
                messages::plural(lines.size(), "statement", "statements") +
                    " cannot run inside a migration applied by trovella_migrate: " + lines.front() +
                    (lines.size() > 1 ? " (and " + std::to_string(lines.size() - 1) + " more, see DETAIL)" : ""),
                messages::join(lines, "\n"), hint);
}

namespace {

const char* kNeverRunsHint =
    "No migration can run these: a migration cannot hand its work to two-phase commit, and COPY ... FROM STDIN or TO "
    "STDOUT needs data a migration file does not carry. Nothing was run. Remove them from the migration.";

const char* kOutsideTransactionHint =
    "PostgreSQL refuses these statements inside a function or a transaction block, and apply() (and trovella-migrate "
    "migrate --single-transaction) runs every migration inside one. Nothing was run. trovella-migrate migrate, without "
    "--single-transaction, runs such a migration statement by statement outside a transaction (no migration can run "
    "COPY ... FROM STDIN or TO STDOUT, or two-phase commit); or remove them from the migration.";

}  // namespace

bool runs_outside_transaction(StatementClass cls) {
    return cls == StatementClass::no_transaction_block || cls == StatementClass::transaction_control;
}

bool never_runs(StatementClass cls) {
    return cls == StatementClass::two_phase_commit || cls == StatementClass::copy_protocol;
}

void refuse_unless_transactional(const std::vector<CheckedStatement>& statements) {
    const bool outside = std::any_of(statements.begin(), statements.end(),
                                     [](const CheckedStatement& s) { return runs_outside_transaction(s.verdict.cls); });
    if (outside)
        refuse_statements(statements, [](StatementClass cls) { return cls != StatementClass::transactional; },
                          kOutsideTransactionHint);
    refuse_never_runnable(statements);
}

void refuse_never_runnable(const std::vector<CheckedStatement>& statements) {
    refuse_statements(statements, never_runs, kNeverRunsHint);
}

}  // namespace trovella::core
