#include "pg/statement_check.hpp"

#include <optional>

#include "core/error.hpp"
#include "core/statement_check.hpp"
#include "pg/guard.hpp"
#include "pg/progress.hpp"

namespace trovella::pg {

namespace {

// The node type, as the rule table names it (core::StatementNode: the same names as the tags).
core::StatementNode node_of(const Node* stmt) {
    switch (nodeTag(stmt)) {
        // clang-format off
#define TROVELLA_RULE_NODE_CASE(name) case T_##name: return core::StatementNode::name;
        TROVELLA_RULE_NODES(TROVELLA_RULE_NODE_CASE)
#undef TROVELLA_RULE_NODE_CASE
        default: return core::StatementNode::other;
            // clang-format on
    }
}

// Enum values by their names in PostgreSQL's headers (libpg_query's JSON writes the same).
#define TROVELLA_ENUM_NAME(value) \
    case value:                   \
        return #value;

const char* transaction_kind(TransactionStmtKind kind) {
    switch (kind) {
        TROVELLA_ENUM_NAME(TRANS_STMT_BEGIN)
        TROVELLA_ENUM_NAME(TRANS_STMT_START)
        TROVELLA_ENUM_NAME(TRANS_STMT_COMMIT)
        TROVELLA_ENUM_NAME(TRANS_STMT_ROLLBACK)
        TROVELLA_ENUM_NAME(TRANS_STMT_SAVEPOINT)
        TROVELLA_ENUM_NAME(TRANS_STMT_RELEASE)
        TROVELLA_ENUM_NAME(TRANS_STMT_ROLLBACK_TO)
        TROVELLA_ENUM_NAME(TRANS_STMT_PREPARE)
        TROVELLA_ENUM_NAME(TRANS_STMT_COMMIT_PREPARED)
        TROVELLA_ENUM_NAME(TRANS_STMT_ROLLBACK_PREPARED)
    }
    return "";
}

const char* reindex_kind(ReindexObjectType kind) {
    switch (kind) {
        TROVELLA_ENUM_NAME(REINDEX_OBJECT_INDEX)
        TROVELLA_ENUM_NAME(REINDEX_OBJECT_TABLE)
        TROVELLA_ENUM_NAME(REINDEX_OBJECT_SCHEMA)
        TROVELLA_ENUM_NAME(REINDEX_OBJECT_SYSTEM)
        TROVELLA_ENUM_NAME(REINDEX_OBJECT_DATABASE)
    }
    return "";
}

const char* discard_target(DiscardMode target) {
    switch (target) {
        TROVELLA_ENUM_NAME(DISCARD_ALL)
        TROVELLA_ENUM_NAME(DISCARD_PLANS)
        TROVELLA_ENUM_NAME(DISCARD_SEQUENCES)
        TROVELLA_ENUM_NAME(DISCARD_TEMP)
    }
    return "";
}

#undef TROVELLA_ENUM_NAME

bool named(const DefElem* option, const char* name) {
    return option->defname != nullptr && strcmp(option->defname, name) == 0;
}

// An option read as PostgreSQL reads it (defGetBoolean: `(CONCURRENTLY false)` is false, no value
// is true). defGetBoolean raises for a value that is not a Boolean: the error is copied to `keep`.
bool boolean_option(DefElem* option, MemoryContext keep) {
    return pg_call([option] { return defGetBoolean(option); }, keep);
}

bool has_option(List* options, const char* name) {
    ListCell* cell;
    foreach (cell, options)
        if (named(static_cast<DefElem*>(lfirst(cell)), name)) return true;
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

// What the rule table reads of one parsed statement.
core::StatementFacts facts_of(const RawStmt* raw, MemoryContext keep) {
    core::StatementFacts facts;
    Node* stmt = raw->stmt;
    facts.node = node_of(stmt);
    facts.location = raw->stmt_location > 0 ? static_cast<std::size_t>(raw->stmt_location) : 0;
    facts.length = raw->stmt_len > 0 ? static_cast<std::size_t>(raw->stmt_len) : 0;
    ListCell* cell;
    switch (nodeTag(stmt)) {
        case T_TransactionStmt:
            facts.kind = transaction_kind(reinterpret_cast<TransactionStmt*>(stmt)->kind);
            break;
        case T_CopyStmt: {
            auto* copy = reinterpret_cast<CopyStmt*>(stmt);
            facts.copy_from = copy->is_from;
            facts.copy_file = copy->filename != nullptr;
            break;
        }
        case T_VacuumStmt:
            facts.vacuum = reinterpret_cast<VacuumStmt*>(stmt)->is_vacuumcmd;
            break;
        case T_IndexStmt: {
            auto* index = reinterpret_cast<IndexStmt*>(stmt);
            facts.concurrent = index->concurrent;
            facts.if_not_exists = index->if_not_exists;
            if (index->idxname != nullptr) facts.index_name = index->idxname;
            if (index->relation != nullptr) {
                if (index->relation->schemaname != nullptr) facts.relation_schema = index->relation->schemaname;
                if (index->relation->relname != nullptr) facts.relation_name = index->relation->relname;
            }
            break;
        }
        case T_DropStmt:
            facts.concurrent = reinterpret_cast<DropStmt*>(stmt)->concurrent;
            break;
        case T_ReindexStmt: {
            auto* reindex = reinterpret_cast<ReindexStmt*>(stmt);
            facts.kind = reindex_kind(reindex->kind);
            foreach (cell, reindex->params) {  // every one read, the last one wins (ExecReindex)
                auto* option = static_cast<DefElem*>(lfirst(cell));
                if (named(option, "concurrently")) facts.concurrent = boolean_option(option, keep);
            }
            break;
        }
        case T_AlterTableStmt:
            facts.concurrent = detaches_concurrently(reinterpret_cast<AlterTableStmt*>(stmt));
            break;
        case T_AlterDatabaseStmt:
            facts.tablespace = has_option(reinterpret_cast<AlterDatabaseStmt*>(stmt)->options, "tablespace");
            break;
        case T_CreateSubscriptionStmt:
            foreach (
                cell,
                reinterpret_cast<CreateSubscriptionStmt*>(stmt)->options) {  // in order, as parse_subscription_options
                auto* option = static_cast<DefElem*>(lfirst(cell));
                if (named(option, "connect")) facts.connect = boolean_option(option, keep);
                if (named(option, "create_slot")) facts.create_slot = boolean_option(option, keep);
            }
            break;
        case T_ClusterStmt:
            facts.has_relation = reinterpret_cast<ClusterStmt*>(stmt)->relation != nullptr;
            break;
        case T_DiscardStmt:
            facts.kind = discard_target(reinterpret_cast<DiscardStmt*>(stmt)->target);
            break;
        default:
            break;
    }
    return facts;
}

// The facts of every statement in `sql` (a piece may hold several); parse errors propagate,
// copied into `keep` (the parse memory is reset after each piece).
std::vector<core::StatementFacts> facts_in(const std::string& sql, MemoryContext keep) {
    List* parsed = pg_call([&] { return pg_parse_query(sql.c_str()); }, keep);
    std::vector<core::StatementFacts> facts;
    ListCell* cell;
    foreach (cell, parsed) facts.push_back(facts_of(static_cast<RawStmt*>(lfirst(cell)), keep));
    return facts;
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
            (void)set_config_option("client_min_messages", "warning", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
                                    0, false);
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
    std::vector<core::StatementFacts> facts(const std::string& sql) {
        MemoryContextSwitchTo(memory_);
        std::vector<core::StatementFacts> out;
        try {
            out = facts_in(sql, outer_);
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

std::vector<core::CheckedStatement> checked_statements(const std::vector<core::MigrationToCheck>& migrations) {
    std::vector<core::CheckedStatement> checked;
    if (migrations.empty()) return checked;
    ParseScope scope;
    for (const auto& m : migrations) {
        const auto& statements = *m.statements;
        const std::size_t first_of_migration = checked.size();
        for (const auto& statement : statements) {
            std::string sql(statement.sql);
            StatementPosition position{m.entry->tag, statement.number, static_cast<int>(statements.size()),
                                       statement.line, statement.sql};
            std::vector<core::StatementFacts> facts;
            std::optional<PgError> syntax_error;
            {
                StatementContext context(&position);
                try {
                    facts = scope.facts(sql);
                } catch (const PgError& e) {
                    syntax_error = e;  // fixed up below, outside the handler (no PostgreSQL call in a catch)
                }
            }
            if (syntax_error) {
                point_at_statement(syntax_error->edata(), sql);
                throw *syntax_error;
            }
            core::add_checked_statements(checked, m, statement, facts);
        }
        core::drop_if_all_transactional(checked, first_of_migration);
    }
    return checked;
}

void check_statements(const std::vector<core::MigrationToCheck>& migrations) {
    core::refuse_unless_transactional(checked_statements(migrations));
}

}  // namespace trovella::pg
