// The journal parser: what drizzle-kit writes is accepted as written, every hard error of DESIGN
// section 1 names the entry at fault, and the oddities real journals have are warnings.
#include "core/journal.hpp"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
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
using json = nlohmann::json;

// The journal of the wiki, byte for byte.
constexpr const char* kWikiJournal = R"({
  "version": "7",
  "dialect": "postgresql",
  "entries": [
    {
      "idx": 0,
      "version": "7",
      "when": 1774410453496,
      "tag": "0000_lying_agent_zero",
      "breakpoints": true
    },
    {
      "idx": 1,
      "version": "7",
      "when": 1774410453497,
      "tag": "0001_setup_role_grants",
      "breakpoints": true
    }
  ]
})";

json entry(std::int64_t idx, std::int64_t when, const std::string& tag, const std::string& version = "7") {
    return json{{"idx", idx}, {"version", version}, {"when", when}, {"tag", tag}, {"breakpoints", true}};
}

std::string journal_text(const json& entries, const std::string& version = "7",
                         const std::string& dialect = "postgresql") {
    return json{{"version", version}, {"dialect", dialect}, {"entries", entries}}.dump(2);
}

// Two good entries followed by `third` (JSON text): errors in it must name entries[2].
std::string with_third_entry(const std::string& third) {
    return R"({"version":"7","dialect":"postgresql","entries":[)"
           R"({"idx":0,"version":"7","when":1700000000000,"tag":"0000_a","breakpoints":true},)"
           R"({"idx":1,"version":"7","when":1700000000001,"tag":"0001_b","breakpoints":true},)" +
           third + "]}";
}

std::vector<std::string> tags_of(const Journal& journal) {
    std::vector<std::string> tags;
    for (const auto& e : journal.entries) tags.push_back(e.tag);
    return tags;
}

// ---- what drizzle-kit writes ---------------------------------------------------------------

TEST(Journal, ParsesTheWikiJournalFieldByField) {
    Journal journal = parse_journal(kWikiJournal);
    EXPECT_EQ(journal.version, "7");
    EXPECT_EQ(journal.dialect, "postgresql");
    ASSERT_EQ(journal.entries.size(), 2u);
    const JournalEntry& first = journal.entries[0];
    EXPECT_EQ(first.position, 0u);
    EXPECT_EQ(first.idx, std::optional<std::int64_t>(0));
    EXPECT_EQ(first.version, "7");
    EXPECT_EQ(first.when, 1774410453496);
    EXPECT_EQ(first.tag, "0000_lying_agent_zero");
    EXPECT_TRUE(first.breakpoints);
    EXPECT_EQ(journal.entries[1].position, 1u);
    EXPECT_EQ(journal.entries[1].when, 1774410453497);
    EXPECT_EQ(journal.entries[1].tag, "0001_setup_role_grants");
    EXPECT_THAT(journal.warnings, ElementsAre());
}

class JournalHeaderVersion : public ::testing::TestWithParam<const char*> {};

TEST_P(JournalHeaderVersion, IsAcceptedWithoutWarning) {
    Journal journal =
        parse_journal(journal_text(json::array({entry(0, 1700000000000, "0000_a", GetParam())}), GetParam()));
    EXPECT_EQ(journal.version, GetParam());
    EXPECT_EQ(journal.entries.at(0).version, GetParam());
    EXPECT_THAT(journal.warnings, ElementsAre());
}

INSTANTIATE_TEST_SUITE_P(DrizzleKitVersions, JournalHeaderVersion, ::testing::Values("5", "6", "7"));

TEST(Journal, UnknownHeaderVersionIsAWarningNotAnError) {
    Journal journal = parse_journal(journal_text(json::array({entry(0, 1700000000000, "0000_a")}), "8"));
    EXPECT_EQ(journal.version, "8");
    ASSERT_EQ(journal.entries.size(), 1u);
    EXPECT_THAT(journal.warnings, ElementsAre(HasSubstr("journal version \"8\"")));
}

TEST(Journal, LegacyPgDialectIsAccepted) {
    // dokploy's journal: header version "5", dialect "pg", entries of versions 5, 6 and 7 mixed.
    Journal journal =
        parse_journal(journal_text(json::array({entry(0, 1700000000000, "0000_reflective_puck", "5"),
                                                entry(1, 1700000000001, "0001_striped_tattoo", "6"),
                                                entry(2, 1700000000002, "0002_ambiguous_carlie_cooper", "7")}),
                                   "5", "pg"));
    EXPECT_EQ(journal.dialect, "pg");
    EXPECT_EQ(journal.version, "5");
    ASSERT_EQ(journal.entries.size(), 3u);
    EXPECT_EQ(journal.entries[0].version, "5");
    EXPECT_EQ(journal.entries[1].version, "6");
    EXPECT_EQ(journal.entries[2].version, "7");
    EXPECT_THAT(journal.warnings, ElementsAre());
}

TEST(Journal, MissingVersionAndDialectAreAccepted) {
    // Drizzle's migrator never reads them.
    Journal journal = parse_journal(R"({"entries":[{"idx":0,"when":1700000000000,"tag":"0000_a"}]})");
    EXPECT_EQ(journal.version, "");
    EXPECT_EQ(journal.dialect, "");
    ASSERT_EQ(journal.entries.size(), 1u);
    EXPECT_EQ(journal.entries[0].version, "");
    EXPECT_TRUE(journal.entries[0].breakpoints) << "breakpoints defaults to true when absent";
    EXPECT_THAT(journal.warnings, ElementsAre());
}

TEST(Journal, NullVersionAndDialectCountAsMissing) {
    Journal journal = parse_journal(R"({"version":null,"dialect":null,"entries":[]})");
    EXPECT_EQ(journal.version, "");
    EXPECT_EQ(journal.dialect, "");
    EXPECT_TRUE(journal.entries.empty());
}

TEST(Journal, NullAndUnknownValuesInsideEntriesDoNotStopTheReading) {
    // A null (an unknown key's, an entry's version, breakpoints) read in the middle of the array:
    // every entry after it is still read, and a bad one after it still refused.
    Journal journal = parse_journal(
        R"({"entries":[{"idx":0,"version":null,"when":1700000000000,"tag":"0000_a","breakpoints":null,"x":null},)"
        R"({"idx":1,"when":1700000000001,"tag":"0001_b","other":[null,{"y":null}]},)"
        R"({"idx":2,"when":1700000000002,"tag":"0002_c"}],"trailer":null})");
    EXPECT_THAT(tags_of(journal), ElementsAre("0000_a", "0001_b", "0002_c"));
    EXPECT_EQ(journal.entries.at(0).version, "");
    EXPECT_TRUE(journal.entries.at(0).breakpoints);
    EXPECT_THAT(error_from([] { parse_journal(with_third_entry(R"({"x":null,"when":1700000000002,"tag":".."})")); }).what(),
                HasSubstr("journal entries[2] (tag \"..\"): tag contains \"..\""));
}

TEST(Journal, EmptyEntriesArrayIsAValidJournal) {
    // drizzle-kit writes this before the first migration is generated.
    Journal journal = parse_journal(R"({"version":"7","dialect":"postgresql","entries":[]})");
    EXPECT_TRUE(journal.entries.empty());
    EXPECT_THAT(journal.warnings, ElementsAre());
}

TEST(Journal, LeadingByteOrderMarkIsAccepted) {
    Journal journal = parse_journal(std::string("\xEF\xBB\xBF") + kWikiJournal);
    EXPECT_EQ(journal.entries.size(), 2u);
}

TEST(Journal, BreakpointsFalseIsKeptAsWritten) {
    Journal journal = parse_journal(
        R"({"entries":[{"idx":0,"version":"7","when":1700000000000,"tag":"0000_a","breakpoints":false}]})");
    EXPECT_FALSE(journal.entries.at(0).breakpoints);
}

TEST(Journal, AcceptsEveryTagStyleInUse) {
    const std::vector<std::string> tags{"0000_x",
                                        "20240101120000_x",
                                        "custom_name",
                                        "0007_tro-101-research-improvements",
                                        "0008_add-correlation-id-and-embedding-count",
                                        "0009 with spaces.v2",
                                        "0010_caf\xC3\xA9"};
    json entries = json::array();
    for (std::size_t i = 0; i < tags.size(); ++i)
        entries.push_back(entry(static_cast<std::int64_t>(i), 1700000000000 + static_cast<std::int64_t>(i), tags[i]));
    Journal journal = parse_journal(journal_text(entries));
    EXPECT_EQ(tags_of(journal), tags);
    EXPECT_THAT(journal.warnings, ElementsAre());
}

TEST(Journal, ArrayOrderIsKeptNeverSorted) {
    // Drizzle applies entries in array order; a tag or `when` that sorts earlier stays where it is.
    Journal journal = parse_journal(journal_text(json::array({
        entry(0, 1700000000300, "0002_c"),
        entry(1, 1700000000100, "0000_a"),
        entry(2, 1700000000200, "20240101120000_b"),
    })));
    EXPECT_THAT(tags_of(journal), ElementsAre("0002_c", "0000_a", "20240101120000_b"));
    EXPECT_EQ(journal.entries[0].when, 1700000000300);
    EXPECT_EQ(journal.entries[1].position, 1u);
    EXPECT_EQ(journal.entries[2].position, 2u);
}

TEST(Journal, WhenBoundsAreZeroAndInt64Max) {
    const auto max = std::numeric_limits<std::int64_t>::max();
    Journal journal = parse_journal(journal_text(json::array({entry(0, 0, "0000_a"), entry(1, max, "0001_b")})));
    EXPECT_EQ(journal.entries.at(0).when, 0);
    EXPECT_EQ(journal.entries.at(1).when, max);
}

TEST(Journal, TagOfExactly251BytesIsAccepted) {
    const std::string tag(kMaxTagBytes, 'a');
    ASSERT_EQ(tag.size(), 251u);
    Journal journal = parse_journal(journal_text(json::array({entry(0, 1, tag)})));
    EXPECT_EQ(journal.entries.at(0).tag, tag);
}

TEST(Journal, IdxAtTheEdgesOfAnIntegerIsAccepted) {
    Journal journal = parse_journal(journal_text(json::array({entry(2147483647, 1, "0000_a"), entry(-2147483648LL, 2, "0001_b")})));
    EXPECT_EQ(journal.entries[0].idx, 2147483647);
    EXPECT_EQ(journal.entries[1].idx, -2147483648LL);
}

TEST(Journal, FindWorksOnACopy) {
    Journal original = parse_journal(kWikiJournal);
    Journal copy = original;
    ASSERT_NE(copy.find("0001_setup_role_grants"), nullptr);
    EXPECT_EQ(copy.find("0001_setup_role_grants"), &copy.entries[1]);
}

TEST(Journal, FindLooksUpByTag) {
    Journal journal = parse_journal(kWikiJournal);
    const JournalEntry* found = journal.find("0001_setup_role_grants");
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->position, 1u);
    EXPECT_EQ(journal.find("0001_setup_role"), nullptr);
    EXPECT_EQ(journal.find(""), nullptr);
}

// ---- warnings: real journals have them, so they are reported, not fatal ----------------------

TEST(JournalWarnings, IdxGapIsAWarningNamingTheEntry) {
    // sim's journal has no idx 29: the entries after it still apply, in array order.
    Journal journal = parse_journal(
        journal_text(json::array({entry(0, 1700000000000, "0000_a"), entry(2, 1700000000001, "0002_c")})));
    ASSERT_EQ(journal.entries.size(), 2u);
    EXPECT_EQ(journal.entries[1].idx, std::optional<std::int64_t>(2));
    EXPECT_THAT(journal.warnings, ElementsAre(AllOf(HasSubstr("journal entries[1] (tag \"0002_c\")"),
                                                    HasSubstr("idx is 2 but the entry is number 1"))));
}

TEST(JournalWarnings, IdxMismatchAndMissingIdxAreWarnings) {
    Journal journal = parse_journal(with_third_entry(R"({"version":"7","when":1700000000002,"tag":"0002_c"})"));
    EXPECT_EQ(journal.entries.size(), 3u);
    EXPECT_FALSE(journal.entries[2].idx.has_value());
    EXPECT_THAT(journal.warnings,
                ElementsAre(AllOf(HasSubstr("journal entries[2] (tag \"0002_c\")"), HasSubstr("no integer \"idx\""))));

    Journal swapped = parse_journal(
        journal_text(json::array({entry(1, 1700000000000, "0000_a"), entry(0, 1700000000001, "0001_b")})));
    EXPECT_THAT(swapped.warnings, ElementsAre(HasSubstr("journal entries[0] (tag \"0000_a\"): idx is 1"),
                                              HasSubstr("journal entries[1] (tag \"0001_b\"): idx is 0")));
}

TEST(JournalWarnings, WhenGoingBackwardsIsAWarningNotAnError) {
    Journal journal = parse_journal(journal_text(json::array(
        {entry(0, 1700000000500, "0000_a"), entry(1, 1700000000100, "0001_b"), entry(2, 1700000000900, "0002_c")})));
    ASSERT_EQ(journal.entries.size(), 3u);
    EXPECT_THAT(journal.warnings,
                ElementsAre(AllOf(HasSubstr("journal entries[1] (tag \"0001_b\")"), HasSubstr("when 1700000000100"),
                                  HasSubstr("not newer than the previous entry's 1700000000500"))));
}

// ---- hard errors: each names the entry at fault ----------------------------------------------

struct BadJournal {
    const char* name;
    std::string text;
    std::vector<std::string> expected;  // substrings of the message
};

void PrintTo(const BadJournal& bad, std::ostream* os) { *os << bad.name; }

class JournalHardError : public ::testing::TestWithParam<BadJournal> {};

TEST_P(JournalHardError, IsInvalidInputNamingTheEntry) {
    const BadJournal& bad = GetParam();
    Error e = error_from([&] { parse_journal(bad.text); });
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    for (const auto& expected : bad.expected) EXPECT_THAT(e.what(), HasSubstr(expected));
}

const std::string kTooLongTag(kMaxTagBytes + 1, 't');

INSTANTIATE_TEST_SUITE_P(
    Section1, JournalHardError,
    ::testing::Values(
        BadJournal{"NotJson", R"({"entries": [)", {"journal is not valid JSON"}},
        BadJournal{"EmptyText", "", {"journal is not valid JSON"}},
        BadJournal{"TrailingGarbage", R"({"entries": []} x)", {"journal is not valid JSON"}},
        BadJournal{"NumberOverflow", "1e999", {"journal is not valid JSON", "number overflow"}},
        BadJournal{"NotAnObject",
                   R"([{"tag":"0000_a","when":1}])",
                   {"journal must be a JSON object with an \"entries\" array, not array"}},
        BadJournal{"StringRoot", R"("entries")", {"journal must be a JSON object", "not string"}},
        BadJournal{"NoEntries", R"({"version":"7","dialect":"postgresql"})", {"journal has no \"entries\" array"}},
        BadJournal{"EntriesNotArray",
                   R"({"entries":{"0":{"tag":"0000_a","when":1}}})",
                   {"journal \"entries\" must be an array, not object"}},
        BadJournal{"EntriesNull", R"({"entries":null})", {"journal \"entries\" must be an array, not null"}},
        BadJournal{
            "EntryNotObject", with_third_entry(R"("0002_c")"), {"journal entries[2] must be an object, not string"}},
        BadJournal{"MissingTag",
                   with_third_entry(R"({"idx":2,"when":1700000000002})"),
                   {"journal entries[2] has no string \"tag\""}},
        BadJournal{"NonStringTag",
                   with_third_entry(R"({"idx":2,"when":1700000000002,"tag":2})"),
                   {"journal entries[2] has no string \"tag\""}},
        BadJournal{"EmptyTag",
                   with_third_entry(R"({"idx":2,"when":1700000000002,"tag":""})"),
                   {"journal entries[2] (tag \"\"): tag is empty"}},
        BadJournal{"MissingWhen",
                   with_third_entry(R"({"idx":2,"tag":"0002_c"})"),
                   {"journal entries[2] (tag \"0002_c\") has no \"when\""}},
        BadJournal{"NullWhen",
                   with_third_entry(R"({"idx":2,"when":null,"tag":"0002_c"})"),
                   {"journal entries[2] (tag \"0002_c\")", "\"when\" must be a non-negative integer", "got null"}},
        BadJournal{"NegativeWhen",
                   with_third_entry(R"({"idx":2,"when":-1,"tag":"0002_c"})"),
                   {"journal entries[2] (tag \"0002_c\"): \"when\" must not be negative, got -1"}},
        BadJournal{"FloatWhen",
                   with_third_entry(R"({"idx":2,"when":1700000000002.5,"tag":"0002_c"})"),
                   {"journal entries[2] (tag \"0002_c\"): \"when\" must be a non-negative integer (milliseconds)"}},
        BadJournal{"WholeFloatWhen",
                   with_third_entry(R"({"idx":2,"when":1.7e12,"tag":"0002_c"})"),
                   {"journal entries[2] (tag \"0002_c\"): \"when\" must be a non-negative integer"}},
        BadJournal{
            "StringWhen",
            with_third_entry(R"({"idx":2,"when":"1700000000002","tag":"0002_c"})"),
            {"journal entries[2] (tag \"0002_c\"): \"when\" must be a non-negative integer", "got \"1700000000002\""}},
        BadJournal{"WhenAboveInt64Max",
                   with_third_entry(R"({"idx":2,"when":9223372036854775808,"tag":"0002_c"})"),
                   {"journal entries[2] (tag \"0002_c\"): \"when\" is out of range for a bigint"}},
        BadJournal{"WhenAboveUint64Max",
                   with_third_entry(R"({"idx":2,"when":18446744073709551616,"tag":"0002_c"})"),
                   {"journal entries[2] (tag \"0002_c\")", "\"when\""}},
        BadJournal{"DuplicateTag",
                   with_third_entry(R"({"idx":2,"when":1700000000002,"tag":"0000_a"})"),
                   {"journal entries[2] (tag \"0000_a\"): duplicate tag, also at journal entries[0]"}},
        BadJournal{
            "DuplicateWhen",
            with_third_entry(R"({"idx":2,"when":1700000000001,"tag":"0002_c"})"),
            {"journal entries[2] (tag \"0002_c\"): duplicate \"when\" 1700000000001, also at journal entries[1]"}},
        BadJournal{"TagWithSlash",
                   with_third_entry(R"({"idx":2,"when":1700000000002,"tag":"sub/0002_c"})"),
                   {"journal entries[2] (tag \"sub/0002_c\"): tag contains a path separator"}},
        BadJournal{"TagWithBackslash",
                   with_third_entry(R"({"idx":2,"when":1700000000002,"tag":"sub\\0002_c"})"),
                   {"journal entries[2] (tag \"sub\\0002_c\"): tag contains a path separator"}},
        BadJournal{"TagWithNul",
                   with_third_entry(R"({"idx":2,"when":1700000000002,"tag":"0002\u0000c"})"),
                   {"journal entries[2] (tag \"0002?c\"): tag contains a NUL byte"}},
        BadJournal{"TagWithDotDot",
                   with_third_entry(R"({"idx":2,"when":1700000000002,"tag":"0002..c"})"),
                   {"journal entries[2] (tag \"0002..c\"): tag contains \"..\""}},
        BadJournal{"TagOnlyDotDot",
                   with_third_entry(R"({"idx":2,"when":1700000000002,"tag":".."})"),
                   {"journal entries[2] (tag \"..\"): tag contains \"..\""}},
        BadJournal{"TagLongerThan251Bytes",
                   with_third_entry(R"({"idx":2,"when":1700000000002,"tag":")" + kTooLongTag + R"("})"),
                   {"journal entries[2] (tag \"tttt", "...(252 bytes)", "tag is 252 bytes long", "at most 251 bytes"}},
        BadJournal{"IdxAboveInt32Max",
                   with_third_entry(R"({"idx":2147483648,"when":1700000000002,"tag":"0002_c"})"),
                   {"journal entries[2] (tag \"0002_c\"): idx 2147483648 is out of range for an integer",
                    "-2147483648 to 2147483647"}},
        BadJournal{"IdxFarAboveInt64Max",
                   with_third_entry(R"({"idx":18446744073709551615,"when":1700000000002,"tag":"0002_c"})"),
                   {"journal entries[2] (tag \"0002_c\"): idx 18446744073709551615 is out of range"}},
        BadJournal{"IdxBelowInt32Min",
                   with_third_entry(R"({"idx":-2147483649,"when":1700000000002,"tag":"0002_c"})"),
                   {"journal entries[2] (tag \"0002_c\"): idx -2147483649 is out of range for an integer"}},
        BadJournal{"DialectMysql",
                   R"({"version":"7","dialect":"mysql","entries":[]})",
                   {"journal dialect is \"mysql\"", "only \"postgresql\" (or the legacy \"pg\")"}},
        BadJournal{
            "DialectSqlite", R"({"version":"6","dialect":"sqlite","entries":[]})", {"journal dialect is \"sqlite\""}},
        BadJournal{
            "DialectNotAString", R"({"dialect":["postgresql"],"entries":[]})", {"journal dialect is \"array\""}}),
    [](const ::testing::TestParamInfo<BadJournal>& info) { return std::string(info.param.name); });

TEST(JournalErrors, ParseErrorDropsTheLibraryPrefixAndHintsAtTheFile) {
    Error e = error_from([] { parse_journal("{"); });
    EXPECT_THAT(e.what(), AllOf(HasSubstr("journal is not valid JSON: "), Not(HasSubstr("[json.exception"))));
    EXPECT_THAT(e.hint(), HasSubstr("meta/_journal.json"));
}

TEST(JournalErrors, FirstBadEntryStopsParsingEvenAfterGoodOnes) {
    // entries[1] is fine, entries[2] is a duplicate of entries[1]: the message names both positions.
    Error e = error_from([] {
        parse_journal(journal_text(json::array({entry(0, 1700000000000, "0000_a"), entry(1, 1700000000001, "0001_b"),
                                                entry(2, 1700000000002, "0001_b")})));
    });
    EXPECT_THAT(e.what(), HasSubstr("journal entries[2] (tag \"0001_b\"): duplicate tag, also at journal entries[1]"));
}

// Entries are checked as they are read; what the order of the messages was when they were checked
// after the parse must not change.
TEST(JournalErrors, InvalidJsonAfterABadEntryIsReportedAsInvalidJson) {
    Error e = error_from([] { parse_journal(R"({"entries":[{"tag":"0000_a"}], "x": })"); });
    EXPECT_THAT(e.what(), AllOf(HasSubstr("journal is not valid JSON"), Not(HasSubstr("entries[0]"))));
}

TEST(JournalErrors, TheDocumentsOwnChecksComeBeforeABadEntry) {
    Error dialect = error_from([] { parse_journal(R"({"entries":[{"tag":"0000_a"}], "dialect":"mysql"})"); });
    EXPECT_THAT(dialect.what(), HasSubstr("journal dialect is \"mysql\""));
    Error root = error_from([] { parse_journal(R"([{"entries":[{"tag":"0000_a"}]}])"); });
    EXPECT_THAT(root.what(), HasSubstr("journal must be a JSON object"));
}

TEST(Journal, ALaterEntriesKeyReplacesTheEarlierWithItsProblemsAndWarnings) {
    // Duplicate keys: the last one wins, as in nlohmann's tree; the first array's bad entry and its
    // idx warning go with it.
    Journal j = parse_journal(
        R"({"entries":[{"tag":"0000_a"},{"tag":"x","when":5,"idx":7}], "entries":[{"idx":0,"tag":"0000_b","when":1}]})");
    ASSERT_EQ(j.entries.size(), 1u);
    EXPECT_EQ(j.entries[0].tag, "0000_b");
    EXPECT_TRUE(j.warnings.empty());
    Error e = error_from(
        [] { parse_journal(R"({"entries":[{"idx":0,"tag":"0000_b","when":1}], "entries":[{"tag":"0000_a"}]})"); });
    EXPECT_THAT(e.what(), HasSubstr("journal entries[0] (tag \"0000_a\") has no \"when\""));
}

TEST(JournalWarnings, HeaderWarningsComeBeforeTheEntries) {
    Journal j = parse_journal(R"({"entries":[{"tag":"0000_a","when":1}],"version":"4"})");
    ASSERT_EQ(j.warnings.size(), 2u);
    EXPECT_THAT(j.warnings[0], HasSubstr("journal version \"4\""));
    EXPECT_THAT(j.warnings[1], HasSubstr("has no integer \"idx\""));
}

TEST(JournalErrors, DeeplyNestedValuesAreAnErrorNotACrash) {
    // Naming a bad value must not recurse once per nesting level (the backend's stack is finite).
    const int depth = 200000;
    const std::string nested = std::string(depth, '[') + std::string(depth, ']');
    Error when = error_from([&] { parse_journal(R"({"entries":[{"tag":"0000_a","when":)" + nested + "}]}"); });
    EXPECT_THAT(when.what(), HasSubstr("journal entries[0] (tag \"0000_a\"): \"when\" must be a non-negative integer"));
    Error dialect = error_from([&] { parse_journal(R"({"dialect":)" + nested + R"(,"entries":[]})"); });
    EXPECT_THAT(dialect.what(), HasSubstr("journal dialect is"));
    Error entry_error = error_from([&] { parse_journal(R"({"entries":[)" + nested + "]}"); });
    EXPECT_THAT(entry_error.what(), HasSubstr("journal entries[0] must be an object, not array"));
}

// ---- tags in messages -------------------------------------------------------------------------

TEST(QuoteTag, QuotesAndReplacesNul) {
    EXPECT_EQ(quote_tag("0001_b"), "\"0001_b\"");
    EXPECT_EQ(quote_tag(std::string("a\0b", 3)), "\"a?b\"");
}

TEST(QuoteTag, CutsLongTagsAndGivesTheirLength) {
    const std::string tag(200, 'x');
    EXPECT_EQ(quote_tag(tag), "\"" + std::string(80, 'x') + "...(200 bytes)\"");
    EXPECT_EQ(quote_tag(std::string(80, 'x')), "\"" + std::string(80, 'x') + "\"");
}

TEST(QuoteTag, NeverCutsAUtf8Sequence) {
    // Messages go to the client as UTF-8; half a character would make them invalid.
    for (std::size_t prefix = 0; prefix < 4; ++prefix) {
        std::string tag(prefix, 'x');
        while (tag.size() < 200) tag += "\xE2\x82\xAC";  // the euro sign, 3 bytes
        const std::string quoted = quote_tag(tag);
        EXPECT_TRUE(test::is_valid_utf8(quoted)) << "prefix " << prefix << ": " << quoted;
        EXPECT_THAT(quoted, HasSubstr("...(" + std::to_string(tag.size()) + " bytes)"));
    }
}

TEST(CheckTag, NamesTheInputGivenAsWhere) {
    EXPECT_NO_THROW(check_tag("0000_a", "through_tag"));
    Error e = error_from([] { check_tag("../etc/passwd", "argument through_tag"); });
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_THAT(e.what(), HasSubstr("argument through_tag: tag contains a path separator"));
}

}  // namespace
}  // namespace trovella::core
