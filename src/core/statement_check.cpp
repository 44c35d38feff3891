#include "core/statement_check.hpp"

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

void refuse_unless_transactional(const std::vector<CheckedStatement>& statements) {
    refuse_statements(
        statements, [](StatementClass cls) { return cls != StatementClass::transactional; },
        "PostgreSQL refuses these statements inside a function or a transaction block, and apply runs every "
        "migration inside one. Nothing was run. Remove them from the migration (drop CONCURRENTLY, or drop the "
        "embedded BEGIN/COMMIT: the migration already runs in a transaction), or run them separately with psql "
        "after apply.");
}

}  // namespace trovella::core
