// Names for tracking rows (core/upgrade.hpp): the back-fill of drizzle-orm 1.x's upgrade of a
// version-0 table, case by case as test/interop/v1/probe.sh established them against the real
// drizzle-orm (U2-U10 of doc/drizzle-v1.md section 3), the refusal, and which table version and
// layout need which names.
#include "core/upgrade.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "core/folders.hpp"
#include "core_test_support.hpp"

namespace trovella::core {
namespace {

using test::error_from;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kInit = "20261202030341_init", kBranch = "20261202030342_branch_audit_log",
                  kComments = "20261202030344_comments_and_due_dates", kDetails = "20261202030346_audit_log_details";

// A folder of migrations (name -> hash): the hash of each is "h:" + its text, its text the name's
// suffix unless given.
struct Folder {
    Journal journal;
    FileHashes hashes;
};

Folder folder_of(const std::vector<std::pair<std::string, std::string>>& migrations) {
    Folder f;
    std::vector<std::string> names;
    for (const auto& [name, hash] : migrations) {
        names.push_back(name);
        f.hashes.emplace(name, hash);
    }
    f.journal = journal_of_folders(names);
    return f;
}

// test/interop/v1/fixtures/migrations
Folder fixtures() { return folder_of({{kInit, "hI"}, {kBranch, "hB"}, {kComments, "hC"}, {kDetails, "hD"}}); }
// test/interop/v1/fixtures/same-second
Folder same_second() {
    return folder_of({{"20260101000000_a", "hA"}, {"20260101000000_b", "hB"}, {"20260101000005_c", "hC"}});
}

TrackingRow row(std::int64_t id, std::string hash, std::optional<std::int64_t> created_at,
                std::optional<std::string> name = std::nullopt) {
    return TrackingRow{id, std::move(hash), created_at, std::move(name)};
}

// The names an upgrade gives the rows, "<none>" for an unmatched one.
std::vector<std::string> upgraded(const Folder& f, std::vector<TrackingRow> rows) {
    const Naming n = name_rows(f.journal, TableVersion::v0, std::move(rows), f.hashes);
    EXPECT_TRUE(n.upgrade);
    std::vector<std::string> out;
    for (const auto& r : n.rows) out.push_back(r.name.value_or("<none>"));
    return out;
}

TEST(UpgradeMatching, ARowOfAFixtureSecondTakesItsMigrationWhateverItsHash) {  // U3
    EXPECT_THAT(upgraded(fixtures(), {row(1, "wrong-hash", folder_millis(kInit) + 999)}), ElementsAre(kInit));
}

TEST(UpgradeMatching, NoMigrationInItsSecondThenByHash) {  // U4
    EXPECT_THAT(upgraded(fixtures(), {row(1, "hB", 1600000000000), row(2, "hD", std::nullopt)}),
                ElementsAre(kBranch, kDetails));
}

TEST(UpgradeMatching, OneMigrationCanNameSeveralRows) {  // U5
    const auto at = folder_millis(kComments);
    EXPECT_THAT(upgraded(fixtures(), {row(1, "hC", at), row(2, "hC", at)}), ElementsAre(kComments, kComments));
}

TEST(UpgradeMatching, SeveralInItsSecondThenTheOneWithItsHash) {  // U6
    EXPECT_THAT(upgraded(same_second(),
                         {row(1, "hB", 1767225600100), row(2, "hA", 1767225600900), row(3, "hC", 1767225605000)}),
                ElementsAre("20260101000000_b", "20260101000000_a", "20260101000005_c"));
}

TEST(UpgradeMatching, SeveralInItsSecondNoneWithItsHashIsUnmatchedWithoutFallingBackToTheHash) {  // U7
    const Folder f = same_second();
    const Naming n =
        name_rows(f.journal, TableVersion::v0, {row(1, "hA", 1767225600100), row(2, "hC", 1767225600900)}, f.hashes);
    ASSERT_EQ(n.unmatched.size(), 1u);
    EXPECT_EQ(n.unmatched[0].row.id, 2);
    EXPECT_EQ(n.unmatched[0].why,
              "2 migration folders are from its second (\"20260101000000_a\", \"20260101000000_b\") and none of them "
              "has its hash");
    ASSERT_EQ(n.names.size(), 1u);  // only the matched row is named
    EXPECT_EQ(n.names[0].name, "20260101000000_a");
}

TEST(UpgradeMatching, TheSecondWinsOverTheHash) {  // U8
    EXPECT_THAT(upgraded(same_second(), {row(1, "hA", 1767225605123)}), ElementsAre("20260101000005_c"));
}

TEST(UpgradeMatching, TheSameTextTwiceOutsideTheRowsSecondTakesTheLastOne) {  // U9
    const Folder f = folder_of({{"20260101000000_first", "hDup"}, {"20260101000010_second", "hDup"}});
    EXPECT_THAT(upgraded(f, {row(1, "hDup", 1500000000000)}), ElementsAre("20260101000010_second"));
}

TEST(UpgradeMatching, CreatedAtIsCutToTheSecondNotRounded) {  // U10
    EXPECT_THAT(upgraded(same_second(), {row(1, "x", 1767225605999)}), ElementsAre("20260101000005_c"));
    // Toward zero, as drizzle-orm cuts the digits: -1500 is in the second -1000, 999 in 0.
    const Folder epoch = folder_of({{"19700101000000_zero", "hZ"}});
    EXPECT_THAT(upgraded(epoch, {row(1, "x", 999), row(2, "x", -999)}),
                ElementsAre("19700101000000_zero", "19700101000000_zero"));
    EXPECT_THAT(upgraded(epoch, {row(1, "x", -1000)}), ElementsAre("<none>"));
}

TEST(UpgradeMatching, TheOldLayoutsMillisecondsMatchTheFolderDrizzleKitUpMade) {  // U1
    const Folder up = folder_of({{"20261202030346_init", "h0"},
                                 {"20261202030348_comments_and_due_dates", "h1"},
                                 {"20261202030350_branch_audit_log", "h2"}});
    EXPECT_THAT(
        upgraded(up, {row(1, "h0", 1796180626914), row(2, "h1", 1796180628621), row(3, "h2", 1796180630209)}),
        ElementsAre("20261202030346_init", "20261202030348_comments_and_due_dates", "20261202030350_branch_audit_log"));
}

TEST(UpgradeMatching, AnEmptyTableIsUpgradedWithNothingToName) {  // U11
    const Folder f = fixtures();
    const Naming n = name_rows(f.journal, TableVersion::v0, {}, f.hashes);
    EXPECT_TRUE(n.upgrade);
    EXPECT_TRUE(n.changes_table());
    EXPECT_THAT(n.names, IsEmpty());
}

TEST(UpgradeRefusal, NamesEveryUnmatchedRowAndWhyInIdOrder) {  // U2
    const Folder f = fixtures();
    const Naming n = name_rows(f.journal, TableVersion::v0,
                               {row(1, "hI", folder_millis(kInit) + 500), row(2, "deadbeef", 1700000000000),
                                row(3, "hC", folder_millis(kComments)), row(4, "cafe", std::nullopt)},
                               f.hashes);
    const Error e = upgrade_refusal(n, "drizzle.__drizzle_migrations");
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_STREQ(e.what(),
                 "cannot upgrade tracking table drizzle.__drizzle_migrations to Drizzle 1.x's version 1: 2 rows (ids "
                 "2, 4) match no migration folder");
    EXPECT_EQ(e.detail(),
              "tracking row id 2 (created_at 1700000000000, hash deadbeef): no migration folder is from its second "
              "(2023-11-14 22:13:20 UTC) and none has its hash\n"
              "tracking row id 4 (created_at NULL, hash cafe): its created_at is NULL and no migration folder has its "
              "hash");
    EXPECT_THAT(e.hint(), HasSubstr("missing from the migrations folder"));
    EXPECT_THAT(e.hint(), HasSubstr("drizzle-orm 1.x refuses to upgrade this table too. Nothing was changed."));
    const Naming one = name_rows(f.journal, TableVersion::v0, {row(7, "x", 5)}, f.hashes);
    EXPECT_THAT(upgrade_refusal(one, "t").what(), HasSubstr("1 row (id 7) matches no migration folder"));
}

// ---- which table and layout need which names ------------------------------------------------------

TEST(Naming, AVersionOneTableWithNamedRowsNeedsNothing) {
    const Folder f = fixtures();
    const Naming n = name_rows(f.journal, TableVersion::v1,
                               {row(1, "hI", folder_millis(kInit), kInit), row(2, "zzz", 1, "elsewhere")}, f.hashes);
    EXPECT_FALSE(n.upgrade);
    EXPECT_FALSE(n.changes_table());
    EXPECT_EQ(n.rows[1].name, "elsewhere");  // a name no folder has stays: it is unknown
    EXPECT_THAT(naming_problems(n), IsEmpty());
}

TEST(Naming, ARowWithoutANameInAVersionOneTableIsMatchedLikeAnUpgrade) {
    const Folder f = fixtures();
    const Naming n = name_rows(
        f.journal, TableVersion::v1,
        {row(1, "hI", folder_millis(kInit), kInit), row(2, "hC", folder_millis(kComments)), row(3, "nothing", 5)},
        f.hashes);
    EXPECT_FALSE(n.upgrade);
    ASSERT_EQ(n.names.size(), 1u);
    EXPECT_EQ(n.names[0].id, 2);
    EXPECT_EQ(n.names[0].name, kComments);
    EXPECT_EQ(n.unmatched.size(), 1u);  // id 3 stays without a name: an unknown row
    EXPECT_FALSE(n.rows[2].name.has_value());
    EXPECT_THAT(naming_problems(n),
                ElementsAre("no name: tracking row id 2 has no name, so drizzle-orm 1.x would run "
                            "\"20261202030344_comments_and_due_dates\" again; the next apply names it"));
    EXPECT_EQ(named_rows_warning(n),
              "named 1 tracking row that had no name (id 2 \"20261202030344_comments_and_due_dates\"): drizzle-orm "
              "1.x would have run their migrations again (drizzle-orm 0.x writes rows without a name)");
}

Journal old_journal() {
    return parse_journal(
        R"({"entries":[{"idx":0,"when":1796180626914,"tag":"0000_init"},{"idx":1,"when":1796180628621,"tag":"0001_comments_and_due_dates"}]})");
}

TEST(Naming, TheOldLayoutNeverUpgradesAVersionZeroTable) {
    const Naming n = name_rows(old_journal(), TableVersion::v0, {row(1, "h", 1796180626914)}, {});
    EXPECT_FALSE(n.upgrade);
    EXPECT_FALSE(n.changes_table());
    EXPECT_FALSE(n.rows[0].name.has_value());
}

TEST(Naming, TheOldLayoutInAVersionOneTableNamesRowsAfterTheFolderDrizzleKitUpWillMake) {
    const Naming n =
        name_rows(old_journal(), TableVersion::v1,
                  {row(1, "h", 1796180626914, "20261202030346_init"), row(2, "h", 1796180628621), row(3, "h", 42)}, {});
    ASSERT_EQ(n.names.size(), 1u);
    EXPECT_EQ(n.names[0].id, 2);
    EXPECT_EQ(n.names[0].name, "20261202030348_comments_and_due_dates");
    EXPECT_FALSE(n.rows[2].name.has_value());  // created_at 42 is no entry's: unknown, refused as such
}

TEST(Naming, AMissingTableNeedsNothing) {
    const Folder f = fixtures();
    const Naming n = name_rows(f.journal, TableVersion::missing, {}, f.hashes);
    EXPECT_FALSE(n.changes_table());
}

TEST(Naming, Messages) {
    EXPECT_EQ(
        upgraded_notice("drizzle.__drizzle_migrations", 3),
        "Upgraded tracking table drizzle.__drizzle_migrations to Drizzle 1.x's version 1 as drizzle-orm 1.x does: "
        "added the columns name and applied_at and named 3 rows after their migration folders.");
    EXPECT_THAT(still_version0_notice("drizzle.__drizzle_migrations"),
                HasSubstr("is Drizzle's version 0 (it has no column name): the first apply of this Drizzle 1.x folder "
                          "upgrades it as drizzle-orm 1.x does"));
}

}  // namespace
}  // namespace trovella::core
