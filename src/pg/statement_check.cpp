#include "pg/statement_check.hpp"

#include "core/error.hpp"
#include "core/messages.hpp"
#include "pg/guard.hpp"
#include "pg/progress.hpp"

extern "C" {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wregister"
#include "utils/guc.h"
#pragma GCC diagnostic pop
}

namespace trovella::pg {

namespace {

bool has_concurrently_option(List* params) {
    ListCell* cell;
    foreach (cell, params) {
        auto* option = static_cast<DefElem*>(lfirst(cell));
        if (option->defname != nullptr && strcmp(option->defname, "concurrently") == 0) return true;
    }
    return false;
}

// Statements PostgreSQL refuses inside a function or a transaction block, or that SPI returns as
// an error code instead of running.
const char* unsupported_reason(Node* stmt) {
    switch (nodeTag(stmt)) {
        case T_TransactionStmt:
            return "a transaction control statement (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...)";
        case T_CopyStmt: {
            auto* copy = reinterpret_cast<CopyStmt*>(stmt);
            if (copy->filename == nullptr) return copy->is_from ? "COPY ... FROM STDIN" : "COPY ... TO STDOUT";
            return nullptr;
        }
        case T_VacuumStmt:
            return reinterpret_cast<VacuumStmt*>(stmt)->is_vacuumcmd ? "VACUUM" : nullptr;
        case T_IndexStmt:
            return reinterpret_cast<IndexStmt*>(stmt)->concurrent ? "CREATE INDEX CONCURRENTLY" : nullptr;
        case T_DropStmt:
            return reinterpret_cast<DropStmt*>(stmt)->concurrent ? "DROP INDEX CONCURRENTLY" : nullptr;
        case T_ReindexStmt: {
            auto* reindex = reinterpret_cast<ReindexStmt*>(stmt);
            if (has_concurrently_option(reindex->params)) return "REINDEX CONCURRENTLY";
            if (reindex->kind == REINDEX_OBJECT_SYSTEM || reindex->kind == REINDEX_OBJECT_DATABASE)
                return "REINDEX SYSTEM or REINDEX DATABASE";
            return nullptr;
        }
        case T_CreatedbStmt: return "CREATE DATABASE";
        case T_DropdbStmt: return "DROP DATABASE";
        case T_AlterSystemStmt: return "ALTER SYSTEM";
        case T_CreateTableSpaceStmt: return "CREATE TABLESPACE";
        case T_DropTableSpaceStmt: return "DROP TABLESPACE";
        case T_ClusterStmt:
            return reinterpret_cast<ClusterStmt*>(stmt)->relation == nullptr ? "CLUSTER without a table name" : nullptr;
        case T_DiscardStmt:
            return reinterpret_cast<DiscardStmt*>(stmt)->target == DISCARD_ALL ? "DISCARD ALL" : nullptr;
        default:
            return nullptr;
    }
}

// Reasons for every statement in `sql` (a piece may hold several); parse errors propagate.
std::vector<std::string> reasons_in(const std::string& sql) {
    List* parsed = pg_call([&] { return pg_parse_query(sql.c_str()); });
    std::vector<std::string> reasons;
    ListCell* cell;
    foreach (cell, parsed) {
        auto* raw = static_cast<RawStmt*>(lfirst(cell));
        if (const char* reason = unsupported_reason(raw->stmt)) reasons.emplace_back(reason);
    }
    return reasons;
}

}  // namespace

std::string unsupported_reason_of(const std::string& sql) {
    auto reasons = reasons_in(sql);
    return reasons.empty() ? std::string() : reasons.front();
}

void check_statements(const std::vector<MigrationToCheck>& migrations) {
    if (migrations.empty()) return;
    // The parser's own NOTICEs ("identifier ... will be truncated") are shown once, when the
    // statement runs, not a second time for this check.
    int nest_level = pg_call([] {
        int level = NewGUCNestLevel();
        (void)set_config_option("client_min_messages", "warning", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                                false);
        return level;
    });
    MemoryContext parse_context = pg_call([] {
        return AllocSetContextCreate(CurrentMemoryContext, "trovella_migrate statement check", ALLOCSET_DEFAULT_SIZES);
    });
    std::vector<std::string> refused;
    std::vector<std::string> kinds;
    for (const auto& m : migrations) {
        const auto& statements = *m.statements;
        for (const auto& statement : statements) {
            std::string sql(statement.sql);
            std::string preview = core::statement_preview(statement.sql);
            StatementPosition position{m.entry->tag.c_str(), statement.number, static_cast<int>(statements.size()),
                                       statement.line, preview.c_str()};
            std::vector<std::string> reasons;
            {
                StatementContext context(&position);
                MemoryContext previous = MemoryContextSwitchTo(parse_context);
                try {
                    reasons = reasons_in(sql);
                } catch (const PgError& e) {
                    MemoryContextSwitchTo(previous);
                    // Point the error at the statement, not at the caller's apply() call.
                    ErrorData* edata = e.edata();
                    if (edata->cursorpos > 0) {
                        edata->internalpos = edata->cursorpos;
                        edata->internalquery = pstrdup(sql.c_str());
                        edata->cursorpos = 0;
                    }
                    throw;
                }
                MemoryContextSwitchTo(previous);
                pg_call([&] { MemoryContextReset(parse_context); });
            }
            for (const auto& reason : reasons) {
                refused.push_back(core::quote_tag(m.entry->tag) + " statement " + std::to_string(statement.number) +
                                  " of " + std::to_string(statements.size()) + " (line " +
                                  std::to_string(statement.line) + "): " + reason + ": " + preview);
                kinds.push_back(reason);
            }
        }
    }
    pg_call([&] {
        MemoryContextDelete(parse_context);
        AtEOXact_GUC(true, nest_level);
    });
    if (refused.empty()) return;
    throw core::Error(
        core::ErrorKind::unsupported,
        core::messages::plural(refused.size(), "statement", "statements") +
            " cannot run inside a migration applied by trovella_migrate: " + refused.front() +
            (refused.size() > 1 ? " (and " + std::to_string(refused.size() - 1) + " more, see DETAIL)" : ""),
        core::messages::join(refused, "\n"),
        "PostgreSQL refuses these statements inside a function or a transaction block, and apply runs every "
        "migration inside one. Nothing was run. Remove them from the migration (drop CONCURRENTLY, or drop the "
        "embedded BEGIN/COMMIT: the migration already runs in a transaction), or run them separately with psql "
        "after apply.");
}

}  // namespace trovella::pg
