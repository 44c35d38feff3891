// The migrations argument: tag -> exact text of <tag>.sql; the texts the journal needs and the
// files it does not know (DESIGN section 1).
#include "core/migration_texts.hpp"

#include <string>
#include <vector>

#include "core_test_support.hpp"

namespace trovella::core {
namespace {

using test::error_from;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Journal two_entry_journal() {
    return parse_journal(R"({"version":"7","dialect":"postgresql","entries":[)"
                         R"({"idx":0,"version":"7","when":1000,"tag":"0000_a","breakpoints":true},)"
                         R"({"idx":1,"version":"7","when":2000,"tag":"0001_b","breakpoints":true}]})");
}

TEST(MigrationTexts, TextsAreKeptByteForByte) {
    MigrationTexts texts =
        parse_migration_texts(R"({"0000_a":"CREATE TABLE a ();\r\n--> statement-breakpoint\r\nCREATE TABLE b ();\r\n",)"
                              R"("0001_b":"\ufeffSELECT 1;",)"
                              R"("0002_c":"SELECT 'caf\u00e9', '\ud83d\ude00', E'\\x41', '\"q\"', $$a;b$$;\n\t",)"
                              R"("0003_empty":""})");
    ASSERT_EQ(texts.size(), 4u);
    EXPECT_EQ(texts.at("0000_a"), "CREATE TABLE a ();\r\n--> statement-breakpoint\r\nCREATE TABLE b ();\r\n");
    EXPECT_EQ(texts.at("0001_b"), "\xEF\xBB\xBFSELECT 1;") << "the BOM stays: it is part of the hash";
    EXPECT_EQ(texts.at("0002_c"), "SELECT 'caf\xC3\xA9', '\xF0\x9F\x98\x80', E'\\x41', '\"q\"', $$a;b$$;\n\t");
    EXPECT_EQ(texts.at("0003_empty"), "");
}

TEST(MigrationTexts, RawUtf8AndBomBytesAreKept) {
    const std::string text = "\xEF\xBB\xBF-- \xE6\x97\xA5\xE6\x9C\xAC\nSELECT 1;";
    MigrationTexts texts = parse_migration_texts(
        "{\"0000_a\":\"" + std::string("\xEF\xBB\xBF-- \xE6\x97\xA5\xE6\x9C\xAC\\nSELECT 1;") + "\"}");
    EXPECT_EQ(texts.at("0000_a"), text);
}

TEST(MigrationTexts, EmbeddedNulIsKept) {
    MigrationTexts texts = parse_migration_texts(R"({"0000_a":"a\u0000b"})");
    EXPECT_EQ(texts.at("0000_a"), std::string("a\0b", 3));
}

TEST(MigrationTexts, EmptyObjectIsNoTexts) { EXPECT_TRUE(parse_migration_texts("{}").empty()); }

TEST(MigrationTexts, NonObjectIsAnError) {
    for (const char* text : {"[]", R"(["SELECT 1;"])", R"("SELECT 1;")", "null", "1"}) {
        Error e = error_from([&] { parse_migration_texts(text); });
        EXPECT_EQ(e.kind(), ErrorKind::invalid_input) << text;
        EXPECT_THAT(e.what(),
                    HasSubstr("migrations must be a JSON object mapping each tag to the text of its .sql file, not "))
            << text;
    }
}

TEST(MigrationTexts, NotJsonIsAnError) {
    for (const char* text : {"", "{", R"({"0000_a":"unterminated})", "1e999"}) {
        Error e = error_from([&] { parse_migration_texts(text); });
        EXPECT_EQ(e.kind(), ErrorKind::invalid_input) << text;
        EXPECT_THAT(e.what(), HasSubstr("migrations is not valid JSON")) << text;
    }
}

TEST(MigrationTexts, NonStringValueNamesTheTag) {
    struct Case {
        const char* text;
        const char* expected;
    };
    for (const Case& c : {
             Case{R"({"0000_a":"SELECT 1;","0001_b":1})",
                  R"(migrations["0001_b"] must be a string (the text of "0001_b.sql"), not number)"},
             Case{R"({"0001_b":null})",
                  R"(migrations["0001_b"] must be a string (the text of "0001_b.sql"), not null)"},
             Case{R"({"0001_b":["SELECT 1;"]})",
                  R"(migrations["0001_b"] must be a string (the text of "0001_b.sql"), not array)"},
             Case{R"({"0001_b":{"sql":"SELECT 1;"}})",
                  R"(migrations["0001_b"] must be a string (the text of "0001_b.sql"), not object)"},
         }) {
        Error e = error_from([&] { parse_migration_texts(c.text); });
        EXPECT_EQ(e.kind(), ErrorKind::invalid_input) << c.text;
        EXPECT_THAT(e.what(), HasSubstr(c.expected)) << c.text;
    }
}

TEST(RequireTexts, PassesWhenEveryEntryHasItsText) {
    const Journal journal = two_entry_journal();
    EXPECT_NO_THROW(require_texts(journal, parse_migration_texts(R"({"0000_a":"SELECT 1;","0001_b":"","extra":"x"})")));
}

TEST(RequireTexts, NamesEveryMissingTag) {
    const Journal journal =
        parse_journal(R"({"entries":[{"idx":0,"when":1,"tag":"0000_a"},{"idx":1,"when":2,"tag":"0001_b"},)"
                      R"({"idx":2,"when":3,"tag":"0002_c"},{"idx":3,"when":4,"tag":"0003_d"}]})");
    Error e =
        error_from([&] { require_texts(journal, parse_migration_texts(R"({"0001_b":"SELECT 1;","0001_B":"x"})")); });
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_THAT(e.what(), HasSubstr("no migration text for 3 journal entries: \"0000_a\", \"0002_c\", \"0003_d\""));
    EXPECT_THAT(e.hint(), HasSubstr("<tag>.sql"));
}

TEST(RequireTexts, OneMissingTagIsSingular) {
    const Journal journal = two_entry_journal();
    Error e = error_from([&] { require_texts(journal, parse_migration_texts(R"({"0000_a":"SELECT 1;"})")); });
    EXPECT_THAT(e.what(),
                AllOf(HasSubstr("no migration text for 1 journal entry: \"0001_b\""), Not(HasSubstr("0000_a"))));
}

TEST(RequireTexts, TagsMatchExactlyNotByPrefixOrCase) {
    const Journal journal = two_entry_journal();
    Error e = error_from([&] { require_texts(journal, parse_migration_texts(R"({"0000_a.sql":"x","0001_B":"x"})")); });
    EXPECT_THAT(e.what(), HasSubstr("\"0000_a\", \"0001_b\""));
}

TEST(OrphanTags, TextsTheJournalLacksAreListedInTagOrder) {
    // dokploy keeps 0130_abandoned_dagger.sql outside its journal; it must never run.
    const Journal journal = two_entry_journal();
    const MigrationTexts texts = parse_migration_texts(
        R"({"0130_abandoned_dagger":"x","0000_a":"x","0001_b":"x","0091_backfill_user_stats":"x"})");
    EXPECT_THAT(orphan_tags(journal, texts), ElementsAre("0091_backfill_user_stats", "0130_abandoned_dagger"));
}

TEST(OrphanTags, NoneWhenTextsMatchTheJournal) {
    const Journal journal = two_entry_journal();
    EXPECT_THAT(orphan_tags(journal, parse_migration_texts(R"({"0000_a":"x","0001_b":"x"})")), ElementsAre());
    EXPECT_THAT(orphan_tags(journal, MigrationTexts{}), ElementsAre());
}

}  // namespace
}  // namespace trovella::core
