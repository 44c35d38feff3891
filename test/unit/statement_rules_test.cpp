// The rule table (core/statement_rules): for every statement a parser found, its class and the
// reason messages give, as PostgreSQL 15 decides what cannot run inside a transaction block.
#include "core/statement_rules.hpp"

#include <set>
#include <string>

#include "core_test_support.hpp"

namespace trovella::core {
namespace {

using N = StatementNode;
using C = StatementClass;

StatementFacts facts(StatementNode node) {
    StatementFacts f;
    f.node = node;
    return f;
}
StatementFacts with_kind(StatementNode node, const char* kind) {
    StatementFacts f = facts(node);
    f.kind = kind;
    return f;
}
StatementFacts concurrent(StatementNode node) {
    StatementFacts f = facts(node);
    f.concurrent = true;
    return f;
}
StatementFacts subscription(std::optional<bool> connect, std::optional<bool> create_slot) {
    StatementFacts f = facts(N::CreateSubscriptionStmt);
    f.connect = connect;
    f.create_slot = create_slot;
    return f;
}

const char* const kTransactionControl = "a transaction control statement (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...)";

struct Expected {
    const char* what;
    StatementFacts facts;
    StatementClass cls;
    const char* reason;  // nullptr: transactional
};

// One positive example for every row of the table, with the reason the extension has always
// shown; and its negative twins.
std::vector<Expected> examples() {
    StatementFacts vacuum = facts(N::VacuumStmt);
    vacuum.vacuum = true;
    StatementFacts copy_from = facts(N::CopyStmt);
    copy_from.copy_from = true;
    StatementFacts copy_from_file = copy_from;
    copy_from_file.copy_file = true;
    StatementFacts copy_to_file = facts(N::CopyStmt);
    copy_to_file.copy_file = true;
    StatementFacts tablespace = facts(N::AlterDatabaseStmt);
    tablespace.tablespace = true;
    StatementFacts cluster_table = facts(N::ClusterStmt);
    cluster_table.has_relation = true;
    StatementFacts reindex_false = with_kind(N::ReindexStmt, "REINDEX_OBJECT_TABLE");
    StatementFacts reindex_true = reindex_false;
    reindex_true.concurrent = true;
    return {
        {"PREPARE TRANSACTION", with_kind(N::TransactionStmt, "TRANS_STMT_PREPARE"), C::two_phase_commit,
         kTransactionControl},
        {"COMMIT PREPARED", with_kind(N::TransactionStmt, "TRANS_STMT_COMMIT_PREPARED"), C::two_phase_commit,
         kTransactionControl},
        {"ROLLBACK PREPARED", with_kind(N::TransactionStmt, "TRANS_STMT_ROLLBACK_PREPARED"), C::two_phase_commit,
         kTransactionControl},
        {"COMMIT", with_kind(N::TransactionStmt, "TRANS_STMT_COMMIT"), C::transaction_control, kTransactionControl},
        {"COPY FROM STDIN", copy_from, C::copy_protocol, "COPY ... FROM STDIN"},
        {"COPY TO STDOUT", facts(N::CopyStmt), C::copy_protocol, "COPY ... TO STDOUT"},
        {"COPY FROM a file", copy_from_file, C::transactional, nullptr},
        {"COPY TO a file or program", copy_to_file, C::transactional, nullptr},
        {"VACUUM", vacuum, C::no_transaction_block, "VACUUM"},
        {"ANALYZE", facts(N::VacuumStmt), C::transactional, nullptr},
        {"CREATE INDEX CONCURRENTLY", concurrent(N::IndexStmt), C::no_transaction_block, "CREATE INDEX CONCURRENTLY"},
        {"CREATE INDEX", facts(N::IndexStmt), C::transactional, nullptr},
        {"DROP INDEX CONCURRENTLY", concurrent(N::DropStmt), C::no_transaction_block, "DROP INDEX CONCURRENTLY"},
        {"DROP INDEX", facts(N::DropStmt), C::transactional, nullptr},
        {"REINDEX CONCURRENTLY", reindex_true, C::no_transaction_block, "REINDEX CONCURRENTLY"},
        {"REINDEX (CONCURRENTLY false)", reindex_false, C::transactional, nullptr},
        {"REINDEX SYSTEM", with_kind(N::ReindexStmt, "REINDEX_OBJECT_SYSTEM"), C::no_transaction_block,
         "REINDEX SYSTEM or REINDEX DATABASE"},
        {"REINDEX DATABASE", with_kind(N::ReindexStmt, "REINDEX_OBJECT_DATABASE"), C::no_transaction_block,
         "REINDEX SYSTEM or REINDEX DATABASE"},
        {"REINDEX SCHEMA", with_kind(N::ReindexStmt, "REINDEX_OBJECT_SCHEMA"), C::no_transaction_block,
         "REINDEX SCHEMA"},
        {"REINDEX INDEX", with_kind(N::ReindexStmt, "REINDEX_OBJECT_INDEX"), C::transactional, nullptr},
        {"DETACH PARTITION CONCURRENTLY", concurrent(N::AlterTableStmt), C::no_transaction_block,
         "ALTER TABLE ... DETACH PARTITION CONCURRENTLY"},
        {"ALTER TABLE", facts(N::AlterTableStmt), C::transactional, nullptr},
        {"ALTER DATABASE SET TABLESPACE", tablespace, C::no_transaction_block, "ALTER DATABASE ... SET TABLESPACE"},
        {"ALTER DATABASE WITH ALLOW_CONNECTIONS", facts(N::AlterDatabaseStmt), C::transactional, nullptr},
        {"CREATE SUBSCRIPTION", subscription({}, {}), C::no_transaction_block,
         "CREATE SUBSCRIPTION (creating a replication slot)"},
        {"CREATE SUBSCRIPTION (connect, create_slot)", subscription(true, true), C::no_transaction_block,
         "CREATE SUBSCRIPTION (creating a replication slot)"},
        {"CREATE SUBSCRIPTION (connect = false)", subscription(false, {}), C::transactional, nullptr},
        {"CREATE SUBSCRIPTION (create_slot = false)", subscription({}, false), C::transactional, nullptr},
        {"CREATE SUBSCRIPTION (connect = false, create_slot = true)", subscription(false, true), C::transactional,
         nullptr},
        {"CREATE DATABASE", facts(N::CreatedbStmt), C::no_transaction_block, "CREATE DATABASE"},
        {"DROP DATABASE", facts(N::DropdbStmt), C::no_transaction_block, "DROP DATABASE"},
        {"ALTER SYSTEM", facts(N::AlterSystemStmt), C::no_transaction_block, "ALTER SYSTEM"},
        {"CREATE TABLESPACE", facts(N::CreateTableSpaceStmt), C::no_transaction_block, "CREATE TABLESPACE"},
        {"DROP TABLESPACE", facts(N::DropTableSpaceStmt), C::no_transaction_block, "DROP TABLESPACE"},
        {"CLUSTER", facts(N::ClusterStmt), C::no_transaction_block, "CLUSTER without a table name"},
        {"CLUSTER t", cluster_table, C::transactional, nullptr},
        {"DISCARD ALL", with_kind(N::DiscardStmt, "DISCARD_ALL"), C::no_transaction_block, "DISCARD ALL"},
        {"DISCARD PLANS", with_kind(N::DiscardStmt, "DISCARD_PLANS"), C::transactional, nullptr},
        {"SELECT (a node no rule reads)", facts(N::other), C::transactional, nullptr},
        {"a node no rule reads, whatever its flags",
         [] {
             StatementFacts f = concurrent(N::other);
             f.vacuum = true;
             return f;
         }(),
         C::transactional, nullptr},
    };
}

TEST(StatementRules, EveryExampleGetsItsClassAndReason) {
    for (const auto& e : examples()) {
        Verdict v = classify(e.facts);
        EXPECT_EQ(v.cls, e.cls) << e.what << ": " << class_name(v.cls);
        if (e.reason == nullptr)
            EXPECT_EQ(v.reason, nullptr) << e.what << ": " << v.reason;
        else
            EXPECT_STREQ(v.reason, e.reason) << e.what;
    }
}

TEST(StatementRules, EveryRowOfTheTableHasAnExample) {
    std::set<const StatementRule*> used;
    for (const auto& e : examples()) {
        for (const auto& rule : statement_rules()) {
            if (rule.node == e.facts.node && rule.applies(e.facts)) {
                used.insert(&rule);
                break;
            }
        }
    }
    EXPECT_EQ(used.size(), statement_rules().size());
}

TEST(StatementRules, TransactionControlSaysWhatEachStatementDoes) {
    struct Case {
        const char* kind;
        StatementClass cls;
        TransactionControl control;
    } cases[] = {
        {"TRANS_STMT_BEGIN", C::transaction_control, TransactionControl::begin},
        {"TRANS_STMT_START", C::transaction_control, TransactionControl::begin},
        {"TRANS_STMT_COMMIT", C::transaction_control, TransactionControl::commit},
        {"TRANS_STMT_ROLLBACK", C::transaction_control, TransactionControl::rollback},
        {"TRANS_STMT_SAVEPOINT", C::transaction_control, TransactionControl::savepoint},
        {"TRANS_STMT_RELEASE", C::transaction_control, TransactionControl::savepoint},
        {"TRANS_STMT_ROLLBACK_TO", C::transaction_control, TransactionControl::savepoint},
        {"TRANS_STMT_PREPARE", C::two_phase_commit, TransactionControl::prepare},
        {"TRANS_STMT_COMMIT_PREPARED", C::two_phase_commit, TransactionControl::commit_prepared},
        {"TRANS_STMT_ROLLBACK_PREPARED", C::two_phase_commit, TransactionControl::commit_prepared},
    };
    for (const auto& c : cases) {
        Verdict v = classify(with_kind(N::TransactionStmt, c.kind));
        EXPECT_EQ(v.cls, c.cls) << c.kind;
        EXPECT_EQ(v.control, c.control) << c.kind;
        EXPECT_STREQ(v.reason, kTransactionControl) << c.kind;
    }
    // Only a TransactionStmt has a control, whatever its kind says.
    EXPECT_EQ(classify(with_kind(N::DiscardStmt, "TRANS_STMT_BEGIN")).control, TransactionControl::none);
    EXPECT_EQ(classify(facts(N::other)).control, TransactionControl::none);
}

TEST(StatementRules, NodesAreNamedAsPostgreSQLNamesThem) {
    const StatementNode all[] = {
#define TROVELLA_TEST_NODE(name) N::name,
        TROVELLA_RULE_NODES(TROVELLA_TEST_NODE)
#undef TROVELLA_TEST_NODE
    };
    std::set<std::string> names;
    for (StatementNode node : all) {
        names.insert(node_name(node));
        EXPECT_EQ(node_named(node_name(node)), node) << node_name(node);
    }
    EXPECT_EQ(names.size(), std::size(all));
    EXPECT_STREQ(node_name(N::IndexStmt), "IndexStmt");
    EXPECT_STREQ(node_name(N::CreatedbStmt), "CreatedbStmt");
    EXPECT_EQ(node_named("SelectStmt"), N::other);
    EXPECT_EQ(node_named("indexstmt"), N::other);
    EXPECT_EQ(node_named(""), N::other);
    // Every node a rule reads is in the list, and every node in the list has a rule.
    std::set<StatementNode> ruled;
    for (const auto& rule : statement_rules()) ruled.insert(rule.node);
    EXPECT_EQ(ruled, std::set<StatementNode>(std::begin(all), std::end(all)));
}

TEST(StatementRules, ClassNames) {
    EXPECT_STREQ(class_name(C::transactional), "transactional");
    EXPECT_STREQ(class_name(C::no_transaction_block), "no_transaction_block");
    EXPECT_STREQ(class_name(C::transaction_control), "transaction_control");
    EXPECT_STREQ(class_name(C::two_phase_commit), "two_phase_commit");
    EXPECT_STREQ(class_name(C::copy_protocol), "copy_protocol");
}

}  // namespace
}  // namespace trovella::core
