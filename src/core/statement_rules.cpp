#include "core/statement_rules.hpp"

#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {

using N = StatementNode;
using C = StatementClass;

const char* const kTransactionControl = "a transaction control statement (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...)";

TransactionControl control_of(const std::string& kind) {
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") return TransactionControl::begin;
    if (kind == "TRANS_STMT_COMMIT") return TransactionControl::commit;
    if (kind == "TRANS_STMT_ROLLBACK") return TransactionControl::rollback;
    if (kind == "TRANS_STMT_SAVEPOINT" || kind == "TRANS_STMT_RELEASE" || kind == "TRANS_STMT_ROLLBACK_TO")
        return TransactionControl::savepoint;
    if (kind == "TRANS_STMT_PREPARE") return TransactionControl::prepare;
    if (kind == "TRANS_STMT_COMMIT_PREPARED" || kind == "TRANS_STMT_ROLLBACK_PREPARED")
        return TransactionControl::commit_prepared;
    return TransactionControl::none;
}

bool always(const StatementFacts&) { return true; }
bool two_phase(const StatementFacts& f) {
    TransactionControl c = control_of(f.kind);
    return c == TransactionControl::prepare || c == TransactionControl::commit_prepared;
}
bool from_stdin(const StatementFacts& f) { return !f.copy_file && f.copy_from; }
bool to_stdout(const StatementFacts& f) { return !f.copy_file && !f.copy_from; }
bool vacuum(const StatementFacts& f) { return f.vacuum; }
bool concurrent(const StatementFacts& f) { return f.concurrent; }
bool whole_schema(const StatementFacts& f) { return f.kind == "REINDEX_OBJECT_SCHEMA"; }
bool whole_system_or_database(const StatementFacts& f) {
    return f.kind == "REINDEX_OBJECT_SYSTEM" || f.kind == "REINDEX_OBJECT_DATABASE";
}
bool sets_tablespace(const StatementFacts& f) { return f.tablespace; }
// CreateSubscription creates a replication slot unless told not to: connect = false implies
// create_slot = false (parse_subscription_options).
bool creates_slot(const StatementFacts& f) {
    bool connect = f.connect.value_or(true);
    return connect && f.create_slot.value_or(connect);
}
bool without_table(const StatementFacts& f) { return !f.has_relation; }
bool discard_all(const StatementFacts& f) { return f.kind == "DISCARD_ALL"; }

}  // namespace

const char* node_name(StatementNode node) {
    switch (node) {
        // clang-format off
        case N::other: return "other";
#define TROVELLA_RULE_NODE_NAME(name) case N::name: return #name;
        TROVELLA_RULE_NODES(TROVELLA_RULE_NODE_NAME)
#undef TROVELLA_RULE_NODE_NAME
            // clang-format on
    }
    return "other";
}

StatementNode node_named(std::string_view name) {
#define TROVELLA_RULE_NODE_MATCH(node) \
    if (name == #node) return N::node;
    TROVELLA_RULE_NODES(TROVELLA_RULE_NODE_MATCH)
#undef TROVELLA_RULE_NODE_MATCH
    return N::other;
}

const char* class_name(StatementClass cls) {
    switch (cls) {
        case C::transactional:
            return "transactional";
        case C::no_transaction_block:
            return "no_transaction_block";
        case C::transaction_control:
            return "transaction_control";
        case C::two_phase_commit:
            return "two_phase_commit";
        case C::copy_protocol:
            return "copy_protocol";
    }
    return "transactional";
}

// Every statement that PostgreSQL 15 refuses inside a transaction block or a function
// (PreventInTransactionBlock), or that SPI refuses to run (transaction control, COPY to or from
// the client). The reasons are the texts the extension has always shown.
const std::vector<StatementRule>& statement_rules() {
    static const std::vector<StatementRule> rules = {
        {N::TransactionStmt, two_phase, C::two_phase_commit, kTransactionControl},
        {N::TransactionStmt, always, C::transaction_control, kTransactionControl},
        {N::CopyStmt, from_stdin, C::copy_protocol, "COPY ... FROM STDIN"},
        {N::CopyStmt, to_stdout, C::copy_protocol, "COPY ... TO STDOUT"},
        {N::VacuumStmt, vacuum, C::no_transaction_block, "VACUUM"},
        {N::IndexStmt, concurrent, C::no_transaction_block, "CREATE INDEX CONCURRENTLY"},
        {N::DropStmt, concurrent, C::no_transaction_block, "DROP INDEX CONCURRENTLY"},
        {N::ReindexStmt, concurrent, C::no_transaction_block, "REINDEX CONCURRENTLY"},
        {N::ReindexStmt, whole_schema, C::no_transaction_block, "REINDEX SCHEMA"},
        {N::ReindexStmt, whole_system_or_database, C::no_transaction_block, "REINDEX SYSTEM or REINDEX DATABASE"},
        {N::AlterTableStmt, concurrent, C::no_transaction_block, "ALTER TABLE ... DETACH PARTITION CONCURRENTLY"},
        {N::AlterDatabaseStmt, sets_tablespace, C::no_transaction_block, "ALTER DATABASE ... SET TABLESPACE"},
        {N::CreateSubscriptionStmt, creates_slot, C::no_transaction_block,
         "CREATE SUBSCRIPTION (creating a replication slot)"},
        {N::CreatedbStmt, always, C::no_transaction_block, "CREATE DATABASE"},
        {N::DropdbStmt, always, C::no_transaction_block, "DROP DATABASE"},
        {N::AlterSystemStmt, always, C::no_transaction_block, "ALTER SYSTEM"},
        {N::CreateTableSpaceStmt, always, C::no_transaction_block, "CREATE TABLESPACE"},
        {N::DropTableSpaceStmt, always, C::no_transaction_block, "DROP TABLESPACE"},
        {N::ClusterStmt, without_table, C::no_transaction_block, "CLUSTER without a table name"},
        {N::DiscardStmt, discard_all, C::no_transaction_block, "DISCARD ALL"},
    };
    return rules;
}

Verdict classify(const StatementFacts& facts) {
    Verdict verdict;
    if (facts.node == N::TransactionStmt) verdict.control = control_of(facts.kind);
    for (const auto& rule : statement_rules()) {
        if (rule.node != facts.node || !rule.applies(facts)) continue;
        verdict.cls = rule.cls;
        verdict.reason = rule.reason;
        break;
    }
    return verdict;
}

}  // namespace trovella::core
