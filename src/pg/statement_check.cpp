#include "pg/statement_check.hpp"

#include <optional>

#include "core/error.hpp"
#include "core/messages.hpp"
#include "pg/guard.hpp"
#include "pg/progress.hpp"


namespace trovella::pg {

namespace {

// An option given as a DefElem, read as PostgreSQL reads it (`(CONCURRENTLY false)` is false);
// `fallback` when it is absent. defGetBoolean may raise for a bad value: callers are in pg_call.
bool boolean_option(List* options, const char* name, bool fallback) {
    ListCell* cell;
    foreach (cell, options) {
        auto* option = static_cast<DefElem*>(lfirst(cell));
        if (option->defname != nullptr && strcmp(option->defname, name) == 0) return defGetBoolean(option);
    }
    return fallback;
}

bool has_option(List* options, const char* name) {
    ListCell* cell;
    foreach (cell, options) {
        auto* option = static_cast<DefElem*>(lfirst(cell));
        if (option->defname != nullptr && strcmp(option->defname, name) == 0) return true;
    }
    return false;
}

bool detaches_concurrently(AlterTableStmt* alter) {
    ListCell* cell;
    foreach (cell, alter->cmds) {
        auto* cmd = static_cast<AlterTableCmd*>(lfirst(cell));
        if (cmd->subtype == AT_DetachPartition && cmd->def != nullptr && IsA(cmd->def, PartitionCmd) &&
            reinterpret_cast<PartitionCmd*>(cmd->def)->concurrent)
            return true;
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
            if (boolean_option(reindex->params, "concurrently", false)) return "REINDEX CONCURRENTLY";
            if (reindex->kind == REINDEX_OBJECT_SYSTEM || reindex->kind == REINDEX_OBJECT_DATABASE)
                return "REINDEX SYSTEM or REINDEX DATABASE";
            return nullptr;
        }
        case T_AlterTableStmt:
            return detaches_concurrently(reinterpret_cast<AlterTableStmt*>(stmt)) ? "ALTER TABLE ... DETACH PARTITION CONCURRENTLY"
                                                                                   : nullptr;
        case T_AlterDatabaseStmt:
            return has_option(reinterpret_cast<AlterDatabaseStmt*>(stmt)->options, "tablespace")
                       ? "ALTER DATABASE ... SET TABLESPACE"
                       : nullptr;
        case T_CreateSubscriptionStmt: {
            // It creates a replication slot unless told not to (create_slot = false, or connect = false).
            List* options = reinterpret_cast<CreateSubscriptionStmt*>(stmt)->options;
            bool connect = boolean_option(options, "connect", true);
            return connect && boolean_option(options, "create_slot", connect) ? "CREATE SUBSCRIPTION (creating a replication slot)"
                                                                              : nullptr;
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

struct Refusal {
    std::string reason;
    int location;  // byte offset of the refused statement in the piece
    int length;    // 0 = to the end
    bool first;    // the first statement of the piece
};

// Refusals for every statement in `sql` (a piece may hold several); parse errors propagate,
// copied into `keep` (the parse memory is reset after each statement).
std::vector<Refusal> refusals_in(const std::string& sql, MemoryContext keep) {
    List* parsed = pg_call([&] { return pg_parse_query(sql.c_str()); }, keep);
    std::vector<Refusal> refusals;
    bool first = true;
    ListCell* cell;
    foreach (cell, parsed) {
        auto* raw = static_cast<RawStmt*>(lfirst(cell));
        if (const char* reason = pg_call([&] { return unsupported_reason(raw->stmt); }, keep))
            refusals.push_back({reason, raw->stmt_location, raw->stmt_len, first});
        first = false;
    }
    return refusals;
}

// Points a syntax error at the statement (as an internal query with its position), not at the
// caller's apply() call.
void point_at_statement(ErrorData* edata, const std::string& sql) {
    if (edata->cursorpos <= 0) return;
    edata->internalquery = pg_call([&] { return pstrdup(sql.c_str()); });
    edata->internalpos = edata->cursorpos;
    edata->cursorpos = 0;
}

// For the whole check: the parser's own NOTICEs ("identifier ... will be truncated") are shown
// once, when the statement runs, not a second time here; and the parse trees go to a memory
// context of their own, reset after each statement. Both undone on every path.
class ParseScope {
public:
    ParseScope() : outer_(CurrentMemoryContext) {
        nest_level_ = pg_call([] {
            int level = NewGUCNestLevel();
            (void)set_config_option("client_min_messages", "warning", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                                    true, 0, false);
            return level;
        });
        try {
            memory_ = pg_call([this] {
                return AllocSetContextCreate(outer_, "trovella_migrate statement check", ALLOCSET_DEFAULT_SIZES);
            });
        } catch (...) {
            int level = nest_level_;
            pg_cleanup([level] { AtEOXact_GUC(false, level); });
            throw;
        }
    }
    ~ParseScope() {
        MemoryContextSwitchTo(outer_);
        MemoryContext memory = memory_;
        int level = nest_level_;
        pg_cleanup([memory, level] {
            MemoryContextDelete(memory);
            AtEOXact_GUC(false, level);
        });
    }
    ParseScope(const ParseScope&) = delete;
    ParseScope& operator=(const ParseScope&) = delete;

    // Parses `sql` in the scope's memory; errors are copied to the caller's context.
    std::vector<Refusal> refusals(const std::string& sql) {
        MemoryContextSwitchTo(memory_);
        std::vector<Refusal> out;
        try {
            out = refusals_in(sql, outer_);
        } catch (...) {
            MemoryContextSwitchTo(outer_);
            throw;
        }
        MemoryContextSwitchTo(outer_);
        MemoryContext memory = memory_;
        pg_call([memory] { MemoryContextReset(memory); });
        return out;
    }

private:
    MemoryContext outer_;
    MemoryContext memory_ = nullptr;
    int nest_level_ = -1;
};

}  // namespace

void check_statements(const std::vector<core::MigrationToCheck>& migrations) {
    if (migrations.empty()) return;
    ParseScope scope;
    std::vector<std::string> refused;
    for (const auto& m : migrations) {
        const auto& statements = *m.statements;
        for (const auto& statement : statements) {
            std::string sql(statement.sql);
            std::string preview = core::statement_preview(statement.sql);
            StatementPosition position{m.entry->tag.c_str(), statement.number, static_cast<int>(statements.size()),
                                       statement.line, preview.c_str()};
            std::vector<Refusal> refusals;
            std::optional<PgError> syntax_error;
            {
                StatementContext context(&position);
                try {
                    refusals = scope.refusals(sql);
                } catch (const PgError& e) {
                    syntax_error = e;  // fixed up below, outside the handler (no PostgreSQL call in a catch)
                }
            }
            if (syntax_error) {
                point_at_statement(syntax_error->edata(), sql);
                throw *syntax_error;
            }
            for (const auto& refusal : refusals) {
                // A piece holding several statements: name the refused one by its own line.
                int line = statement.line;
                std::string shown = preview;
                if (!refusal.first) {
                    std::string_view rest = std::string_view(sql).substr(static_cast<std::size_t>(refusal.location));
                    if (refusal.length > 0) rest = rest.substr(0, static_cast<std::size_t>(refusal.length));
                    line = core::line_of_code(statement, rest.data() - sql.data());
                    shown = core::statement_preview(rest);
                }
                refused.push_back(core::quote_tag(m.entry->tag) + " statement " + std::to_string(statement.number) +
                                  " of " + std::to_string(statements.size()) + " (line " + std::to_string(line) +
                                  "): " + refusal.reason + ": " + shown);
            }
        }
    }
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
