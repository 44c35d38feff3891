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
#include "run_inputs.hpp"

namespace trovella::core {
namespace {

using test::error_from;
using test::FakeDatabase;
using test::FakeDbError;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using test::fake_hash;
using test::inputs_of;

// A database that can leave its transaction. Statements sent outside it are "sent"; progress
// records inside the file's own block wait for its COMMIT (a ROLLBACK or a failure drops them).
class FakeOutside : public FakeDatabase, public OutsideTransaction {
public:
    std::vector<std::string> sent;
    // Progress records, as the history keeps them: committed, and waiting for the file's COMMIT.
    struct Record {
        std::int64_t created_at;
        std::string tag;
        Progress progress;
    };
    std::vector<Record> records;
    std::vector<Record> in_block_progress;
    bool in_block = false;
    std::set<std::string> failing;                       // statement texts that fail
    std::map<std::string, IndexState> indexes;            // by name
    std::set<std::string> invalid;                        // qualified names
    std::set<std::string> invalid_after_failure;          // what a failing build leaves
    bool rebuild = false;

    OutsideTransaction* outside_transaction() override { return this; }
    PartialProgress partial_migrations() override {
        PartialProgress out;
        for (const auto& r : records) out.add(r.created_at, r.tag, r.progress);
        return out;
    }
    // A record committed by an earlier run.
    void recorded(std::int64_t created_at, const std::string& tag, const Progress& p) {
        records.push_back({created_at, tag, p});
    }
    // Statements completed, as the latest committed record about `created_at` says.
    std::int64_t completed(std::int64_t created_at) const {
        for (auto it = records.rbegin(); it != records.rend(); ++it)
            if (it->created_at == created_at) return it->progress.completed;
        ADD_FAILURE() << "no progress record for " << created_at;
        return -1;
    }

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
            records.insert(records.end(), in_block_progress.begin(), in_block_progress.end());
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
        (in_block ? in_block_progress : records).push_back({p.created_at, p.tag, kept});
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
    db.recorded(1001, "0001_cic", Progress{fake_hash(kCic), 2});
    apply(db, in);
    EXPECT_THAT(db.sent, ElementsAre("SELECT 1;"));
    EXPECT_THAT(db.notices,
                ::testing::Contains("resuming 0001_cic at statement 3 of 3 (2 statements completed in an earlier run)"));
}

TEST(OutsideTransaction, ResumingFromAnEditedFileIsRefusedBeforeAnythingRuns) {
    FakeOutside db;
    const Inputs in = with_cic();
    db.rows.push_back({db.next_id++, fake_hash("SELECT 0;"), 1000});
    db.recorded(1001, "0001_cic", Progress{"sha-of(an older text)", 1});
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
    EXPECT_EQ(db.completed(1001), 1);
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
    EXPECT_EQ(db.completed(1000), 4);
}

TEST(OutsideTransaction, AFailureInsideTheFilesBlockRollsItsProgressBackToTheBegin) {
    FakeOutside db;
    const std::string text = "SELECT 0;" + kBreak + "BEGIN;" + kBreak + "INSERT INTO a VALUES (1);" + kBreak +
                             "INSERT INTO missing VALUES (1);" + kBreak + "COMMIT;";
    const Inputs in = inputs_of({{"0000_block", 1000, text}});
    db.failing.insert("INSERT INTO missing VALUES (1);");
    FakeDbError e = test::fake_error_from([&] { apply(db, in); });
    EXPECT_THAT(db.log, ::testing::Contains("abandon_block"));
    EXPECT_EQ(db.completed(1000), 1);  // statements 2-3 rolled back with the block
    EXPECT_THAT(e.hint, HasSubstr("it resumes \"0000_block\" at statement 2."));
}

TEST(OutsideTransaction, ACommitOrRollbackWithNoBlockOpenIsNotSentOnlyRecorded) {
    FakeOutside db;
    const std::string text = "ALTER TABLE a ADD COLUMN b int;" + kBreak + "COMMIT;" + kBreak +
                             "CREATE INDEX CONCURRENTLY IF NOT EXISTS a_b ON a (b);";
    apply(db, inputs_of({{"0000_sim", 1000, text}}));
    EXPECT_THAT(db.sent, ElementsAre("ALTER TABLE a ADD COLUMN b int;", "CREATE INDEX CONCURRENTLY IF NOT EXISTS a_b ON a (b);"));
    EXPECT_EQ(db.completed(1000), 3);
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
    db.recorded(1001, "0001_cic", Progress{fake_hash(kCic), 1});
    db.indexes["a_i"] = IndexState{"public.a_i", true};
    apply(db, in);
    EXPECT_THAT(db.sent, ElementsAre("SELECT 1;"));
    EXPECT_THAT(db.notices, ::testing::Contains("index public.a_i exists and is valid: its CREATE INDEX CONCURRENTLY "
                                                "completed in an earlier run"));
    EXPECT_EQ(db.completed(1001), 3);
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
    db.recorded(1001, "0001_cic", Progress{fake_hash(kCic), 2});
    const auto rows = status(db, with_cic());
    EXPECT_EQ(rows[1].state_name(), "partial");
    EXPECT_EQ(rows[1].progress, "2/3");
    EXPECT_EQ(rows[0].state_name(), "applied");
}

// ---- Drizzle 1.x folders: the records of a folder are found by its name -------------------------

// A Drizzle 1.x folder (journal NULL) of these (name, text).
Inputs folders_of(const std::vector<std::pair<std::string, std::string>>& migrations) {
    MigrationTexts texts;
    for (const auto& [name, text] : migrations) texts.emplace(name, text);
    return make_inputs(std::nullopt, texts, parse_options("{}", Function::apply), Function::apply, Texts::required,
                       &fake_hash);
}

const std::string kFolderA = "20260101000000_a", kFolderB = "20260101000000_b";  // one second
const std::int64_t kSecond = 1767225600000;

TEST(OutsideTransactionFolders, AFinishedFoldersRecordsAreNotThoseOfAnotherFolderOfItsSecond) {
    FakeOutside db;
    db.version = TableVersion::v1;
    // a ran statement by statement and finished: its records stay in the history beside its row.
    db.rows.push_back(TrackingRow{db.next_id++, fake_hash(kCic), kSecond, kFolderA});
    for (std::int64_t i = 1; i <= 3; ++i) db.recorded(kSecond, kFolderA, Progress{fake_hash(kCic), i});
    const Inputs in = folders_of({{kFolderA, kCic}, {kFolderB, kCic}});
    const auto before = status(db, in);
    ASSERT_EQ(before.size(), 2u);
    EXPECT_EQ(before[1].state_name(), "pending");
    EXPECT_FALSE(before[1].progress.has_value());
    // b runs from its first statement (found by created_at, a's "3 of 3" would have skipped them all).
    const ApplyResult r = apply(db, in);
    EXPECT_THAT(r.applied_tags, ElementsAre(kFolderB));
    EXPECT_THAT(db.sent, ElementsAre("CREATE TABLE a (id int);", "CREATE INDEX CONCURRENTLY a_i ON a (id);", "SELECT 1;"));
    EXPECT_THAT(db.notices, Not(::testing::Contains(HasSubstr("resuming"))));
    EXPECT_EQ(db.rows.back().name, kFolderB);
}

TEST(OutsideTransactionFolders, AnInterruptedFolderResumesAndShowsPartialByItsName) {
    FakeOutside db;
    db.version = TableVersion::v1;
    db.rows.push_back(TrackingRow{db.next_id++, fake_hash("SELECT 0;"), kSecond, kFolderA});
    db.recorded(kSecond, kFolderB, Progress{fake_hash(kCic), 1});
    const Inputs in = folders_of({{kFolderA, "SELECT 0;"}, {kFolderB, kCic}});
    const auto rows = status(db, in);
    EXPECT_EQ(rows[0].state_name(), "applied");
    EXPECT_EQ(rows[1].state_name(), "partial");
    EXPECT_EQ(rows[1].progress, "1/3");
    apply(db, in);
    EXPECT_THAT(db.sent, ElementsAre("CREATE INDEX CONCURRENTLY a_i ON a (id);", "SELECT 1;"));
    EXPECT_THAT(db.notices, ::testing::Contains(HasSubstr("resuming " + kFolderB + " at statement 2 of 3")));
}

TEST(OutsideTransactionFolders, AMigrationInterruptedUnderTheJournalResumesOnceDrizzleKitUpRenamedIt) {
    FakeOutside db;
    db.version = TableVersion::v1;
    // 0000_cic (when with milliseconds) ran 2 statements; drizzle-kit up made it 20260101000000_cic.
    db.recorded(kSecond + 123, "0000_cic", Progress{fake_hash(kCic), 2});
    const Inputs in = folders_of({{"20260101000000_cic", kCic}});
    EXPECT_EQ(status(db, in)[0].progress, "2/3");
    apply(db, in);
    EXPECT_THAT(db.sent, ElementsAre("SELECT 1;"));
    EXPECT_THAT(db.notices, ::testing::Contains(HasSubstr("resuming 20260101000000_cic at statement 3 of 3")));
    // From another text it is not known to be the same migration: it runs from its first statement.
    FakeOutside edited;
    edited.version = TableVersion::v1;
    edited.recorded(kSecond + 123, "0000_cic", Progress{"sha-of(an older text)", 2});
    apply(edited, in);
    EXPECT_EQ(edited.sent.size(), 3u);
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
