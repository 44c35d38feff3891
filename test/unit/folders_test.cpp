// Drizzle 1.x's folder layout (core/folders.hpp, doc/drizzle-v1.md section 1): created_at from the
// folder name as drizzle-orm 1.x computes it, which names are refused, the order of the folders,
// the name `drizzle-kit up` gives a 0.x journal entry, and the inputs of a call without a journal.
#include "core/folders.hpp"

#include <time.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/inputs.hpp"
#include "core_test_support.hpp"
#include "run_inputs.hpp"

namespace trovella::core {
namespace {

using test::error_from;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---- created_at ---------------------------------------------------------------------------------

TEST(FolderMillis, IsDateUtcOfTheFirst14DigitsInMilliseconds) {
    // doc/drizzle-v1.md 1.3 and 2.5: the values drizzle-orm 1.x wrote for the fixtures.
    EXPECT_EQ(folder_millis("20260101000005_c"), 1767225605000);
    EXPECT_EQ(folder_millis("20261202030341_init"), 1796180621000);
    EXPECT_EQ(folder_millis("20261202030346_audit_log_details"), 1796180626000);
    EXPECT_EQ(folder_millis("19700101000000_epoch"), 0);
    EXPECT_EQ(folder_millis("20240229235959_leap"), 1709251199000);
    // Only the first 14 characters count (drizzle-orm: name.slice(0, 14)).
    EXPECT_EQ(folder_millis("20260101000005"), 1767225605000);
    EXPECT_EQ(folder_millis("202601010000051_c"), 1767225605000);
    EXPECT_EQ(folder_millis("20260101000005-anything at all"), 1767225605000);
}

TEST(FolderMillis, EqualsTheCLibrarysUtcForManyTimes) {
    std::mt19937_64 random(12);
    for (int i = 0; i < 20000; ++i) {
        const std::int64_t seconds = static_cast<std::int64_t>(random() % 253402300800ULL);  // 1970 .. 9999
        const time_t t = static_cast<time_t>(seconds);
        struct tm tm {};
        ASSERT_NE(gmtime_r(&t, &tm), nullptr);
        char name[80];
        std::snprintf(name, sizeof name, "%04d%02d%02d%02d%02d%02d_x", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec);
        ASSERT_EQ(folder_millis(name), seconds * 1000) << name;
        ASSERT_EQ(utc_time(seconds * 1000).substr(0, 4), std::string(name, 4)) << name;
    }
}

TEST(FolderMillis, ANameWithoutTheTimestampIsRefusedNamingIt) {
    for (const char* name : {"custom", "2026010100000a_x", "2026-01-01_x", "2026010100000", ""}) {
        Error e = error_from([&] { folder_millis(name); });
        EXPECT_EQ(e.kind(), ErrorKind::invalid_input) << name;
        if (*name == '\0') {
            EXPECT_STREQ(e.what(), "migration folder name is empty");
            continue;
        }
        EXPECT_EQ(std::string(e.what()), "migration folder \"" + std::string(name) +
                                             "\": the name does not start with the 14 digits of a UTC time "
                                             "(YYYYMMDDHHMMSS)");
        EXPECT_THAT(e.hint(), HasSubstr("drizzle-kit names each migration folder YYYYMMDDHHMMSS_<name>"));
    }
}

TEST(FolderMillis, FieldsOutOfRangeAreRefusedNotNormalisedAsDateUtcWould) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"20261301000000_x", "20261301000000 is not a UTC time (month 13)"},
        {"20260001000000_x", "20260001000000 is not a UTC time (month 00)"},
        {"20260230000000_x", "20260230000000 is not a UTC time (day 30 of month 02)"},
        {"20230229000000_x", "20230229000000 is not a UTC time (day 29 of month 02)"},
        {"20260100000000_x", "20260100000000 is not a UTC time (day 00 of month 01)"},
        {"20260101240000_x", "20260101240000 is not a UTC time (hour 24)"},
        {"20260101006000_x", "20260101006000 is not a UTC time (minute 60)"},
        {"20260101000060_x", "20260101000060 is not a UTC time (second 60)"},
        {"19691231235959_x", "19691231235959 is not a UTC time (year 1969, before 1970)"},
        {"00990101000000_x", "00990101000000 is not a UTC time (year 99, before 1970)"},
    };
    for (const auto& [name, why] : cases) {
        Error e = error_from([&] { folder_millis(name); });
        EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
        EXPECT_EQ(std::string(e.what()), "migration folder \"" + name + "\": " + why);
    }
}

TEST(FolderMillis, WhatNoFolderNameCanHoldIsRefused) {
    EXPECT_THAT(error_from([] { folder_millis("20260101000000_a/b"); }).what(),
                HasSubstr("the name contains a path separator"));
    EXPECT_THAT(error_from([] { folder_millis("20260101000000_a\\b"); }).what(),
                HasSubstr("the name contains a path separator"));
    EXPECT_THAT(error_from([] { folder_millis(std::string("20260101000000_a\0b", 18)); }).what(),
                HasSubstr("the name contains a NUL byte"));
    EXPECT_THAT(error_from([] { folder_millis("20260101000000_" + std::string(241, 'x')); }).what(),
                HasSubstr("the name is 256 bytes long; a folder name has at most 255"));
    EXPECT_NO_THROW(folder_millis("20260101000000_" + std::string(240, 'x')));
}

TEST(FolderMillis, StartsWithTimestamp) {
    EXPECT_TRUE(starts_with_timestamp("20260101000000"));
    EXPECT_TRUE(starts_with_timestamp("99999999999999_not_a_time"));
    EXPECT_FALSE(starts_with_timestamp("2026010100000"));
    EXPECT_FALSE(starts_with_timestamp("meta"));
}

// ---- the list of migrations ---------------------------------------------------------------------

MigrationTexts texts_of(const std::vector<std::string>& names) {
    MigrationTexts texts;
    for (const auto& name : names) texts.emplace(name, "SELECT 1;");
    return texts;
}

std::vector<std::string> tags(const Journal& journal) {
    std::vector<std::string> out;
    for (const auto& e : journal.entries) out.push_back(e.tag);
    return out;
}

TEST(JournalOfFolders, EntriesInFolderOrderWithTheirTimesAndPositions) {
    const Journal j =
        journal_of_folders(texts_of({"20261202030346_audit_log_details", "20261202030341_init",
                                     "20261202030344_comments_and_due_dates", "20261202030342_branch_audit_log"}));
    EXPECT_EQ(j.layout, Layout::folders);
    EXPECT_THAT(tags(j), ElementsAre("20261202030341_init", "20261202030342_branch_audit_log",
                                     "20261202030344_comments_and_due_dates", "20261202030346_audit_log_details"));
    for (std::size_t i = 0; i < j.entries.size(); ++i) {
        EXPECT_EQ(j.entries[i].position, i);
        EXPECT_EQ(j.entries[i].idx, static_cast<std::int64_t>(i));
        EXPECT_EQ(j.entries[i].when, folder_millis(j.entries[i].tag));
        EXPECT_EQ(j.find(j.entries[i].tag), &j.entries[i]);
    }
    EXPECT_THAT(j.warnings, IsEmpty());
    EXPECT_STREQ(j.entry_word(), "migration folder");
}

TEST(JournalOfFolders, WithinOneSecondByteOrderAndAWarningNamingThem) {
    // test/interop/v1/fixtures/collation: drizzle-orm (en-US) runs them as _x 10 9 a aa B é z.
    const Journal j =
        journal_of_folders(texts_of({"20260101000000__x", "20260101000000_10", "20260101000000_9", "20260101000000_a",
                                     "20260101000000_aa", "20260101000000_B", "20260101000000_\xC3\xA9",
                                     "20260101000000_z", "20260101000002_last", "19990101000000_setup"}));
    EXPECT_THAT(tags(j), ElementsAre("19990101000000_setup", "20260101000000_10", "20260101000000_9",
                                     "20260101000000_B", "20260101000000__x", "20260101000000_a", "20260101000000_aa",
                                     "20260101000000_z", "20260101000000_\xC3\xA9", "20260101000002_last"));
    ASSERT_EQ(j.warnings.size(), 1u);
    EXPECT_EQ(
        j.warnings[0],
        "8 migration folders share the second 2026-01-01 00:00:00 UTC (\"20260101000000_10\", "
        "\"20260101000000_9\", \"20260101000000_B\", \"20260101000000__x\", \"20260101000000_a\", "
        "\"20260101000000_aa\", \"20260101000000_z\", \"20260101000000_\xC3\xA9\"): trovella_migrate applies them "
        "in the byte order of their names, drizzle-orm 1.x in the collation order of its locale, which can "
        "differ (\"_\", digits, case, accents); keep migrations that depend on each other in different "
        "seconds, as drizzle-kit generate does");
}

TEST(JournalOfFolders, EachGroupOfOneSecondHasItsWarning) {
    const Journal j = journal_of_folders(
        texts_of({"20260101000000_a", "20260101000000_b", "20260101000005_c", "20260101000009_d", "20260101000009_e"}));
    ASSERT_EQ(j.warnings.size(), 2u);
    EXPECT_THAT(j.warnings[0], HasSubstr("2 migration folders share the second 2026-01-01 00:00:00 UTC "
                                         "(\"20260101000000_a\", \"20260101000000_b\")"));
    EXPECT_THAT(j.warnings[1], HasSubstr("2026-01-01 00:00:09 UTC (\"20260101000009_d\", \"20260101000009_e\")"));
}

TEST(JournalOfFolders, ABadNameIsRefusedAndNamed) {
    Error e = error_from([] { journal_of_folders(texts_of({"20260101000000_a", "custom"})); });
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_THAT(e.what(), HasSubstr("migration folder \"custom\""));
}

TEST(JournalOfFolders, FromNamesAloneTheSameAndNoNameTwice) {
    const Journal j = journal_of_folders(std::vector<std::string>{"20260101000005_c", "20260101000000_a"});
    EXPECT_THAT(tags(j), ElementsAre("20260101000000_a", "20260101000005_c"));
    Error e = error_from([] { journal_of_folders(std::vector<std::string>{"20260101000000_a", "20260101000000_a"}); });
    EXPECT_STREQ(e.what(), "migration folder \"20260101000000_a\" is named twice");
}

TEST(JournalOfFolders, NoFoldersNoEntries) { EXPECT_THAT(journal_of_folders(MigrationTexts{}).entries, IsEmpty()); }

// ---- drizzle-kit up -----------------------------------------------------------------------------

TEST(UpName, TheUtcSecondOfWhenAndTheTagAfterItsFirstUnderscore) {
    // test/interop/v1/fixtures/v0 -> fixtures/up (doc/drizzle-v1.md 1.7).
    EXPECT_EQ(up_name("0000_init", 1796180626914), "20261202030346_init");
    EXPECT_EQ(up_name("0001_comments_and_due_dates", 1796180628621), "20261202030348_comments_and_due_dates");
    EXPECT_EQ(up_name("0002_branch_audit_log", 1796180630209), "20261202030350_branch_audit_log");
    // The wiki's journal.
    EXPECT_EQ(up_name("0001_setup_role_grants", 1774410453497), "20260325034733_setup_role_grants");
    EXPECT_EQ(up_name("0007_tro-101-research-improvements", 1774410453496),
              "20260325034733_tro-101-research-improvements");
    // tag.split("_").slice(1).join("_"): everything after the first "_", or nothing.
    EXPECT_EQ(up_name("0003_a_b__c", 0), "19700101000000_a_b__c");
    EXPECT_EQ(up_name("0004", 999), "19700101000000_");
    EXPECT_EQ(up_name("_x", 1000), "19700101000001_x");
}

TEST(UtcTime, ReadableAndMillisecondsDropped) {
    EXPECT_EQ(utc_time(1796180630209), "2026-12-02 03:03:50 UTC");
    EXPECT_EQ(utc_time(0), "1970-01-01 00:00:00 UTC");
}

TEST(MixedLayout, NamesTheFoldersAndSaysToRunDrizzleKitUp) {
    const Error e = mixed_layout_error("migrations folder \"/srv/m\"",
                                       {"20260101000000_a", "20260101000001_b", "20260101000002_c", "20260101000003_d",
                                        "20260101000004_e", "20260101000005_f", "20260101000006_g"});
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_STREQ(e.what(),
                 "migrations folder \"/srv/m\" holds both layouts: meta/_journal.json (drizzle-kit 0.x) and 7 Drizzle "
                 "1.x migration folders (\"20260101000000_a\", \"20260101000001_b\", \"20260101000002_c\", "
                 "\"20260101000003_d\", \"20260101000004_e\" and 2 more)");
    EXPECT_THAT(e.detail(), HasSubstr("drizzle-orm 1.x refuses a migrations folder that still has meta/_journal.json"));
    EXPECT_THAT(e.hint(), HasSubstr("Run drizzle-kit up (drizzle-kit 1.x)"));
}

// ---- the inputs of a call without a journal ------------------------------------------------------

using test::fake_hash;

TEST(FolderInputs, NoJournalMeansAFolderKeyedByName) {
    Inputs in = make_inputs(std::nullopt, texts_of({"20260101000005_c", "20260101000000_a"}), Options{},
                            Function::apply, Texts::required, &fake_hash);
    EXPECT_EQ(in.journal.layout, Layout::folders);
    EXPECT_THAT(tags(in.journal), ElementsAre("20260101000000_a", "20260101000005_c"));
    EXPECT_EQ(in.hash_of(in.journal.entries[0]), "sha-of(SELECT 1;)");
    EXPECT_THAT(in.orphans, IsEmpty());
}

TEST(FolderInputs, JournalAndMigrationsBothNullIsAnError) {
    Error e = error_from(
        [] { make_inputs(std::nullopt, std::nullopt, Options{}, Function::status, Texts::optional, &fake_hash); });
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_STREQ(e.what(), "journal and migrations are both NULL");
    EXPECT_THAT(e.hint(), HasSubstr("for a Drizzle 1.x folder, which has no journal, pass journal NULL and migrations "
                                    "mapping each folder name to the text of its migration.sql"));
}

TEST(FolderInputs, NamesAloneForStatusAndVerifyButNotForApply) {
    const std::vector<std::string> names{"20260101000005_c", "20260101000000_a"};
    Inputs in =
        make_inputs(std::nullopt, std::nullopt, Options{}, Function::verify, Texts::optional, &fake_hash, &names);
    EXPECT_THAT(tags(in.journal), ElementsAre("20260101000000_a", "20260101000005_c"));
    EXPECT_FALSE(in.texts.has_value());
    EXPECT_THAT(in.hashes, IsEmpty());
    Error e = error_from([&] {
        make_inputs(std::nullopt, std::nullopt, Options{}, Function::apply, Texts::required, &fake_hash, &names);
    });
    EXPECT_STREQ(e.what(), "apply() needs the text of every migration, not only the folder names");
}

TEST(FolderNames, AJsonArrayOfStrings) {
    EXPECT_THAT(*parse_folder_names(R"( ["b","a"])"), ElementsAre("b", "a"));
    EXPECT_FALSE(parse_folder_names(R"({"a":"x"})").has_value());
    EXPECT_FALSE(parse_folder_names("null").has_value());
    EXPECT_STREQ(error_from([] { parse_folder_names(R"(["a", 1])"); }).what(),
                 "migrations[1] must be a string (a migration folder name), not number");
    EXPECT_STREQ(error_from([] { parse_folder_names(R"(["a", "a"])"); }).what(),
                 "migrations[1]: migration folder \"a\" is named twice");
    EXPECT_THAT(error_from([] { parse_folder_names("[1,"); }).what(), HasSubstr("migrations is not valid JSON"));
}

}  // namespace
}  // namespace trovella::core
