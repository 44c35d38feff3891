// The client engine's check before anything runs (client/statement_check): libpg_query, PostgreSQL
// 15's parser as a library, reads each statement; the facts the rule table needs come from its
// JSON tree, evaluated as the server evaluates them. No server needed: what the extension says of
// the same statements is compared in test/integration/parser_agreement.sh.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/failure.hpp"
#include "client/statement_check.hpp"
#include "core/error.hpp"
#include "core/splitter.hpp"

namespace trovella::client {
namespace {

using core::StatementClass;
using core::StatementNode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

core::StatementFacts one(const std::string& sql) {
    auto facts = parse_statements(sql);
    EXPECT_EQ(facts.size(), 1u) << sql;
    return facts.empty() ? core::StatementFacts{} : facts[0];
}

core::Verdict verdict(const std::string& sql) { return core::classify(one(sql)); }

const char* reason(const std::string& sql) {
    const char* r = verdict(sql).reason;
    return r != nullptr ? r : "transactional";
}

// The ParseError that parsing `sql` throws (an empty message when it parses).
ParseError the_parse_error(const std::string& sql) {
    try {
        parse_statements(sql);
    } catch (const ParseError& e) {
        return e;
    }
    return ParseError("", "");
}

std::string parse_error(const std::string& sql, std::string* sqlstate = nullptr) {
    ParseError e = the_parse_error(sql);
    if (sqlstate != nullptr) *sqlstate = e.sqlstate();
    return e.what();
}

TEST(ClientStatementCheck, EveryRuleFromRealStatements) {
    EXPECT_STREQ(reason("CREATE INDEX CONCURRENTLY i ON t (x)"), "CREATE INDEX CONCURRENTLY");
    EXPECT_STREQ(reason("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t USING gin (x)"),
                 "CREATE INDEX CONCURRENTLY");
    EXPECT_STREQ(reason("DROP INDEX CONCURRENTLY IF EXISTS i"), "DROP INDEX CONCURRENTLY");
    EXPECT_STREQ(reason("REINDEX TABLE CONCURRENTLY t"), "REINDEX CONCURRENTLY");
    EXPECT_STREQ(reason("REINDEX (CONCURRENTLY) INDEX i"), "REINDEX CONCURRENTLY");
    EXPECT_STREQ(reason("REINDEX (VERBOSE, CONCURRENTLY true) SCHEMA s"), "REINDEX CONCURRENTLY");
    EXPECT_STREQ(reason("REINDEX SYSTEM d"), "REINDEX SYSTEM or REINDEX DATABASE");
    EXPECT_STREQ(reason("REINDEX DATABASE d"), "REINDEX SYSTEM or REINDEX DATABASE");
    EXPECT_STREQ(reason("REINDEX SCHEMA public"), "REINDEX SCHEMA");
    EXPECT_STREQ(reason("REINDEX SCHEMA CONCURRENTLY public"), "REINDEX CONCURRENTLY");
    EXPECT_STREQ(reason("ALTER TABLE p DETACH PARTITION c CONCURRENTLY"),
                 "ALTER TABLE ... DETACH PARTITION CONCURRENTLY");
    EXPECT_STREQ(reason("ALTER DATABASE d SET TABLESPACE ts"), "ALTER DATABASE ... SET TABLESPACE");
    EXPECT_STREQ(reason("CREATE SUBSCRIPTION s CONNECTION 'c' PUBLICATION p"),
                 "CREATE SUBSCRIPTION (creating a replication slot)");
    EXPECT_STREQ(reason("VACUUM"), "VACUUM");
    EXPECT_STREQ(reason("VACUUM (ANALYZE, VERBOSE) t"), "VACUUM");
    EXPECT_STREQ(reason("VACUUM FULL t"), "VACUUM");
    EXPECT_STREQ(reason("CREATE DATABASE d"), "CREATE DATABASE");
    EXPECT_STREQ(reason("DROP DATABASE IF EXISTS d WITH (FORCE)"), "DROP DATABASE");
    EXPECT_STREQ(reason("ALTER SYSTEM SET work_mem = '8MB'"), "ALTER SYSTEM");
    EXPECT_STREQ(reason("ALTER SYSTEM RESET ALL"), "ALTER SYSTEM");
    EXPECT_STREQ(reason("CREATE TABLESPACE ts LOCATION '/x'"), "CREATE TABLESPACE");
    EXPECT_STREQ(reason("DROP TABLESPACE IF EXISTS ts"), "DROP TABLESPACE");
    EXPECT_STREQ(reason("CLUSTER"), "CLUSTER without a table name");
    EXPECT_STREQ(reason("CLUSTER VERBOSE"), "CLUSTER without a table name");
    EXPECT_STREQ(reason("DISCARD ALL"), "DISCARD ALL");
    EXPECT_STREQ(reason("COPY t FROM STDIN"), "COPY ... FROM STDIN");
    EXPECT_STREQ(reason("COPY t (a, b) FROM STDIN WITH (FORMAT csv)"), "COPY ... FROM STDIN");
    EXPECT_STREQ(reason("COPY t TO STDOUT"), "COPY ... TO STDOUT");
    EXPECT_STREQ(reason("COPY (SELECT 1) TO STDOUT"), "COPY ... TO STDOUT");
}

TEST(ClientStatementCheck, NegativeTwinsRunInTheTransaction) {
    for (const char* sql : {
             "CREATE INDEX i ON t (x)",
             "DROP INDEX IF EXISTS i",
             "REINDEX TABLE t",
             "REINDEX (CONCURRENTLY false) TABLE t",
             "REINDEX (CONCURRENTLY off) TABLE t",
             "REINDEX (CONCURRENTLY 0) INDEX i",
             "REINDEX (CONCURRENTLY 'FALSE') INDEX i",
             "REINDEX (CONCURRENTLY, CONCURRENTLY false) TABLE t",  // the last one wins
             "ALTER TABLE p DETACH PARTITION c",
             "ALTER TABLE p DETACH PARTITION c FINALIZE",
             "ALTER TABLE t ADD COLUMN \"concurrently\" int",
             "ALTER DATABASE d SET work_mem = '8MB'",
             "ALTER DATABASE d WITH ALLOW_CONNECTIONS false",
             "ALTER DATABASE d RENAME TO e",
             "CREATE SUBSCRIPTION s CONNECTION 'c' PUBLICATION p WITH (connect = false)",
             "CREATE SUBSCRIPTION s CONNECTION 'c' PUBLICATION p WITH (create_slot = false)",
             "CREATE SUBSCRIPTION s CONNECTION 'c' PUBLICATION p WITH (connect = 0, create_slot)",
             "ANALYZE t",
             "ANALYZE",
             "CLUSTER t",
             "CLUSTER t USING i",
             "DISCARD PLANS",
             "DISCARD TEMP",
             "DISCARD SEQUENCES",
             "COPY t FROM '/tmp/file'",
             "COPY t TO '/tmp/file'",
             "COPY t TO PROGRAM 'cat'",
             "SELECT 'CREATE INDEX CONCURRENTLY i ON t (x); VACUUM; COMMIT;'",
             "SELECT 1 -- CREATE INDEX CONCURRENTLY i ON t (x)",
             "/* VACUUM; BEGIN; */ SELECT 1",
             "DO $$ BEGIN COMMIT; END $$",
             "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $f$ VACUUM $f$",
             "CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$",
             "CALL p()",
             "REFRESH MATERIALIZED VIEW CONCURRENTLY v",
             "ALTER TYPE e ADD VALUE 'x'",
         }) {
        core::Verdict v = verdict(sql);
        EXPECT_EQ(v.cls, StatementClass::transactional) << sql << ": " << (v.reason ? v.reason : "");
    }
}

TEST(ClientStatementCheck, TransactionControlAndTwoPhaseCommit) {
    struct Case {
        const char* sql;
        StatementClass cls;
        core::TransactionControl control;
    } cases[] = {
        {"BEGIN", StatementClass::transaction_control, core::TransactionControl::begin},
        {"BEGIN ISOLATION LEVEL SERIALIZABLE", StatementClass::transaction_control, core::TransactionControl::begin},
        {"START TRANSACTION", StatementClass::transaction_control, core::TransactionControl::begin},
        {"COMMIT", StatementClass::transaction_control, core::TransactionControl::commit},
        {"END", StatementClass::transaction_control, core::TransactionControl::commit},
        {"COMMIT AND CHAIN", StatementClass::transaction_control, core::TransactionControl::commit},
        {"ROLLBACK", StatementClass::transaction_control, core::TransactionControl::rollback},
        {"ABORT", StatementClass::transaction_control, core::TransactionControl::rollback},
        {"SAVEPOINT a", StatementClass::transaction_control, core::TransactionControl::savepoint},
        {"RELEASE SAVEPOINT a", StatementClass::transaction_control, core::TransactionControl::savepoint},
        {"ROLLBACK TO SAVEPOINT a", StatementClass::transaction_control, core::TransactionControl::savepoint},
        {"PREPARE TRANSACTION 'x'", StatementClass::two_phase_commit, core::TransactionControl::prepare},
        {"COMMIT PREPARED 'x'", StatementClass::two_phase_commit, core::TransactionControl::commit_prepared},
        {"ROLLBACK PREPARED 'x'", StatementClass::two_phase_commit, core::TransactionControl::commit_prepared},
    };
    for (const auto& c : cases) {
        core::Verdict v = verdict(c.sql);
        EXPECT_EQ(v.cls, c.cls) << c.sql;
        EXPECT_EQ(v.control, c.control) << c.sql;
        EXPECT_STREQ(v.reason, "a transaction control statement (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...)") << c.sql;
    }
}

// defGetBoolean, as the server reads an option's value.
TEST(ClientStatementCheck, OptionValuesAreReadAsPostgreSQLReadsThem) {
    auto concurrent = [](const std::string& value) {
        return one("REINDEX (CONCURRENTLY" + value + ") TABLE t").concurrent;
    };
    for (const char* yes : {"", " true", " TRUE", " on", " 'On'", " 1", " +1", " \"true\"", " \"tRUE\""})
        EXPECT_TRUE(concurrent(yes)) << yes;
    for (const char* no : {" false", " off", " 'OFF'", " 0", " -0", " - 000", " \"false\""})
        EXPECT_FALSE(concurrent(no)) << no;
    auto subscription = [](const std::string& options) {
        return one("CREATE SUBSCRIPTION s CONNECTION 'c' PUBLICATION p WITH (" + options + ")");
    };
    core::StatementFacts f = subscription("enabled = false, connect = on, slot_name = NONE, create_slot = 0");
    EXPECT_EQ(f.connect, std::optional<bool>(true));
    EXPECT_EQ(f.create_slot, std::optional<bool>(false));
    f = subscription("binary = true");
    EXPECT_EQ(f.connect, std::nullopt);
    EXPECT_EQ(f.create_slot, std::nullopt);
}

TEST(ClientStatementCheck, AnOptionThatIsNotABooleanIsTheServersError) {
    std::string sqlstate;
    // A negative value too, which libpg_query 15-4.0.0's JSON writes as it writes a zero.
    for (const char* bad : {" 2", " -1", " - /* 0 */ -- 0\n 10", " 1.0", " yes", " 'maybe'", " ''"}) {
        EXPECT_EQ(parse_error(std::string("REINDEX (CONCURRENTLY") + bad + ") TABLE t", &sqlstate),
                  "concurrently requires a Boolean value")
            << bad;
        EXPECT_EQ(sqlstate, "42601");
    }
    // A value the grammar reads as a type or an operator name is read as its text (TypeNameToString).
    auto subscription = [](const std::string& value) {
        return parse_error("CREATE SUBSCRIPTION s CONNECTION 'c' PUBLICATION p WITH (connect = " + value + ")");
    };
    for (const char* bad :
         {"maybe", "pg_catalog.true", "a.true%TYPE", "int[]", "+", "1.0", "'1'", "-1", "-  /* - */ 7"})
        EXPECT_EQ(subscription(bad), "connect requires a Boolean value") << bad;
    for (const char* good : {"\"true\"(1)", "\"OFF\"", "on", "1", "+1", "-0", "0 /* -1 */"})
        EXPECT_EQ(subscription(good), "") << good;
    // In the order given, as parse_subscription_options reads them.
    EXPECT_EQ(parse_error("CREATE SUBSCRIPTION s CONNECTION 'c' PUBLICATION p WITH (create_slot = 2, connect = 3)"),
              "create_slot requires a Boolean value");
    // Options no rule reads are not looked at (the server looks at them when the statement runs).
    EXPECT_EQ(parse_error("REINDEX (VERBOSE maybe) TABLE t"), "");
}

TEST(ClientStatementCheck, WhereEachStatementIsInThePiece) {
    auto facts = parse_statements("CREATE TABLE p (id int);\nVACUUM p;\n-- why\nSELECT 1;\nCOMMIT");
    ASSERT_EQ(facts.size(), 4u);
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const auto& f : facts) spans.emplace_back(f.location, f.length);
    EXPECT_THAT(spans,
                ElementsAre(std::pair<std::size_t, std::size_t>{0, 23}, std::pair<std::size_t, std::size_t>{24, 9},
                            std::pair<std::size_t, std::size_t>{34, 16}, std::pair<std::size_t, std::size_t>{51, 0}));
    EXPECT_EQ(facts[1].node, StatementNode::VacuumStmt);
    EXPECT_EQ(facts[0].node, StatementNode::other);
    EXPECT_TRUE(parse_statements(" ; ;\n-- nothing\n").empty());
}

TEST(ClientStatementCheck, ParserErrorsGetTheServersDetailAndHint) {
    ParseError e = the_parse_error("SELECT * FROM (SELECT 1)");
    EXPECT_EQ(e.sqlstate(), "42601");
    EXPECT_STREQ(e.what(), "subquery in FROM must have an alias");
    EXPECT_EQ(e.hint(), "For example, FROM (SELECT ...) [AS] foo.");
    EXPECT_EQ(e.detail(), "");
    e = the_parse_error("CREATE PUBLICATION p FOR t");
    EXPECT_EQ(e.detail(),
              "One of TABLE or TABLES IN SCHEMA must be specified before a standalone table or schema name.");
    // One message, two errors: told apart by the function that raised it.
    e = the_parse_error("SELECT E'\\uzz'");
    EXPECT_STREQ(e.what(), "invalid Unicode escape");
    EXPECT_EQ(e.sqlstate(), "22025");
    EXPECT_EQ(e.hint(), "Unicode escapes must be \\uXXXX or \\UXXXXXXXX.");
    e = the_parse_error("SELECT U&'\\wxyz'");
    EXPECT_STREQ(e.what(), "invalid Unicode escape");
    EXPECT_EQ(e.sqlstate(), "42601");
    EXPECT_EQ(e.hint(), "Unicode escapes must be \\XXXX or \\+XXXXXX.");
    e = the_parse_error("SELECT 1 LIMIT 1, 2");
    EXPECT_EQ(e.hint(), "Use separate LIMIT and OFFSET clauses.");
    e = the_parse_error("CREATE TABLE e (id int,, x int)");
    EXPECT_EQ(e.hint(), "");
    EXPECT_EQ(e.detail(), "");
}

TEST(ClientStatementCheck, SyntaxErrorsAreWordedAsTheServerWordsThem) {
    std::string sqlstate;
    EXPECT_EQ(parse_error("CREATE TABLE e (id int,, x int);", &sqlstate), "syntax error at or near \",\"");
    EXPECT_EQ(sqlstate, "42601");
    EXPECT_EQ(parse_error("SELECT 'x", &sqlstate), "unterminated quoted string at or near \"'x\"");
    EXPECT_EQ(sqlstate, "42601");
    EXPECT_EQ(parse_error("SELECT (1", &sqlstate), "syntax error at end of input");
    // The few errors of the grammar that are not syntax errors keep the server's SQLSTATE.
    EXPECT_EQ(parse_error("CREATE ASSERTION a CHECK (true)", &sqlstate), "CREATE ASSERTION is not yet implemented");
    EXPECT_EQ(sqlstate, "0A000");
    EXPECT_EQ(parse_error("CREATE TABLE t (x float(0))", &sqlstate), "precision for type float must be at least 1 bit");
    EXPECT_EQ(sqlstate, "22023");
    EXPECT_EQ(parse_error("SELECT sum(x) OVER (ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) FROM t", &sqlstate),
              "frame start cannot be UNBOUNDED FOLLOWING");
    EXPECT_EQ(sqlstate, "42P20");
    EXPECT_EQ(parse_error("CREATE TABLE t (x int REFERENCES u MATCH PARTIAL)", &sqlstate),
              "MATCH PARTIAL not yet implemented");
    EXPECT_EQ(sqlstate, "0A000");
    EXPECT_EQ(parse_error("ALTER TABLE t ADD CONSTRAINT c UNIQUE (x) NOT VALID", &sqlstate),
              "UNIQUE constraints cannot be marked NOT VALID");
    EXPECT_EQ(sqlstate, "0A000");
    EXPECT_EQ(parse_error("CREATE ROLE public", &sqlstate), "role name \"public\" is reserved");
    EXPECT_EQ(sqlstate, "42939");
    EXPECT_EQ(parse_error("ALTER USER CURRENT_ROLE RENAME TO x", &sqlstate),
              "CURRENT_ROLE cannot be used as a role name here");
    EXPECT_EQ(sqlstate, "42939");
}

struct Migration {
    core::JournalEntry entry;
    std::string text;
    std::vector<core::Statement> statements;
    Migration(std::string tag, std::string sql) : text(std::move(sql)) {
        entry.tag = std::move(tag);
        statements = core::split_statements(text);
    }
    core::MigrationToCheck to_check() const { return {&entry, &statements}; }
};

TEST(ClientStatementCheck, ASyntaxErrorIsTheServersErrorWithTheExtensionsContext) {
    Migration ok("0000_ok", "CREATE TABLE t (id int);");
    Migration m("0001_fails",
                "SELECT 1;\n--> statement-breakpoint\nCREATE TABLE e_t3 (id int,, x int);\n"
                "--> statement-breakpoint\nVACUUM;");
    try {
        check_statements({ok.to_check(), m.to_check()});
        FAIL() << "no error";
    } catch (const Failure& f) {
        EXPECT_TRUE(f.from_server());
        EXPECT_EQ(f.error().severity, "ERROR");
        EXPECT_EQ(f.error().sqlstate, "42601");
        EXPECT_EQ(f.error().message, "syntax error at or near \",\"");
        EXPECT_EQ(f.error().detail, "");
        EXPECT_EQ(f.error().hint, "");
        EXPECT_EQ(f.error().context,
                  "migration \"0001_fails\", statement 2 of 3 (line 3): CREATE TABLE e_t3 (id int,, x int);");
        EXPECT_EQ(f.code(), ExitCode::migration_failed);
    }
    // With the HINT the server gives it.
    Migration hinted("0000_hinted", "SELECT * FROM (SELECT 1);");
    try {
        check_statements({hinted.to_check()});
        FAIL() << "no error";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().message, "subquery in FROM must have an alias");
        EXPECT_EQ(f.error().hint, "For example, FROM (SELECT ...) [AS] foo.");
        EXPECT_EQ(f.error().context, "migration \"0000_hinted\", statement 1 of 1 (line 1): SELECT * FROM (SELECT 1);");
    }
    // An option that is not a Boolean is reported the same way.
    Migration bad("0000_bad", "REINDEX (CONCURRENTLY maybe) TABLE t;");
    try {
        check_statements({bad.to_check()});
        FAIL() << "no error";
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().sqlstate, "42601");
        EXPECT_EQ(f.error().message, "concurrently requires a Boolean value");
        EXPECT_EQ(f.error().context,
                  "migration \"0000_bad\", statement 1 of 1 (line 1): REINDEX (CONCURRENTLY maybe) TABLE t;");
    }
}

TEST(ClientStatementCheck, RefusalsAreTheExtensionsError) {
    Migration a("0000_indexes",
                "CREATE TABLE t (id int);\n--> statement-breakpoint\n"
                "CREATE INDEX CONCURRENTLY i ON t (id);");
    Migration b("0001_one_piece", "CREATE TABLE p (id int);\nVACUUM p;\nSELECT 1;\nCOMMIT;");
    try {
        check_statements({a.to_check(), b.to_check()});
        FAIL() << "no error";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.kind(), core::ErrorKind::unsupported);
        EXPECT_STREQ(e.what(),
                     "3 statements cannot run inside a migration applied by trovella_migrate: \"0000_indexes\" "
                     "statement 2 of 2 (line 3): CREATE INDEX CONCURRENTLY: CREATE INDEX CONCURRENTLY i ON t (id); "
                     "(and 2 more, see DETAIL)");
        EXPECT_EQ(e.detail(),
                  "\"0000_indexes\" statement 2 of 2 (line 3): CREATE INDEX CONCURRENTLY: CREATE INDEX CONCURRENTLY i "
                  "ON t (id);\n"
                  "\"0001_one_piece\" statement 1 of 1 (line 2): VACUUM: VACUUM p\n"
                  "\"0001_one_piece\" statement 1 of 1 (line 4): a transaction control statement (BEGIN, COMMIT, "
                  "ROLLBACK, SAVEPOINT, ...): COMMIT");
        EXPECT_THAT(e.hint(), HasSubstr("Nothing was run."));
    }
    EXPECT_NO_THROW(check_statements({}));
    Migration fine("0000_fine", "SELECT 'COMMIT; VACUUM';\n--> statement-breakpoint\nANALYZE;");
    EXPECT_NO_THROW(check_statements({fine.to_check()}));
    auto checked = checked_statements({fine.to_check()});
    ASSERT_EQ(checked.size(), 2u);
    EXPECT_EQ(checked[1].node, StatementNode::VacuumStmt);
    EXPECT_EQ(checked[1].line(), 3);
}

}  // namespace
}  // namespace trovella::client
