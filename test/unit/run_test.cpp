// The order of a run (core/run.hpp, core/reports.hpp) against a fake database: what is asked of
// the database, in which order, what is recorded and said, and what is refused before anything
// runs. The same code runs in the extension (SPI) and in the client engine (libpq).
#include "core/run.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/reports.hpp"
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
using ::testing::IsSupersetOf;
using ::testing::Not;

using test::fake_hash;
using test::inputs_of;

const std::string kTwoStatements = "CREATE TABLE a (id int);\n--> statement-breakpoint\nINSERT INTO a VALUES (1);";

Inputs three() {
    return inputs_of({{"0000_a", 1000, kTwoStatements}, {"0001_b", 1001, "SELECT 1;"}, {"0002_c", 1002, "SELECT 2;"}});
}

// The position of `call` in the log (fails the test when absent).
std::size_t at(const FakeDatabase& db, const std::string& call) {
    auto it = std::find(db.log.begin(), db.log.end(), call);
    EXPECT_NE(it, db.log.end()) << "no call " << call;
    return static_cast<std::size_t>(it - db.log.begin());
}

// ---- apply ------------------------------------------------------------------------------------

TEST(Apply, FreshDatabaseInOrderLockChecksStatementsRunRecordVerify) {
    FakeDatabase db;
    db.table_exists = false;
    Inputs in = three();
    ApplyResult r = apply(db, in);

    EXPECT_EQ(r.expected, 3u);
    EXPECT_EQ(r.applied_before, 0u);
    EXPECT_EQ(r.applied, 3u);
    EXPECT_TRUE(r.verified);
    EXPECT_THAT(r.applied_tags, ElementsAre("0000_a", "0001_b", "0002_c"));
    EXPECT_THAT(r.messages, ElementsAre("Migration state: 0 applied, 3 expected, 3 pending", "Running migrations...",
                                        "Migrations complete. Applied 3 new migration(s).",
                                        "Verified: database has all 3 migrations."));
    // The order of a run.
    EXPECT_LT(at(db, "push_settings"), at(db, "require_session_can_write apply"));
    EXPECT_LT(at(db, "require_session_can_write apply"), at(db, "lock"));
    EXPECT_LT(at(db, "lock"), at(db, "create_tracking_table_if_missing v0"));
    EXPECT_LT(at(db, "create_tracking_table_if_missing v0"), at(db, "require_access append"));
    EXPECT_LT(at(db, "require_access append"), at(db, "check_statements 0000_a 0001_b 0002_c"));
    EXPECT_LT(at(db, "check_statements 0000_a 0001_b 0002_c"), at(db, "execute 0000_a#1"));
    EXPECT_LT(at(db, "execute 0000_a#2"), at(db, "insert_tracking_row 1000"));
    EXPECT_LT(at(db, "insert_tracking_row 1000"), at(db, "record applied 0000_a"));
    EXPECT_LT(at(db, "record applied 0000_a"), at(db, "execute 0001_b#1"));
    EXPECT_LT(at(db, "record applied 0002_c"), at(db, "finish_history"));
    EXPECT_EQ(db.log.back(), "pop_settings ok");
    EXPECT_EQ(db.settings_depth, 0);
    EXPECT_EQ(db.commits, 0) << "apply runs in the caller's transaction";
    // Recorded: the file's hash, the journal's when, the statements and a duration.
    ASSERT_EQ(db.rows.size(), 3u);
    EXPECT_EQ(db.rows[0].hash, fake_hash(kTwoStatements));
    EXPECT_EQ(db.rows[0].created_at, 1000);
    EXPECT_EQ(db.events[0].statements, 2);
    EXPECT_TRUE(db.events[0].duration_ms.has_value());
    EXPECT_THAT(db.notices, IsSupersetOf({"applying 0000_a (2 statements)"}));
}

TEST(Apply, NothingPendingSaysSoAndRunsNothing) {
    FakeDatabase db;
    Inputs in = three();
    db.rows = {{1, fake_hash(kTwoStatements), 1000}, {2, fake_hash("SELECT 1;"), 1001}, {3, fake_hash("SELECT 2;"), 1002}};
    db.next_id = 4;
    ApplyResult r = apply(db, in);
    EXPECT_EQ(r.applied, 0u);
    EXPECT_THAT(r.messages, ElementsAre("Migration state: 3 applied, 3 expected, 0 pending",
                                        "No pending migrations: the database is up to date.",
                                        "Migrations complete. Applied 0 new migration(s).",
                                        "Verified: database has all 3 migrations."));
    EXPECT_TRUE(db.executed.empty());
}

TEST(Apply, ARefusalComesBeforeAnyStatementIsCheckedOrRun) {
    FakeDatabase db;
    Inputs in = three();
    db.rows = {{1, "an edited file's old hash", 1000}};
    db.next_id = 2;
    Error e = error_from([&] { apply(db, in); });
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_THAT(e.what(), HasSubstr("1 modified migration (\"0000_a\")"));
    EXPECT_THAT(db.log, Not(::testing::Contains(HasSubstr("check_statements"))));
    EXPECT_TRUE(db.executed.empty());
    EXPECT_EQ(db.log.back(), "pop_settings failed") << "the settings are undone on the way out";
}

TEST(Apply, ASessionThatCannotWriteIsRefusedBeforeTheLock) {
    FakeDatabase db;
    db.read_only_session = true;
    Inputs in = three();
    Error e = error_from([&] { apply(db, in); });
    EXPECT_EQ(e.kind(), ErrorKind::read_only);
    EXPECT_THAT(db.log, Not(::testing::Contains("lock")));
}

TEST(Apply, AStatementCheckFailureRunsNothing) {
    FakeDatabase db;
    db.check_fails = true;
    Inputs in = three();
    EXPECT_THROW(apply(db, in), Error);
    EXPECT_TRUE(db.executed.empty());
    EXPECT_TRUE(db.rows.empty());
}

TEST(Apply, AFailingStatementStopsTheRunAndGetsTheLockTableHintOnlyWhenTheDatabaseSeesOne) {
    for (bool full : {false, true}) {
        FakeDatabase db;
        db.failing_statements["0001_b#1"] = "boom";
        db.lock_table_full = full;
        Inputs in = three();
        FakeDbError e("");
        try {
            apply(db, in);
            FAIL() << "apply did not fail";
        } catch (const FakeDbError& caught) {
            e = caught;
        }
        EXPECT_STREQ(e.what(), "boom");
        EXPECT_THAT(db.executed, ElementsAre("0000_a#1", "0000_a#2"));
        EXPECT_EQ(db.rows.size(), 1u) << "only the migration before it was recorded (the caller's rollback undoes it)";
        if (full)
            EXPECT_THAT(e.hint, HasSubstr("Use CALL trovella_migrate.apply_each"));
        else
            EXPECT_EQ(e.hint, "");
        EXPECT_EQ(db.log.back(), "pop_settings failed");
    }
}

TEST(Apply, NothingPendingReadsTheTrackingTableOnceAndARunReadsItAgain) {
    // Nothing ran and no row was named: the check after verifies the rows read before.
    FakeDatabase idle;
    Inputs in = three();
    idle.rows = {{1, fake_hash(kTwoStatements), 1000}, {2, fake_hash("SELECT 1;"), 1001}, {3, fake_hash("SELECT 2;"), 1002}};
    idle.next_id = 4;
    apply(idle, in);
    EXPECT_EQ(std::count(idle.log.begin(), idle.log.end(), "tracking_state"), 1);
    // A migration ran: the rows are read again after it.
    FakeDatabase busy;
    busy.rows = {{1, fake_hash(kTwoStatements), 1000}, {2, fake_hash("SELECT 1;"), 1001}};
    busy.next_id = 3;
    apply(busy, in);
    EXPECT_EQ(std::count(busy.log.begin(), busy.log.end(), "tracking_state"), 2);
}

TEST(Apply, AfterApplyVerificationCatchesARowChangedByAMigration) {
    // A migration that deletes its own tracking row: the count after is wrong.
    struct Deleting : FakeDatabase {
        void execute(const StatementRun& run) override {
            FakeDatabase::execute(run);
            if (run.entry->tag == "0001_b") rows.clear();
        }
    } db;
    Inputs in = three();
    Error e = error_from([&] { apply(db, in); });
    EXPECT_EQ(e.kind(), ErrorKind::verify_failed);
    EXPECT_STREQ(e.what(), "Migration count mismatch: database has 2 but expected 3");
}

// ---- the history: adopted, removed, ids reused ------------------------------------------------

TEST(Reconcile, RowsWrittenByDrizzleKitAreAdoptedOnceWithTheirTags) {
    FakeDatabase db;
    Inputs in = three();
    db.rows = {{1, fake_hash(kTwoStatements), 1000}};
    db.next_id = 2;
    apply(db, in);
    EXPECT_EQ(db.events[0].action, std::string("adopted"));
    EXPECT_EQ(db.events[0].tag, "0000_a");
    FakeDatabase again = db;
    again.events.clear();
    apply(again, in);
    for (const auto& e : again.events) EXPECT_NE(e.action, std::string("adopted")) << "adopted once";
}

TEST(Reconcile, AReusedIdWithAnotherRowIsAdoptedAndAGoneRowIsRemoved) {
    FakeDatabase db;
    Inputs in = three();
    // The history knows ids 1 and 2 from a tracking table that was dropped; the new table's id 1
    // holds another migration (0000_a) and id 2 is gone.
    db.history[1] = KnownRow{"old_0000", 0, "old-hash", 5, "applied", "2026-01-01 00:00:00+00"};
    db.history[2] = KnownRow{"old_0001", 1, "old-hash-2", 6, "applied", "2026-01-01 00:00:00+00"};
    db.rows = {{1, fake_hash(kTwoStatements), 1000}};
    db.next_id = 2;
    apply(db, in);
    ASSERT_GE(db.events.size(), 2u);
    EXPECT_EQ(db.events[0].action, std::string("removed"));
    EXPECT_EQ(db.events[0].tag, "old_0001");
    EXPECT_EQ(db.events[1].action, std::string("adopted"));
    EXPECT_EQ(db.events[1].tag, "0000_a");
}

// ---- apply_each -------------------------------------------------------------------------------

TEST(ApplyEach, CommitsAfterEachMigrationAndLocksBeforeEach) {
    FakeDatabase db;
    Inputs in = three();
    ApplyResult r = apply_each(db, in);
    EXPECT_EQ(r.applied, 3u);
    EXPECT_EQ(db.commits, 4) << "after the checks, then after each migration";
    EXPECT_EQ(db.locks, 5) << "the run, each migration, the final verification";
    // The checks commit before the first migration runs; each migration commits before the next
    // one takes the lock.
    EXPECT_LT(at(db, "commit"), at(db, "execute 0000_a#1"));
    const auto between = [&](const std::string& from, const std::string& to) {
        return std::vector<std::string>(db.log.begin() + static_cast<std::ptrdiff_t>(at(db, from)),
                                        db.log.begin() + static_cast<std::ptrdiff_t>(at(db, to)));
    };
    EXPECT_THAT(between("record applied 0000_a", "execute 0001_b#1"),
                ElementsAre("record applied 0000_a", "pop_settings ok", "commit", "push_settings", "lock",
                            "tracking_count"));
    EXPECT_EQ(db.settings_depth, 0);
}

TEST(ApplyEach, AMigrationAnotherRunnerAppliedMeanwhileIsSkippedNotRunTwice) {
    FakeDatabase db;
    Inputs in = three();
    db.others_commit_before_lock[3] = {{0, fake_hash("SELECT 1;"), 1001}};  // before 0001_b's lock
    ApplyResult r = apply_each(db, in);
    EXPECT_THAT(r.applied_tags, ElementsAre("0000_a", "0002_c"));
    EXPECT_THAT(db.executed, Not(::testing::Contains("0001_b#1")));
    EXPECT_TRUE(r.verified);
}

TEST(ApplyEach, ABranchOnlyRowOfAnotherRunnerIsRefusedBeforeAnythingOfThisBranchRuns) {
    FakeDatabase db;
    Inputs in = three();
    db.others_commit_before_lock[3] = {{0, "their hash", 1500}};  // another branch's migration
    Error e = error_from([&] { apply_each(db, in); });
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_THAT(e.what(), HasSubstr("1 unknown tracking row"));
    EXPECT_THAT(e.detail(), HasSubstr("apply_each committed 1 migration before the failure, which stay applied: \"0000_a\""));
    EXPECT_THAT(e.hint(), HasSubstr("Another runner committed migrations while apply_each was running; nothing of \"0001_b\" ran."));
    EXPECT_THAT(db.executed, ElementsAre("0000_a#1", "0000_a#2"));
}

TEST(ApplyEach, ARowNumberedBeforeItsOwnButCommittedAfterIsSeen) {
    // drizzle-kit (which takes no lock) drew id 1 before this call inserted its row (id 2), and
    // committed it after: "rows above the last id seen" would miss it.
    FakeDatabase db;
    Inputs in = three();
    db.next_id = 2;
    db.others_commit_before_lock[3] = {{1, "a branch migration", 1500}};
    Error e = error_from([&] { apply_each(db, in); });
    EXPECT_THAT(e.what(), HasSubstr("1 unknown tracking row (id 1)"));
    EXPECT_THAT(db.executed, ElementsAre("0000_a#1", "0000_a#2"));
}

TEST(ApplyEach, ItsOwnRowsDoNotMakeItsLaterEntriesOutOfOrder) {
    FakeDatabase db;
    // A journal whose `when` goes backwards, on a fresh database; before 0001_b, another runner
    // commits 0002_c (the oldest). The re-check that follows must not count this call's own
    // 0000_a (3000) against 0001_b (1000): only what others committed can make it out of order.
    Inputs in = inputs_of({{"0000_a", 3000, "SELECT 1;"}, {"0001_b", 1000, "SELECT 2;"}, {"0002_c", 500, "SELECT 3;"}});
    db.others_commit_before_lock[3] = {{0, fake_hash("SELECT 3;"), 500}};
    ApplyResult r = apply_each(db, in);
    EXPECT_THAT(r.applied_tags, ElementsAre("0000_a", "0001_b"));
    EXPECT_THAT(db.executed, Not(::testing::Contains("0002_c#1")));
}

TEST(ApplyEach, AFailureNamesWhatCommittedAndWhereToContinue) {
    FakeDatabase db;
    db.failing_statements["0002_c#1"] = "boom";
    Inputs in = three();
    try {
        apply_each(db, in);
        FAIL() << "apply_each did not fail";
    } catch (const FakeDbError& e) {
        EXPECT_EQ(e.detail, "apply_each committed 2 migrations before the failure, which stay applied: \"0000_a\", \"0001_b\".");
        EXPECT_EQ(e.hint, "Fix \"0002_c\" and call apply_each again: it continues with that migration.");
    }
    EXPECT_EQ(db.settings_depth, 0);
}

// ---- baseline and repair ----------------------------------------------------------------------

TEST(Baseline, RecordsThroughTheTagWithoutRunningAnything) {
    FakeDatabase db;
    Inputs in = three();
    auto recorded = baseline(db, in, "0001_b");
    ASSERT_EQ(recorded.size(), 2u);
    EXPECT_EQ(recorded[1].tag, "0001_b");
    EXPECT_TRUE(db.executed.empty());
    EXPECT_EQ(db.rows.size(), 2u);
    EXPECT_EQ(db.events[0].action, std::string("baselined"));
}

TEST(Baseline, AnUnknownTagIsBadInputNamingIt) {
    FakeDatabase db;
    Inputs in = three();
    Error e = error_from([&] { baseline(db, in, "0009_nope"); });
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_STREQ(e.what(), "through_tag \"0009_nope\" is not in the journal");
    EXPECT_TRUE(db.log.empty()) << "nothing asked of the database";
}

TEST(Repair, RecordsTheNewHashWarnsItRunsNothingAndKeepsTheOldHashInTheHistory) {
    FakeDatabase db;
    Inputs in = three();
    db.rows = {{1, "old", 1000}};
    db.next_id = 2;
    RecordedEntry r = repair(db, in, "0000_a");
    EXPECT_EQ(r.previous_hash, "old");
    EXPECT_EQ(db.rows[0].hash, fake_hash(kTwoStatements));
    EXPECT_EQ(db.events.back().previous_hash, std::optional<std::string>("old"));
    EXPECT_THAT(db.warnings, ElementsAre(HasSubstr("does not run its edited SQL")));
    EXPECT_TRUE(db.executed.empty());
}

TEST(Repair, RefusesWhatIsNotAppliedAndWhatIsNotModified) {
    FakeDatabase db;
    Inputs in = three();
    EXPECT_THAT(error_from([&] { repair(db, in, "0000_a"); }).what(), HasSubstr("it is not applied (state pending)"));
    db.rows = {{1, fake_hash(kTwoStatements), 1000}};
    EXPECT_THAT(error_from([&] { repair(db, in, "0000_a"); }).what(), HasSubstr("nothing to repair"));
}

// ---- the read-only functions ------------------------------------------------------------------

TEST(Status, AppliedAtOnlyForTheVeryRowTheExtensionApplied) {
    FakeDatabase db;
    Inputs in = three();
    db.rows = {{1, fake_hash(kTwoStatements), 1000}, {2, fake_hash("SELECT 1;"), 1001}, {7, "stray", 99}};
    db.history[1] = KnownRow{"0000_a", 0, fake_hash(kTwoStatements), 1000, "applied", "2026-12-01 10:00:00+00"};
    db.history[2] = KnownRow{"0001_b", 1, fake_hash("SELECT 1;"), 1001, "adopted", "2026-12-01 10:00:00+00"};
    auto rows = status(db, in);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].applied_at, std::optional<std::string>("2026-12-01 10:00:00+00"));
    EXPECT_EQ(rows[1].applied_at, std::nullopt) << "adopted: drizzle-kit records no time";
    EXPECT_EQ(rows[2].state, State::pending);
    EXPECT_EQ(rows[3].state, State::unknown);
    EXPECT_EQ(rows[3].recorded_hash, std::optional<std::string>("stray"));
    EXPECT_THAT(db.log, Not(::testing::Contains("lock"))) << "read-only: no lock";
}

TEST(Verify, RaisesWithTheWikiLineOrReturnsTheRow) {
    FakeDatabase db;
    Inputs in = three();
    db.rows = {{1, fake_hash(kTwoStatements), 1000}};
    Error e = error_from([&] { verify(db, in); });
    EXPECT_EQ(e.kind(), ErrorKind::verify_failed);
    EXPECT_STREQ(e.what(), "Migration count mismatch: database has 1 but expected 3");
    EXPECT_THAT(e.hint(), HasSubstr("with drizzle.__drizzle_migrations (1 rows)"));
    Inputs no_raise = inputs_of({{"0000_a", 1000, kTwoStatements}}, R"({"raise": false})", Function::verify);
    db.rows.push_back({2, "x", 5});
    VerifyReport v = verify(db, no_raise);
    EXPECT_FALSE(v.ok());
    EXPECT_EQ(v.problems.front(), "Database has 2 migrations but local journal only has 1");
}

TEST(Plan, ListsWhatApplyWouldRunAfterTheSameChecksAndRunsNothing) {
    FakeDatabase db;
    Inputs in = three();
    db.rows = {{1, fake_hash(kTwoStatements), 1000}};
    auto planned = plan(db, in);
    ASSERT_EQ(planned.size(), 2u);
    EXPECT_EQ(planned[0].tag, "0001_b");
    EXPECT_EQ(planned[0].sql, "SELECT 1;");
    EXPECT_THAT(db.log, ::testing::Contains("check_statements 0001_b 0002_c"));
    EXPECT_TRUE(db.executed.empty());
    EXPECT_EQ(db.rows.size(), 1u);
}

}  // namespace
}  // namespace trovella::core
