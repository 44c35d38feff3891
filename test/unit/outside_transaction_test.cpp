// Migrations that cannot run in a transaction (core/outside_transaction.hpp) against a fake
// database that can leave its transaction, as the client can: what is sent, in which order,
// where the progress records go (inside the file's own block they commit or roll back with it),
// how a run resumes, what it refuses, and what a failure says.
#include "core/outside_transaction.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/reports.hpp"
#include "core/run.hpp"
#include "core_test_support.hpp"
#include "fake_database.hpp"

namespace trovella::core {
namespace {

using test::error_from;
using test::FakeDatabase;
using test::FakeDbError;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string fake_hash(std::string_view text) { return "sha-of(" + std::string(text) + ")"; }

Inputs inputs_of(const std::vector<std::tuple<std::string, std::int64_t, std::string>>& migrations,
                 const std::string& options = "{}", Function fn = Function::apply) {
    nlohmann::json entries = nlohmann::json::array();
    MigrationTexts texts;
    std::int64_t idx = 0;
    for (const auto& [tag, when, text] : migrations) {
        entries.push_back({{"idx", idx++}, {"when", when}, {"tag", tag}});
        texts.emplace(tag, text);
    }
    return make_inputs(nlohmann::json{{"entries", entries}}.dump(), texts, parse_options(options, fn), fn,
                       Texts::required, &fake_hash);
}

// A database that can leave its transaction. Statements sent outside it are "sent"; progress
// records inside the file's own block wait for its COMMIT (a ROLLBACK or a failure drops them).
class FakeOutside : public FakeDatabase, public OutsideTransaction {
public:
    std::vector<std::string> sent;
    std::map<std::int64_t, Progress> progress;  // committed
    std::vector<std::pair<std::int64_t, Progress>> in_block_progress;
    bool in_block = false;
    std::set<std::string> failing;                       // statement texts that fail
    std::map<std::string, IndexState> indexes;            // by name
    std::set<std::string> invalid;                        // qualified names
    std::set<std::string> invalid_after_failure;          // what a failing build leaves
    bool rebuild = false;

    OutsideTransaction* outside_transaction() override { return this; }
    std::map<std::int64_t, Progress> partial_migrations() override { return progress; }

    void leave_transaction() override { log.push_back("leave_transaction"); }
    void enter_transaction() override { log.push_back("enter_transaction"); }
    void apply_settings(const Options&) override { log.push_back("apply_settings"); }
    void restore_settings() noexcept override { log.push_back("restore_settings"); }
    void show_progress(const std::string& tag, int number, int total) override {
        log.push_back("show " + tag + " " + std::to_string(number) + "/" + std::to_string(total));
    }
    bool in_transaction_block() override { return in_block; }
    void run_alone(std::string_view sql, const std::string& context) override { send(sql, context); }
    void run_and_record(std::optional<std::string_view> sql, const std::string& context, const HistoryEvent& p,
                        bool record_first) override {
        if (record_first) keep(p);
        if (sql) send(*sql, context);
        if (!record_first) keep(p);
    }
    void abandon_block() noexcept override {
        log.push_back("abandon_block");
        in_block = false;
        in_block_progress.clear();
    }
    std::optional<IndexState> index_of(const StatementFacts& facts) override {
        auto it = indexes.find(facts.index_name);
        if (it == indexes.end()) return std::nullopt;
        return it->second;
    }
    std::set<std::string> invalid_indexes() override { return invalid; }
    void drop_index_concurrently(const std::string& name) override {
        log.push_back("drop_index_concurrently " + name);
        invalid.erase(name);
        for (auto it = indexes.begin(); it != indexes.end();)
            it = it->second.name == name ? indexes.erase(it) : std::next(it);
    }
    bool rebuild_invalid_indexes() const override { return rebuild; }

private:
    void send(std::string_view sql, const std::string& context) {
        while (!sql.empty() && (sql.front() == '\n' || sql.front() == ' ')) sql.remove_prefix(1);
        while (!sql.empty() && (sql.back() == '\n' || sql.back() == ' ')) sql.remove_suffix(1);
        const std::string text(sql);
        log.push_back("send " + text);
        if (failing.count(text)) {
            invalid.insert(invalid_after_failure.begin(), invalid_after_failure.end());
            if (in_block) in_block_progress.clear();  // the block is aborted
            FakeDbError e("statement failed: " + text);
            e.detail = context;
            throw e;
        }
        sent.push_back(text);
        if (text.rfind("BEGIN", 0) == 0) in_block = true;
        if (text.rfind("COMMIT", 0) == 0) {
            in_block = false;
            for (auto& [when, p] : in_block_progress) progress[when] = p;
            in_block_progress.clear();
        }
        if (text.rfind("ROLLBACK", 0) == 0) {
            in_block = false;
            in_block_progress.clear();
        }
    }
    void keep(const HistoryEvent& p) {
        log.push_back("record partial " + std::to_string(*p.statements));
        Progress kept{p.hash, *p.statements};
        if (in_block) in_block_progress.emplace_back(p.created_at, kept);
        else progress[p.created_at] = kept;
    }
};

const std::string kBreak = "\n--> statement-breakpoint\n";
const std::string kCic = "CREATE TABLE a (id int);" + kBreak + "CREATE INDEX CONCURRENTLY a_i ON a (id);" + kBreak +
                         "SELECT 1;";

Inputs with_cic() { return inputs_of({{"0000_first", 1000, "SELECT 0;"}, {"0001_cic", 1001, kCic}}); }

TEST(OutsideTransaction, AnnouncedThenRunStatementByStatementWithProgressThenRecorded) {
    FakeOutside db;
    const Inputs in = with_cic();
    const ApplyResult r = apply(db, in);
    EXPECT_THAT(r.applied_tags, ElementsAre("0000_first", "0001_cic"));
    EXPECT_THAT(db.notices, ::testing::Contains("0001_cic cannot run in a transaction (statement 2, line 3: CREATE "
                                                "INDEX CONCURRENTLY): running it statement by statement"));
    EXPECT_THAT(db.sent, ElementsAre("CREATE TABLE a (id int);", "CREATE INDEX CONCURRENTLY a_i ON a (id);", "SELECT 1;"));
    // 0000_first ran in the run's transaction, committed when the run left it; the statements
    // each with their record; then the row, committed, and the transaction again.
    std::vector<std::string> order;
    for (const auto& call : db.log)
        if (call.rfind("execute", 0) == 0 || call.rfind("leave", 0) == 0 || call.rfind("enter", 0) == 0 ||
            call.rfind("send", 0) == 0 || call.rfind("record", 0) == 0 || call.rfind("insert_tracking_row", 0) == 0)
            order.push_back(call);
    EXPECT_THAT(order, ElementsAre("execute 0000_first#1", "insert_tracking_row 1000", "record applied 0000_first",
                                   "leave_transaction", "send CREATE TABLE a (id int);", "record partial 1",
                                   "send CREATE INDEX CONCURRENTLY a_i ON a (id);", "record partial 2", "send SELECT 1;",
                                   "record partial 3", "enter_transaction", "insert_tracking_row 1001",
                                   "record applied 0001_cic", "leave_transaction", "enter_transaction"));
    EXPECT_EQ(db.events.back().statements, 3);
    EXPECT_TRUE(db.events.back().duration_ms.has_value());
    EXPECT_THAT(db.log, ::testing::Contains("show 0001_cic 2/3"));
}

TEST(OutsideTransaction, ResumesAfterWhatTheHistoryRecorded) {
    FakeOutside db;
    const Inputs in = with_cic();
    db.rows.push_back({db.next_id++, fake_hash("SELECT 0;"), 1000});
    db.progress[1001] = Progress{fake_hash(kCic), 2};
    apply(db, in);
    EXPECT_THAT(db.sent, ElementsAre("SELECT 1;"));
    EXPECT_THAT(db.notices,
                ::testing::Contains("resuming 0001_cic at statement 3 of 3 (2 statements completed in an earlier run)"));
}

TEST(OutsideTransaction, ResumingFromAnEditedFileIsRefusedBeforeAnythingRuns) {
    FakeOutside db;
    const Inputs in = with_cic();
    db.rows.push_back({db.next_id++, fake_hash("SELECT 0;"), 1000});
    db.progress[1001] = Progress{"sha-of(an older text)", 1};
    Error e = error_from([&] { apply(db, in); });
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_EQ(std::string(e.what()),
              "migration \"0001_cic\" was partly applied (1 of its statements) from a file that has been edited since");
    EXPECT_THAT(e.detail(), HasSubstr("recorded hash sha-of(an older text), file's hash " + fake_hash(kCic)));
    EXPECT_THAT(e.hint(), HasSubstr("baseline --through 0001_cic"));
    EXPECT_TRUE(db.sent.empty());
}

TEST(OutsideTransaction, AFailureSaysWhatCompletedAndWhereTheNextRunResumes) {
    FakeOutside db;
    const Inputs in = with_cic();
    db.failing.insert("CREATE INDEX CONCURRENTLY a_i ON a (id);");
    FakeDbError e = test::fake_error_from([&] { apply(db, in); });
    EXPECT_THAT(e.detail, HasSubstr("\"0001_cic\" runs statement by statement outside a transaction: statement 1 of 3 "
                                    "completed and stays done (recorded in the history)"));
    EXPECT_THAT(e.detail, HasSubstr("Committed before the failure"));
    EXPECT_THAT(e.hint, HasSubstr("it resumes \"0001_cic\" at statement 2."));
    EXPECT_EQ(db.progress.at(1001).completed, 1);
    // The run's transaction is open again (the engine's ROLLBACK finds one), before the settings go.
    const auto entered = std::find(db.log.rbegin(), db.log.rend(), "enter_transaction");
    const auto popped = std::find(db.log.rbegin(), db.log.rend(), "pop_settings failed");
    ASSERT_NE(entered, db.log.rend());
    EXPECT_LT(popped - db.log.rbegin(), entered - db.log.rbegin());
    EXPECT_THAT(db.log, ::testing::Contains("restore_settings"));
}

TEST(OutsideTransaction, TheFilesOwnBlockCommitsItsProgressWithIt) {
    FakeOutside db;
    const std::string text = "BEGIN;" + kBreak + "INSERT INTO a VALUES (1);" + kBreak + "COMMIT;" + kBreak + "VACUUM a;";
    const Inputs in = inputs_of({{"0000_block", 1000, text}});
    apply(db, in);
    EXPECT_THAT(db.sent, ElementsAre("BEGIN;", "INSERT INTO a VALUES (1);", "COMMIT;", "VACUUM a;"));
    // COMMIT's record goes before it, in the block.
    auto commit = std::find(db.log.begin(), db.log.end(), "send COMMIT;");
    ASSERT_NE(commit, db.log.end());
    EXPECT_EQ(*(commit - 1), "record partial 3");
    EXPECT_EQ(db.progress.at(1000).completed, 4);
}

TEST(OutsideTransaction, AFailureInsideTheFilesBlockRollsItsProgressBackToTheBegin) {
    FakeOutside db;
    const std::string text = "SELECT 0;" + kBreak + "BEGIN;" + kBreak + "INSERT INTO a VALUES (1);" + kBreak +
                             "INSERT INTO missing VALUES (1);" + kBreak + "COMMIT;";
    const Inputs in = inputs_of({{"0000_block", 1000, text}});
    db.failing.insert("INSERT INTO missing VALUES (1);");
    FakeDbError e = test::fake_error_from([&] { apply(db, in); });
    EXPECT_THAT(db.log, ::testing::Contains("abandon_block"));
    EXPECT_EQ(db.progress.at(1000).completed, 1);  // statements 2-3 rolled back with the block
    EXPECT_THAT(e.hint, HasSubstr("it resumes \"0000_block\" at statement 2."));
}

TEST(OutsideTransaction, ACommitOrRollbackWithNoBlockOpenIsNotSentOnlyRecorded) {
    FakeOutside db;
    const std::string text = "ALTER TABLE a ADD COLUMN b int;" + kBreak + "COMMIT;" + kBreak +
                             "CREATE INDEX CONCURRENTLY IF NOT EXISTS a_b ON a (b);";
    apply(db, inputs_of({{"0000_sim", 1000, text}}));
    EXPECT_THAT(db.sent, ElementsAre("ALTER TABLE a ADD COLUMN b int;", "CREATE INDEX CONCURRENTLY IF NOT EXISTS a_b ON a (b);"));
    EXPECT_EQ(db.progress.at(1000).completed, 3);
    // The announcement names the statement PostgreSQL refuses in a block, not the COMMIT before it.
    EXPECT_THAT(db.notices, ::testing::Contains(HasSubstr("(statement 3, line 5: CREATE INDEX CONCURRENTLY)")));
}

TEST(OutsideTransaction, AnInvalidIndexLeftByAnEarlierBuildIsRefusedNamedThenRebuiltOnRequest) {
    FakeOutside db;
    const Inputs in = with_cic();
    db.indexes["a_i"] = IndexState{"public.a_i", false};
    Error e = error_from([&] { apply(db, in); });
    EXPECT_EQ(std::string(e.what()),
              "index public.a_i is invalid: an earlier CREATE INDEX CONCURRENTLY of it failed or was interrupted");
    EXPECT_EQ(e.context(), "migration \"0001_cic\", statement 2 of 3 (line 3): CREATE INDEX CONCURRENTLY a_i ON a (id);");
    EXPECT_THAT(e.hint(), HasSubstr("DROP INDEX CONCURRENTLY public.a_i;"));
    EXPECT_THAT(e.hint(), HasSubstr("--rebuild-invalid-indexes"));
    EXPECT_THAT(db.sent, ElementsAre("CREATE TABLE a (id int);"));

    FakeOutside again;
    again.indexes["a_i"] = IndexState{"public.a_i", false};
    again.rebuild = true;
    apply(again, in);
    EXPECT_THAT(again.log, ::testing::Contains("drop_index_concurrently public.a_i"));
    EXPECT_THAT(again.sent, ::testing::Contains("CREATE INDEX CONCURRENTLY a_i ON a (id);"));
}

TEST(OutsideTransaction, AValidIndexFoundOnResumeIsTheInterruptedBuildCompleted) {
    FakeOutside db;
    const Inputs in = with_cic();
    db.rows.push_back({db.next_id++, fake_hash("SELECT 0;"), 1000});
    db.progress[1001] = Progress{fake_hash(kCic), 1};
    db.indexes["a_i"] = IndexState{"public.a_i", true};
    apply(db, in);
    EXPECT_THAT(db.sent, ElementsAre("SELECT 1;"));
    EXPECT_THAT(db.notices, ::testing::Contains("index public.a_i exists and is valid: its CREATE INDEX CONCURRENTLY "
                                                "completed in an earlier run"));
    EXPECT_EQ(db.progress.at(1001).completed, 3);
}

TEST(OutsideTransaction, AFailedBuildNamesTheIndexItLeftInvalidWithItsDrop) {
    FakeOutside db;
    db.failing.insert("CREATE INDEX CONCURRENTLY a_i ON a (id);");
    db.invalid_after_failure = {"public.a_i"};
    FakeDbError e = test::fake_error_from([&] { apply(db, with_cic()); });
    EXPECT_THAT(e.detail, HasSubstr("1 index left invalid (public.a_i): DROP INDEX CONCURRENTLY public.a_i;"));
    EXPECT_THAT(e.hint, HasSubstr("--rebuild-invalid-indexes"));
}

TEST(OutsideTransaction, ApplyEachRunsItTooBetweenItsCommits) {
    FakeOutside db;
    const ApplyResult r = apply_each(db, with_cic());
    EXPECT_THAT(r.applied_tags, ElementsAre("0000_first", "0001_cic"));
    EXPECT_THAT(db.sent, ::testing::Contains("CREATE INDEX CONCURRENTLY a_i ON a (id);"));
}

TEST(OutsideTransaction, WhereTheDatabaseCannotLeaveItsTransactionItIsRefusedNamingTheClient) {
    FakeDatabase db;  // the extension
    Error e = error_from([&] { apply(db, with_cic()); });
    EXPECT_EQ(e.kind(), ErrorKind::unsupported);
    EXPECT_THAT(std::string(e.what()), HasSubstr("\"0001_cic\" statement 2 of 3 (line 3): CREATE INDEX CONCURRENTLY"));
    EXPECT_THAT(e.hint(), HasSubstr("trovella-migrate migrate, without --single-transaction, runs such a migration "
                                    "statement by statement"));
    EXPECT_TRUE(db.executed.empty());
}

TEST(OutsideTransaction, PlanListsItMarkedAndRefusesItWithSingleTransaction) {
    FakeDatabase db;
    const auto planned = plan(db, with_cic());
    ASSERT_EQ(planned.size(), 4u);
    EXPECT_TRUE(planned[0].in_transaction);
    EXPECT_FALSE(planned[1].in_transaction);
    EXPECT_FALSE(planned[3].in_transaction);
    EXPECT_THAT(db.notices, ::testing::Contains(HasSubstr("0001_cic cannot run in a transaction")));
    const Inputs single =
        inputs_of({{"0000_first", 1000, "SELECT 0;"}, {"0001_cic", 1001, kCic}}, R"({"single_transaction": true})",
                  Function::plan);
    EXPECT_EQ(error_from([&] { plan(db, single); }).kind(), ErrorKind::unsupported);
}

TEST(OutsideTransaction, CopyFromStdinIsRefusedEvenWhereTheDatabaseCanLeaveItsTransaction) {
    FakeOutside db;
    Error e = error_from([&] { apply(db, inputs_of({{"0000_copy", 1000, "COPY a FROM STDIN;"}})); });
    EXPECT_THAT(e.hint(), HasSubstr("No migration can run these"));
    EXPECT_TRUE(db.sent.empty());
}

TEST(OutsideTransaction, StatusShowsAnInterruptedMigrationPartialWithItsProgress) {
    FakeOutside db;
    db.rows.push_back({db.next_id++, fake_hash("SELECT 0;"), 1000});
    db.progress[1001] = Progress{fake_hash(kCic), 2};
    const auto rows = status(db, with_cic());
    EXPECT_EQ(rows[1].state_name(), "partial");
    EXPECT_EQ(rows[1].progress, "2/3");
    EXPECT_EQ(rows[0].state_name(), "applied");
}

TEST(NewEnumValue, A55P04InOneTransactionGetsTheHintNamingCommitEach) {
    FakeDatabase db;
    db.failing_statements["0001_b#1"] = "unsafe use of new value \"b\" of enum type mood";
    db.new_enum_value_used = true;
    FakeDbError e = test::fake_error_from([&] {
        apply(db, inputs_of({{"0000_a", 1000, "ALTER TYPE mood ADD VALUE 'b';"}, {"0001_b", 1001, "SELECT 'b'::mood;"}}));
    });
    EXPECT_THAT(e.hint, HasSubstr("trovella-migrate migrate --commit-each"));
}

}  // namespace
}  // namespace trovella::core
