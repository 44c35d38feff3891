// The parser-neutral half of the check before anything runs (core/statement_check): where each
// SQL statement of a piece is and what messages call it, and the words of the refusal and of the
// CONTEXT line, which the extension and the client engine both use.
#include "core/statement_check.hpp"

#include <string>
#include <vector>

#include "core/splitter.hpp"
#include "core_test_support.hpp"

namespace trovella::core {
namespace {

using ::testing::ElementsAre;

StatementFacts at(StatementNode node, std::size_t location, std::size_t length, bool concurrent = false) {
    StatementFacts f;
    f.node = node;
    f.location = location;
    f.length = length;
    f.concurrent = concurrent;
    return f;
}

struct Migration {
    JournalEntry entry;
    std::string text;
    std::vector<Statement> statements;
    Migration(std::string tag, std::string sql) : text(std::move(sql)) {
        entry.tag = std::move(tag);
        statements = split_statements(text);
    }
    MigrationToCheck to_check() const { return {&entry, &statements}; }
};

const char* const kHint =
    "PostgreSQL refuses these statements inside a function or a transaction block, and apply() (and trovella-migrate "
    "migrate --single-transaction) runs every migration inside one. Nothing was run. trovella-migrate migrate, without "
    "--single-transaction, runs such a migration statement by statement outside a transaction (no migration can run "
    "COPY ... FROM STDIN or TO STDOUT, or two-phase commit); or remove them from the migration.";

TEST(StatementCheck, EachSqlStatementOfAPieceIsNamedByItsOwnLineAndText) {
    // One piece, four SQL statements, as pg_parse_query places them: the first from 0, the others
    // from just after the previous semicolon; the last without a length (to the end).
    Migration m("0000_one_piece", "CREATE TABLE p (id int);\nVACUUM p;\n-- why\nSELECT 1;\nCOMMIT;");
    ASSERT_EQ(m.statements.size(), 1u);
    std::vector<CheckedStatement> checked;
    StatementFacts vacuum = at(StatementNode::VacuumStmt, 24, 9);
    vacuum.vacuum = true;
    StatementFacts commit = at(StatementNode::TransactionStmt, 51, 0);
    commit.kind = "TRANS_STMT_COMMIT";
    add_checked_statements(checked, m.to_check(), m.statements[0],
                           {at(StatementNode::other, 0, 23), vacuum, at(StatementNode::other, 34, 16), commit});
    ASSERT_EQ(checked.size(), 4u);
    EXPECT_EQ(checked[0].sql(), "CREATE TABLE p (id int)");
    EXPECT_EQ(checked[1].sql(), "\nVACUUM p");
    EXPECT_EQ(checked[2].sql(), "\n-- why\nSELECT 1");
    EXPECT_EQ(checked[3].sql(), "\nCOMMIT;");
    std::vector<int> lines;
    for (const auto& c : checked) lines.push_back(c.line());
    EXPECT_THAT(lines, ElementsAre(1, 2, 4, 5));
    // The first is shown as the piece (as it always was), the others as themselves.
    EXPECT_EQ(checked[0].preview(), "CREATE TABLE p (id int); VACUUM p; SELECT 1; COMMIT;");
    EXPECT_EQ(checked[1].preview(), "VACUUM p");
    EXPECT_EQ(checked[3].preview(), "COMMIT;");
    EXPECT_TRUE(checked[0].first);
    EXPECT_FALSE(checked[1].first);
    EXPECT_EQ(checked[1].verdict.cls, StatementClass::no_transaction_block);
    EXPECT_EQ(checked[3].verdict.control, TransactionControl::commit);
    EXPECT_EQ(checked[1].total, 1);
    EXPECT_EQ(checked[1].node, StatementNode::VacuumStmt);
}

TEST(StatementCheck, APieceWithNoSqlStatementAddsNothing) {
    Migration m("0000_x", ";");
    std::vector<CheckedStatement> checked;
    add_checked_statements(checked, m.to_check(), m.statements[0], {});
    EXPECT_TRUE(checked.empty());
    EXPECT_NO_THROW(refuse_unless_transactional(checked));
}

TEST(StatementCheck, ContextLineOfAStatement) {
    EXPECT_EQ(statement_context("0001_fails", 2, 3, 7, "CREATE TABLE e (id int,, x int);"),
              "migration \"0001_fails\", statement 2 of 3 (line 7): CREATE TABLE e (id int,, x int);");
    Migration m("0001_fails", "SELECT 1;\n--> statement-breakpoint\n\n  CREATE TABLE e_t3 (id int,,\n x int);");
    EXPECT_EQ(statement_context(m.entry, m.statements[1], 2),
              "migration \"0001_fails\", statement 2 of 2 (line 4): CREATE TABLE e_t3 (id int,, x int);");
}

TEST(StatementCheck, NothingRefusedWhenEverythingIsTransactional) {
    Migration m("0000_ok", "CREATE INDEX i ON t (x);\n--> statement-breakpoint\nANALYZE t;");
    std::vector<CheckedStatement> checked;
    add_checked_statements(checked, m.to_check(), m.statements[0], {at(StatementNode::IndexStmt, 0, 23)});
    add_checked_statements(checked, m.to_check(), m.statements[1], {at(StatementNode::VacuumStmt, 0, 9)});
    EXPECT_NO_THROW(refuse_unless_transactional(checked));
}

TEST(StatementCheck, OnlyMigrationsHoldingAStatementOutsideATransactionAreKept) {
    Migration a("0000_a", "CREATE TABLE t (id int);\n--> statement-breakpoint\nINSERT INTO t VALUES (1);");
    Migration b("0001_b", "CREATE TABLE u (id int);\n--> statement-breakpoint\nCREATE INDEX CONCURRENTLY i ON u (id);");
    Migration c("0002_c", "INSERT INTO t VALUES (2);");
    std::vector<CheckedStatement> checked;
    add_checked_statements(checked, a.to_check(), a.statements[0], {at(StatementNode::other, 0, 23)});
    add_checked_statements(checked, a.to_check(), a.statements[1], {at(StatementNode::other, 0, 24)});
    drop_if_all_transactional(checked, 0);
    EXPECT_TRUE(checked.empty());
    add_checked_statements(checked, b.to_check(), b.statements[0], {at(StatementNode::other, 0, 23)});
    add_checked_statements(checked, b.to_check(), b.statements[1], {at(StatementNode::IndexStmt, 0, 38, true)});
    drop_if_all_transactional(checked, 0);
    ASSERT_EQ(checked.size(), 2u);  // all of b: a run outside a transaction runs each of them
    EXPECT_EQ(checked[0].entry, &b.entry);
    add_checked_statements(checked, c.to_check(), c.statements[0], {at(StatementNode::other, 0, 24)});
    drop_if_all_transactional(checked, 2);
    ASSERT_EQ(checked.size(), 2u);
    EXPECT_EQ(checked[1].verdict.cls, StatementClass::no_transaction_block);
}

TEST(StatementCheck, OneRefusalIsNamedInTheMessage) {
    Migration m("0000_indexes",
                "CREATE TABLE t (id int);\n--> statement-breakpoint\nCREATE INDEX CONCURRENTLY i ON t (id);");
    std::vector<CheckedStatement> checked;
    add_checked_statements(checked, m.to_check(), m.statements[0], {at(StatementNode::other, 0, 23)});
    add_checked_statements(checked, m.to_check(), m.statements[1], {at(StatementNode::IndexStmt, 0, 38, true)});
    EXPECT_EQ(refusal_line(checked[1]),
              "\"0000_indexes\" statement 2 of 2 (line 3): CREATE INDEX CONCURRENTLY: CREATE INDEX CONCURRENTLY i ON "
              "t (id);");
    Error e = test::error_from([&] { refuse_unless_transactional(checked); });
    EXPECT_EQ(e.kind(), ErrorKind::unsupported);
    EXPECT_STREQ(e.what(),
                 "1 statement cannot run inside a migration applied by trovella_migrate: \"0000_indexes\" statement 2 "
                 "of 2 (line 3): CREATE INDEX CONCURRENTLY: CREATE INDEX CONCURRENTLY i ON t (id);");
    EXPECT_EQ(e.detail(), refusal_line(checked[1]));
    EXPECT_EQ(e.hint(), kHint);
}

TEST(StatementCheck, EveryRefusalOfEveryMigrationIsInTheDetail) {
    Migration a("0000_a", "VACUUM;\n--> statement-breakpoint\nSELECT 1;");
    Migration b("0001_b", "BEGIN;\n--> statement-breakpoint\nCOPY t FROM STDIN;");
    std::vector<CheckedStatement> checked;
    StatementFacts vacuum = at(StatementNode::VacuumStmt, 0, 6);
    vacuum.vacuum = true;
    StatementFacts begin = at(StatementNode::TransactionStmt, 0, 5);
    begin.kind = "TRANS_STMT_BEGIN";
    StatementFacts copy = at(StatementNode::CopyStmt, 0, 0);
    copy.copy_from = true;
    add_checked_statements(checked, a.to_check(), a.statements[0], {vacuum});
    add_checked_statements(checked, a.to_check(), a.statements[1], {at(StatementNode::other, 0, 8)});
    add_checked_statements(checked, b.to_check(), b.statements[0], {begin});
    add_checked_statements(checked, b.to_check(), b.statements[1], {copy});
    Error e = test::error_from([&] { refuse_unless_transactional(checked); });
    EXPECT_STREQ(e.what(),
                 "3 statements cannot run inside a migration applied by trovella_migrate: \"0000_a\" statement 1 of 2 "
                 "(line 1): VACUUM: VACUUM; (and 2 more, see DETAIL)");
    EXPECT_EQ(e.detail(),
              "\"0000_a\" statement 1 of 2 (line 1): VACUUM: VACUUM;\n"
              "\"0001_b\" statement 1 of 2 (line 1): a transaction control statement (BEGIN, COMMIT, ROLLBACK, "
              "SAVEPOINT, ...): BEGIN;\n"
              "\"0001_b\" statement 2 of 2 (line 3): COPY ... FROM STDIN: COPY t FROM STDIN;");
    EXPECT_EQ(e.hint(), kHint);
}

TEST(StatementCheck, ARunnerOutsideATransactionBlockRefusesOnlyWhatNoneCanRun) {
    Migration m("0002_mixed",
                "COMMIT;\n--> statement-breakpoint\nCOPY t FROM STDIN;\n--> statement-breakpoint\n"
                "PREPARE TRANSACTION 'x';");
    std::vector<CheckedStatement> checked;
    StatementFacts commit = at(StatementNode::TransactionStmt, 0, 6);
    commit.kind = "TRANS_STMT_COMMIT";
    StatementFacts copy = at(StatementNode::CopyStmt, 0, 17);
    copy.copy_from = true;
    StatementFacts prepare = at(StatementNode::TransactionStmt, 0, 23);
    prepare.kind = "TRANS_STMT_PREPARE";
    add_checked_statements(checked, m.to_check(), m.statements[0], {commit});
    add_checked_statements(checked, m.to_check(), m.statements[1], {copy});
    add_checked_statements(checked, m.to_check(), m.statements[2], {prepare});
    auto none_can_run = [](StatementClass cls) {
        return cls == StatementClass::copy_protocol || cls == StatementClass::two_phase_commit;
    };
    Error e = test::error_from([&] { refuse_statements(checked, none_can_run, "the hint"); });
    EXPECT_EQ(e.kind(), ErrorKind::unsupported);
    EXPECT_EQ(e.detail(),
              "\"0002_mixed\" statement 2 of 3 (line 3): COPY ... FROM STDIN: COPY t FROM STDIN;\n"
              "\"0002_mixed\" statement 3 of 3 (line 5): a transaction control statement (BEGIN, COMMIT, ROLLBACK, "
              "SAVEPOINT, ...): PREPARE TRANSACTION 'x';");
    EXPECT_EQ(e.hint(), "the hint");
    checked.pop_back();
    checked.pop_back();
    EXPECT_NO_THROW(refuse_statements(checked, none_can_run, "the hint"));
}

}  // namespace
}  // namespace trovella::core
