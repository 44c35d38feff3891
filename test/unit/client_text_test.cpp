// What the client checks and builds from the files before sending them.
#include <gtest/gtest.h>

#include "client/commands.hpp"
#include "client/extension_engine.hpp"
#include "client/text_array.hpp"
#include "client/text_check.hpp"

namespace trovella::client {
namespace {

TEST(ClientTextCheck, ValidTextPasses) {
    EXPECT_FALSE(check_text(""));
    EXPECT_FALSE(check_text("héllo wörld — 日本語 🎉 ∑\r\n\xef\xbb\xbf"));
}

TEST(ClientTextCheck, NamesTheFirstBadByteAndItsLine) {
    auto nul = check_text(std::string("a\nb\nc\0d", 7));
    ASSERT_TRUE(nul);
    EXPECT_EQ(nul->what, "contains a NUL byte");
    EXPECT_EQ(nul->line, 3u);
    EXPECT_EQ(nul->offset, 5u);
    for (const std::string bad :
         {"caf\xe9", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x80", "\xff"}) {
        auto problem = check_text("ok\n" + bad);
        ASSERT_TRUE(problem) << bad;
        EXPECT_EQ(problem->what, "is not valid UTF-8");
        EXPECT_EQ(problem->line, 2u);
    }
}

std::string bytes(const Param& p) { return std::string(p.data, static_cast<std::size_t>(p.length)); }

TEST(ClientTextArray, BinaryWireFormatAndPrefixes) {
    TextArray a;
    a.append("ab");
    a.append("");
    a.append(std::string("x\0y", 3));
    EXPECT_EQ(a.size(), 3u);
    EXPECT_EQ(a.at(2), std::string_view("x\0y", 3));
    Param all = a.param(3);
    EXPECT_TRUE(all.binary);
    EXPECT_EQ(all.type, 1009u);                                  // text[]
    const std::string header("\0\0\0\1\0\0\0\0\0\0\0\x19", 12);  // 1 dimension, no NULLs, element type text
    EXPECT_EQ(bytes(all), header + std::string("\0\0\0\3\0\0\0\1", 8) + std::string("\0\0\0\2ab", 6) +
                              std::string("\0\0\0\0", 4) + std::string("\0\0\0\3x\0y", 7));
    Param first = a.param(1);
    EXPECT_EQ(bytes(first), header + std::string("\0\0\0\1\0\0\0\1", 8) + std::string("\0\0\0\2ab", 6));
    Param none = a.param(0);
    EXPECT_FALSE(none.binary);
    EXPECT_STREQ(none.data, "{}");
}

TEST(ClientJournalThrough, CutsAfterTheEntry) {
    const std::string journal = R"({"version":"7","dialect":"postgresql","entries":[
        {"idx":0,"when":1700000000000,"tag":"a"},{"idx":1,"when":1700000000001,"tag":"b"},
        {"idx":2,"when":1700000000002,"tag":"c"}]})";
    auto cut = nlohmann::json::parse(journal_through(journal, 1));
    ASSERT_EQ(cut["entries"].size(), 2u);
    EXPECT_EQ(cut["entries"][1]["tag"], "b");
    EXPECT_EQ(cut["entries"][1]["when"].get<long long>(), 1700000000001LL);
    EXPECT_EQ(cut["dialect"], "postgresql");
}

}  // namespace
}  // namespace trovella::client

namespace trovella::client {
namespace {

TEST(ClientMigrationResults, FromTheResultsColumn) {
    core::Journal journal;
    auto results = migration_results(std::string(R"([{"tag": "0001_b", "idx": 1, "statements": 3, "duration_ms": 2.5},
                        {"tag": "0002_c", "idx": 2, "statements": 1, "duration_ms": 0}])"),
                                     {"0001_b", "0002_c"}, journal);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].tag, "0001_b");
    EXPECT_EQ(results[0].idx, 1);
    EXPECT_EQ(results[0].statements, 3);
    EXPECT_EQ(results[0].duration_ms, 2.5);
    EXPECT_EQ(results[1].duration_ms, 0.0);
}

TEST(ClientMigrationResults, WithoutTheColumnTheTagsAndTheirPlace) {
    core::Journal journal = core::parse_journal(R"({"entries": [{"idx": 0, "when": 1, "tag": "a"},
                                                                 {"idx": 1, "when": 2, "tag": "b"}]})");
    auto results = migration_results(std::nullopt, {"b"}, journal);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].tag, "b");
    EXPECT_EQ(results[0].idx, 1);
    EXPECT_FALSE(results[0].statements);
    EXPECT_FALSE(results[0].duration_ms);
}

}  // namespace
}  // namespace trovella::client
