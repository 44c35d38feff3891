// The order of a run with Drizzle 1.x (doc/drizzle-v1.md): a folder layout applied to no table,
// a version-0 table (the upgrade, its refusal and the grants it needs, all before anything runs)
// and a version-1 table (pending by name, rows without a name named); a 0.x journal recorded in a
// version-1 table; the read-only functions, which compute names but never write them. Against the
// fake database, so the same for the extension and the client engine.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/folders.hpp"
#include "core/reports.hpp"
#include "core/run.hpp"
#include "core_test_support.hpp"
#include "run_inputs.hpp"
#include "fake_database.hpp"

namespace trovella::core {
namespace {

using test::error_from;
using test::FakeDatabase;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using test::fake_hash;

const std::string kA = "20260101000000_a", kB = "20260101000001_b", kC = "20260101000002_c";
const std::int64_t kMsA = 1767225600000, kMsB = 1767225601000, kMsC = 1767225602000;

// A Drizzle 1.x folder (journal NULL) of these (name, text), through the real inputs.
Inputs folder(const std::vector<std::pair<std::string, std::string>>& migrations, const std::string& options = "{}",
              Function fn = Function::apply) {
    MigrationTexts texts;
    for (const auto& [name, text] : migrations) texts.emplace(name, text);
    return make_inputs(std::nullopt, texts, parse_options(options, fn), fn, Texts::required, &fake_hash);
}

Inputs abc(const std::string& options = "{}", Function fn = Function::apply) {
    return folder({{kA, "SELECT 'a';"}, {kB, "SELECT 'b';"}, {kC, "SELECT 'c';"}}, options, fn);
}

TrackingRow v1_row(std::int64_t id, const std::string& name, std::int64_t ms, const std::string& text) {
    return TrackingRow{id, fake_hash(text), ms, name};
}

std::size_t at(const FakeDatabase& db, const std::string& call) {
    auto it = std::find(db.log.begin(), db.log.end(), call);
    EXPECT_NE(it, db.log.end()) << "no call " << call;
    return static_cast<std::size_t>(it - db.log.begin());
}

std::vector<std::string> names_in(const FakeDatabase& db) {
    std::vector<std::string> out;
    for (const auto& row : db.rows) out.push_back(row.name.value_or("<null>"));
    return out;
}

// ---- a folder, no table --------------------------------------------------------------------------

TEST(ApplyFolders, AFreshDatabaseGetsAVersionOneTableAndNamedRows) {
    FakeDatabase db;
    db.table_exists = false;
    Inputs in = abc();
    ApplyResult r = apply(db, in);
    EXPECT_TRUE(r.verified);
    EXPECT_THAT(r.applied_tags, ElementsAre(kA, kB, kC));
    EXPECT_THAT(db.log, Contains("create_tracking_table_if_missing v1"));
    EXPECT_THAT(db.log, Not(Contains("upgrade_tracking_table")));
    EXPECT_THAT(names_in(db), ElementsAre(kA, kB, kC));
    EXPECT_THAT(db.log, Contains("insert_tracking_row " + std::to_string(kMsB)));
    EXPECT_THAT(r.messages, Contains("Verified: database has all 3 migrations."));
}

TEST(ApplyFolders, PendingByNameModifiedByHash) {
    FakeDatabase db;
    db.version = TableVersion::v1;
    // a's row has only a name (drizzle-orm 1.x reads nothing else); b's row has c's second.
    db.rows = {TrackingRow{1, fake_hash("SELECT 'a';"), std::nullopt, kA}, v1_row(2, kB, kMsC, "SELECT 'b';")};
    db.next_id = 3;
    ApplyResult r = apply(db, abc());
    EXPECT_THAT(r.applied_tags, ElementsAre(kC));
    db.rows[1].hash = "edited";
    Error e = error_from([&] { apply(db, abc()); });
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_STREQ(e.what(), "cannot apply migrations: 1 modified migration (\"20260101000001_b\")");
}

TEST(ApplyFolders, OutOfOrderIsByFolderOrderNotByCreatedAt) {
    FakeDatabase db;
    db.version = TableVersion::v1;
    // c was applied; a and b sort before it (the folder merged from a branch).
    db.rows = {v1_row(1, kC, kMsC, "SELECT 'c';")};
    db.next_id = 2;
    Error e = error_from([&] { apply(db, abc()); });
    EXPECT_STREQ(e.what(),
                 "cannot apply migrations: 2 out-of-order migrations (\"20260101000000_a\", \"20260101000001_b\")");
    EXPECT_THAT(e.detail(), HasSubstr("out of order: \"20260101000000_a\" sorts before \"20260101000002_c\", the last "
                                      "applied migration folder"));
    ApplyResult r = apply(db, abc(R"({"allow_out_of_order": true})"));
    EXPECT_THAT(r.applied_tags, ElementsAre(kA, kB));
    EXPECT_TRUE(r.verified);
}

TEST(ApplyFolders, ARowWhoseNameNoFolderHasIsUnknown) {
    FakeDatabase db;
    db.version = TableVersion::v1;
    db.rows = {v1_row(1, kA, kMsA, "SELECT 'a';"), v1_row(2, "20990101000000_elsewhere", kMsA, "x")};
    Error e = error_from([&] { apply(db, abc()); });
    EXPECT_STREQ(e.what(), "cannot apply migrations: 1 unknown tracking row (id 2)");
    EXPECT_THAT(e.detail(), HasSubstr("unknown: tracking row id 2 (name \"20990101000000_elsewhere\", created_at "
                                      "1767225600000, hash sha-of(x)) matches no migration folder"));
    EXPECT_THAT(e.hint(), HasSubstr("The database has migrations this folder does not have"));
}

// ---- a folder and a version-0 table: the upgrade --------------------------------------------------

TEST(ApplyFolders, AVersionZeroTableIsUpgradedAfterEveryCheckAndBeforeAnythingRuns) {
    FakeDatabase db;  // version 0
    db.rows = {{1, fake_hash("SELECT 'a';"), kMsA + 917}, {2, fake_hash("SELECT 'b';"), kMsB + 4}};
    db.next_id = 3;
    ApplyResult r = apply(db, abc());
    EXPECT_THAT(r.applied_tags, ElementsAre(kC));
    EXPECT_THAT(r.messages, Contains("Migration state: 2 applied, 3 expected, 1 pending"));
    EXPECT_LT(at(db, "require_access append"), at(db, "require_access alter"));
    EXPECT_LT(at(db, "require_access alter"), at(db, "check_statements " + kC));
    EXPECT_LT(at(db, "check_statements " + kC), at(db, "upgrade_tracking_table"));
    EXPECT_LT(at(db, "upgrade_tracking_table"), at(db, "history_rows"));
    EXPECT_LT(at(db, "upgrade_tracking_table"), at(db, "execute " + kC + "#1"));
    ASSERT_EQ(db.upgrades.size(), 1u);
    ASSERT_EQ(db.upgrades[0].size(), 2u);
    EXPECT_EQ(db.upgrades[0][0].name, kA);
    EXPECT_EQ(db.upgrades[0][1].name, kB);
    EXPECT_THAT(names_in(db), ElementsAre(kA, kB, kC));
    EXPECT_THAT(db.notices, Contains("Upgraded tracking table drizzle.__drizzle_migrations to Drizzle 1.x's version 1 "
                                     "as drizzle-orm 1.x does: added the columns name and applied_at and named 2 rows "
                                     "after their migration folders."));
    // adopted into the history under the folder names
    EXPECT_EQ(db.events.at(0).tag, kA);
    EXPECT_EQ(db.events.at(0).created_at, kMsA + 917);
}

TEST(ApplyFolders, AnEmptyVersionZeroTableIsUpgradedToo) {
    FakeDatabase db;
    apply(db, abc());
    ASSERT_EQ(db.upgrades.size(), 1u);
    EXPECT_THAT(db.upgrades[0], IsEmpty());
    EXPECT_THAT(names_in(db), ElementsAre(kA, kB, kC));
}

TEST(ApplyFolders, AnUnmatchedRowRefusesTheUpgradeBeforeAnyChange) {
    FakeDatabase db;
    db.rows = {{1, fake_hash("SELECT 'a';"), kMsA}, {2, "deadbeef", 1700000000000}};
    Error e = error_from([&] { apply(db, abc()); });
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_STREQ(e.what(),
                 "cannot upgrade tracking table drizzle.__drizzle_migrations to Drizzle 1.x's version 1: "
                 "1 row (id 2) matches no migration folder");
    EXPECT_THAT(db.log, Not(Contains("upgrade_tracking_table")));
    EXPECT_THAT(db.log, Not(Contains("require_access alter")));
    EXPECT_TRUE(db.executed.empty());
    EXPECT_EQ(db.version, TableVersion::v0);
}

TEST(ApplyFolders, WithoutTheOwnersRightsTheUpgradeIsRefusedBeforeAnyChange) {
    FakeDatabase db;
    db.denied_access = "alter";
    db.rows = {{1, fake_hash("SELECT 'a';"), kMsA}};
    Error e = error_from([&] { apply(db, abc()); });
    EXPECT_EQ(e.kind(), ErrorKind::permission_denied);
    EXPECT_THAT(db.log, Not(Contains("upgrade_tracking_table")));
    EXPECT_TRUE(db.executed.empty());
}

TEST(ApplyFolders, ARowTheUpgradeNamesByItsSecondButWhoseHashDiffersIsModifiedAndRefused) {
    FakeDatabase db;  // drizzle-orm would upgrade and go on (U3); trovella refuses as modified
    db.rows = {{1, "an older text's hash", kMsA + 5}};
    Error e = error_from([&] { apply(db, abc()); });
    EXPECT_STREQ(e.what(), "cannot apply migrations: 1 modified migration (\"20260101000000_a\")");
    EXPECT_THAT(db.log, Not(Contains("upgrade_tracking_table")));
}

TEST(ApplyEachFolders, TheUpgradeCommitsWithTheChecksBeforeTheFirstMigration) {
    FakeDatabase db;
    db.rows = {{1, fake_hash("SELECT 'a';"), kMsA}};
    db.next_id = 2;
    db.failing_statements[kC + "#1"] = "boom";
    EXPECT_THROW(apply_each(db, abc()), test::FakeDbError);
    EXPECT_LT(at(db, "upgrade_tracking_table"), at(db, "commit"));
    EXPECT_LT(at(db, "commit"), at(db, "execute " + kB + "#1"));
    EXPECT_EQ(db.version, TableVersion::v1) << "b committed; the table stays upgraded";
}

TEST(ApplyEachFolders, ARowWithoutANameAnotherRunnerWroteMeanwhileIsNamedNotRunAgain) {
    FakeDatabase db;
    db.version = TableVersion::v1;
    // drizzle-orm 0.x (no name) records b while apply_each runs a.
    db.others_commit_before_lock[3] = {{0, fake_hash("SELECT 'b';"), kMsB}};
    ApplyResult r = apply_each(db, abc());
    EXPECT_THAT(r.applied_tags, ElementsAre(kA, kC));
    EXPECT_THAT(db.executed, Not(Contains(kB + "#1")));
    ASSERT_EQ(db.namings.size(), 1u);
    EXPECT_EQ(db.namings[0].at(0).name, kB);
    EXPECT_THAT(names_in(db), ElementsAre(kA, kB, kC));
    EXPECT_THAT(db.warnings, Contains(HasSubstr("named 1 tracking row that had no name (id 2 \"20260101000001_b\")")));
    EXPECT_TRUE(r.verified);
}

// ---- a version-1 table and rows without a name ----------------------------------------------------

TEST(ApplyFolders, RowsWithoutANameAreNamedBeforeAnythingRunsWithUpdateChecked) {
    FakeDatabase db;
    db.version = TableVersion::v1;
    db.rows = {v1_row(1, kA, kMsA, "SELECT 'a';"), {2, fake_hash("SELECT 'b';"), kMsB}};
    db.next_id = 3;
    ApplyResult r = apply(db, abc());
    EXPECT_THAT(r.applied_tags, ElementsAre(kC));
    EXPECT_LT(at(db, "require_access update"), at(db, "name_tracking_rows"));
    EXPECT_LT(at(db, "name_tracking_rows"), at(db, "execute " + kC + "#1"));
    EXPECT_THAT(names_in(db), ElementsAre(kA, kB, kC));
}

// ---- a 0.x journal and a version-1 table ----------------------------------------------------------

Inputs old_layout() {
    nlohmann::json entries =
        nlohmann::json::array({{{"idx", 0}, {"when", 1796180626914}, {"tag", "0000_init"}},
                               {{"idx", 1}, {"when", 1796180628621}, {"tag", "0001_comments_and_due_dates"}},
                               {{"idx", 2}, {"when", 1796180630209}, {"tag", "0002_branch_audit_log"}}});
    MigrationTexts texts{{"0000_init", "SELECT 0;"},
                         {"0001_comments_and_due_dates", "SELECT 1;"},
                         {"0002_branch_audit_log", "SELECT 2;"}};
    return make_inputs(nlohmann::json{{"entries", entries}}.dump(), texts, Options{}, Function::apply, Texts::required,
                       &fake_hash);
}

TEST(ApplyJournal, AVersionOneTableGetsTheNamesDrizzleKitUpWillGive) {
    FakeDatabase db;
    db.version = TableVersion::v1;
    db.rows = {{1, fake_hash("SELECT 0;"), 1796180626914}};  // drizzle-orm 0.x's row: no name
    db.next_id = 2;
    ApplyResult r = apply(db, old_layout());
    EXPECT_TRUE(r.verified);
    EXPECT_THAT(names_in(db), ElementsAre("20261202030346_init", "20261202030348_comments_and_due_dates",
                                          "20261202030350_branch_audit_log"));
    EXPECT_THAT(db.log, Not(Contains("upgrade_tracking_table")));
}

TEST(ApplyJournal, AVersionZeroTableStaysVersionZero) {
    FakeDatabase db;
    db.table_exists = false;
    ApplyResult r = apply(db, old_layout());
    EXPECT_TRUE(r.verified);
    EXPECT_THAT(db.log, Contains("create_tracking_table_if_missing v0"));
    EXPECT_EQ(db.version, TableVersion::v0);
    EXPECT_THAT(db.log, Not(Contains("upgrade_tracking_table")));
    // the up name is handed over anyway; a version-0 table has nowhere to put it
    EXPECT_THAT(db.inserted_names, ElementsAre("20261202030346_init", "20261202030348_comments_and_due_dates",
                                               "20261202030350_branch_audit_log"));
}

// ---- baseline, repair -----------------------------------------------------------------------------

TEST(BaselineFolders, RecordsNamedRowsAndUpgradesAVersionZeroTableFirst) {
    FakeDatabase db;
    db.rows = {{1, fake_hash("SELECT 'a';"), kMsA}};
    db.next_id = 2;
    auto recorded = baseline(db, abc("{}", Function::baseline), kB);
    ASSERT_EQ(recorded.size(), 1u);
    EXPECT_EQ(recorded[0].tag, kB);
    EXPECT_EQ(recorded[0].created_at, kMsB);
    EXPECT_LT(at(db, "upgrade_tracking_table"), at(db, "insert_tracking_row " + std::to_string(kMsB)));
    EXPECT_THAT(names_in(db), ElementsAre(kA, kB));
    EXPECT_TRUE(db.executed.empty());
    EXPECT_STREQ(error_from([&] { baseline(db, abc("{}", Function::baseline), "0001_b"); }).what(),
                 "through_tag \"0001_b\" is not among the migration folders");
}

TEST(RepairFolders, FindsTheRowByName) {
    FakeDatabase db;
    db.version = TableVersion::v1;
    db.rows = {v1_row(1, kA, kMsA, "SELECT 'a';"), TrackingRow{2, "old", std::nullopt, kB}};
    RecordedEntry r = repair(db, abc("{}", Function::repair), kB);
    EXPECT_EQ(r.previous_hash, "old");
    EXPECT_EQ(db.rows[1].hash, fake_hash("SELECT 'b';"));
    EXPECT_EQ(db.events.back().created_at, kMsB) << "a row without created_at is recorded with its folder's";
    EXPECT_STREQ(error_from([&] { repair(db, abc("{}", Function::repair), "0001_b"); }).what(),
                 "tag \"0001_b\" is not among the migration folders");
}

// ---- the read-only functions ----------------------------------------------------------------------

TEST(StatusFolders, AVersionZeroTableIsShownUnderTheNamesItWillGetAndNotChanged) {
    FakeDatabase db;
    db.rows = {{1, fake_hash("SELECT 'a';"), kMsA + 1}, {2, "zzz", 5}};
    Inputs in = abc("{}", Function::status);
    auto rows = status(db, in);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].state, State::applied);
    EXPECT_EQ(rows[0].created_at, kMsA);
    EXPECT_EQ(rows[1].state, State::pending);
    EXPECT_EQ(rows[3].state, State::unknown);
    EXPECT_THAT(db.notices, Contains(HasSubstr("is Drizzle's version 0 (it has no column name)")));
    EXPECT_THAT(db.log, Not(Contains("upgrade_tracking_table")));
    EXPECT_EQ(db.version, TableVersion::v0);
}

TEST(VerifyFolders, ARowWithoutANameInAVersionOneTableFailsVerification) {
    FakeDatabase db;
    db.version = TableVersion::v1;
    db.rows = {
        v1_row(1, kA, kMsA, "SELECT 'a';"), {2, fake_hash("SELECT 'b';"), kMsB}, v1_row(3, kC, kMsC, "SELECT 'c';")};
    Error e = error_from([&] { verify(db, abc("{}", Function::verify)); });
    EXPECT_EQ(e.kind(), ErrorKind::verify_failed);
    EXPECT_STREQ(e.what(),
                 "verification failed: no name: tracking row id 2 has no name, so drizzle-orm 1.x would run "
                 "\"20260101000001_b\" again; the next apply names it");
    EXPECT_THAT(e.hint(), HasSubstr("Compared the migrations folder (3 migration folders) with"));
    EXPECT_THAT(db.log, Not(Contains("name_tracking_rows")));
    db.rows[1].name = kB;
    EXPECT_TRUE(verify(db, abc("{}", Function::verify)).ok());
}

TEST(VerifyFolders, PendingSaysSoWithoutAWhen) {
    FakeDatabase db;
    db.version = TableVersion::v1;
    db.rows = {v1_row(1, kA, kMsA, "SELECT 'a';")};
    VerifyReport v = verify(db, abc(R"({"raise": false})", Function::verify));
    EXPECT_THAT(v.problems, ElementsAre("Migration count mismatch: database has 1 but expected 3",
                                        "pending: \"20260101000001_b\" has no tracking row",
                                        "pending: \"20260101000002_c\" has no tracking row"));
}

TEST(PlanFolders, RefusesAnUpgradeApplyWouldRefuse) {
    FakeDatabase db;
    db.rows = {{1, "deadbeef", 1700000000000}};
    Error e = error_from([&] { plan(db, abc("{}", Function::plan)); });
    EXPECT_THAT(e.what(), HasSubstr("cannot upgrade tracking table"));
    db.rows = {{1, fake_hash("SELECT 'a';"), kMsA}};
    auto planned = plan(db, abc("{}", Function::plan));
    ASSERT_EQ(planned.size(), 2u);
    EXPECT_EQ(planned[0].tag, kB);
    EXPECT_EQ(db.version, TableVersion::v0);
}

}  // namespace
}  // namespace trovella::core
