// What is pending (DESIGN section 4): identity by created_at == when, never a high-water mark;
// refusals that name every offending tag; layer 1 and layer 2 verification (section 5).
#include "core/planner.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/messages.hpp"
#include "core_test_support.hpp"

namespace trovella::core {
namespace {

using test::error_from;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A journal with these (tag, when) entries in this order, through the real parser.
Journal journal_of(const std::vector<std::pair<std::string, std::int64_t>>& entries) {
    nlohmann::json list = nlohmann::json::array();
    std::int64_t idx = 0;
    for (const auto& [tag, when] : entries)
        list.push_back({{"idx", idx++}, {"version", "7"}, {"when", when}, {"tag", tag}, {"breakpoints", true}});
    return parse_journal(nlohmann::json{{"version", "7"}, {"dialect", "postgresql"}, {"entries", list}}.dump());
}

// 0000_m0 .. 0009_m9 with when 1000, 1001, ...: the wiki's ten migrations.
Journal ten_entries() {
    std::vector<std::pair<std::string, std::int64_t>> entries;
    for (int i = 0; i < 10; ++i) entries.emplace_back("000" + std::to_string(i) + "_m" + std::to_string(i), 1000 + i);
    return journal_of(entries);
}

std::string hash_of(const std::string& tag) { return "hash-of-" + tag; }

// Rows recording the first `n` entries with their own hashes, ids 1..n.
std::vector<TrackingRow> rows_for(const Journal& journal, std::size_t n) {
    std::vector<TrackingRow> rows;
    for (std::size_t i = 0; i < n; ++i)
        rows.push_back(
            TrackingRow{static_cast<std::int64_t>(i + 1), hash_of(journal.entries[i].tag), journal.entries[i].when});
    return rows;
}

FileHashes hashes_for(const Journal& journal) {
    FileHashes hashes;
    for (const auto& e : journal.entries) hashes.emplace(e.tag, hash_of(e.tag));
    return hashes;
}

std::vector<std::string> states(const Assessment& a) {
    std::vector<std::string> out;
    for (const auto& e : a.entries) out.push_back(e.entry->tag + "=" + state_name(e.state));
    return out;
}

std::vector<std::string> tags(const std::vector<const EntryState*>& entries) {
    std::vector<std::string> out;
    for (const auto* e : entries) out.push_back(e->entry->tag);
    return out;
}

std::vector<std::int64_t> ids(const std::vector<const TrackingRow*>& rows) {
    std::vector<std::int64_t> out;
    for (const auto* row : rows) out.push_back(row->id);
    return out;
}

Options allow(bool out_of_order, bool modified) {
    Options options;
    options.allow_out_of_order = out_of_order;
    options.allow_modified = modified;
    return options;
}

// ---- states -------------------------------------------------------------------------------------

TEST(StateName, NamesEveryState) {
    EXPECT_STREQ(state_name(State::applied), "applied");
    EXPECT_STREQ(state_name(State::pending), "pending");
    EXPECT_STREQ(state_name(State::modified), "modified");
    EXPECT_STREQ(state_name(State::out_of_order), "out_of_order");
    EXPECT_STREQ(state_name(State::unknown), "unknown");
    EXPECT_STREQ(state_name(State::orphan), "orphan");
}

TEST(Assess, FreshDatabaseHasEverythingPending) {
    Journal journal = ten_entries();
    const std::vector<TrackingRow> rows;
    Assessment a = assess(journal, rows, nullptr);
    EXPECT_EQ(a.expected, 10u);
    EXPECT_EQ(a.recorded, 0u);
    EXPECT_FALSE(a.newest_recorded.has_value());
    EXPECT_EQ(a.count(State::pending), 10u);
    EXPECT_EQ(a.pending(), 10u);
    EXPECT_EQ(entries_to_apply(a).size(), 10u);
    EXPECT_NO_THROW(check_can_apply(a, Options{}));
}

TEST(Assess, FreshDatabaseHasNothingOutOfOrderEvenWhenWhenGoesBackwards) {
    Journal journal = journal_of({{"0000_a", 3000}, {"0001_b", 1000}, {"0002_c", 2000}});
    const std::vector<TrackingRow> rows;
    Assessment a = assess(journal, rows, nullptr);
    EXPECT_THAT(states(a), ElementsAre("0000_a=pending", "0001_b=pending", "0002_c=pending"));
    EXPECT_THAT(tags(entries_to_apply(a)), ElementsAre("0000_a", "0001_b", "0002_c")) << "journal order";
    EXPECT_NO_THROW(check_can_apply(a, Options{}));
}

// ---- apply_each's re-check before each migration ----------------------------------------------

TEST(Assess, OwnRowsOfTheCallDoNotMakeItsLaterEntriesOutOfOrder) {
    // A fresh database and a journal whose `when` goes backwards: apply_each applied 0000_a
    // (3000) itself; 0001_b (1000) is still to do and must not become out of order because of it.
    Journal journal = journal_of({{"0000_a", 3000}, {"0001_b", 1000}});
    const std::vector<TrackingRow> rows{{1, "h", 3000}};
    const std::set<std::int64_t> own{1};
    Assessment a = assess(journal, rows, nullptr, &own);
    EXPECT_THAT(states(a), ElementsAre("0000_a=applied", "0001_b=pending"));
    EXPECT_EQ(a.recorded, 1u) << "own rows still count as recorded";
    EXPECT_NO_THROW(check_can_apply(a, Options{}));
    // Without the call's own rows marked, the same state reads out of order.
    EXPECT_THAT(states(assess(journal, rows, nullptr)), ElementsAre("0000_a=applied", "0001_b=out_of_order"));
}

TEST(Assess, RowsOfAnotherRunnerStillMakeEntriesOutOfOrder) {
    // Another runner committed 0002_c (3000) while this call was between migrations: this call's
    // 0001_b (2000) is now older than a row it did not write.
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}, {"0002_c", 3000}});
    const std::vector<TrackingRow> rows{{1, "h", 1000}, {2, "h", 3000}};
    const std::set<std::int64_t> own{1};
    Assessment a = assess(journal, rows, nullptr, &own);
    EXPECT_THAT(states(a), ElementsAre("0000_a=applied", "0001_b=out_of_order", "0002_c=applied"));
    Error e = error_from([&] { check_can_apply(a, Options{}); });
    EXPECT_THAT(e.what(), HasSubstr("1 out-of-order migration (\"0001_b\")"));
}

TEST(Assess, ABranchOnlyRowOfAnotherRunnerIsUnknownAndRefused) {
    // Two runners with diverging journals: the other committed its branch-only migration.
    Journal mine = journal_of({{"0000_a", 1000}, {"0001_mine", 2000}});
    const std::vector<TrackingRow> rows{{1, "h", 1000}, {2, "h", 2001}};
    const std::set<std::int64_t> own;
    Assessment a = assess(mine, rows, nullptr, &own);
    Error e = error_from([&] { check_can_apply(a, Options{}); });
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_THAT(e.what(), HasSubstr("1 unknown tracking row (id 2)"));
}

TEST(Assess, WikiStateEightOfTenApplied) {
    Journal journal = ten_entries();
    const auto rows = rows_for(journal, 8);
    const auto hashes = hashes_for(journal);
    Assessment a = assess(journal, rows, &hashes);
    EXPECT_EQ(a.count(State::applied), 8u);
    EXPECT_EQ(a.pending(), 2u);
    EXPECT_EQ(a.newest_recorded, std::optional<std::int64_t>(1007));
    EXPECT_THAT(tags(entries_to_apply(a)), ElementsAre("0008_m8", "0009_m9"));
    EXPECT_EQ(messages::migration_state(a.recorded, a.expected, a.pending()),
              "Migration state: 8 applied, 10 expected, 2 pending");
    EXPECT_NO_THROW(check_can_apply(a, Options{}));
    ASSERT_NE(a.entries[0].row, nullptr);
    EXPECT_EQ(a.entries[0].row->id, 1);
    ASSERT_NE(a.entries[0].file_hash, nullptr);
    EXPECT_EQ(*a.entries[0].file_hash, hash_of("0000_m0"));
    EXPECT_EQ(a.entries[9].row, nullptr);
}

TEST(Assess, FullyAppliedHasNothingToApply) {
    Journal journal = ten_entries();
    const auto rows = rows_for(journal, 10);
    Assessment a = assess(journal, rows, nullptr);
    EXPECT_EQ(a.count(State::applied), 10u);
    EXPECT_TRUE(entries_to_apply(a).empty());
    EXPECT_NO_THROW(check_can_apply(a, Options{}));
}

TEST(Assess, RowOrderAndIdsDoNotMatterOnlyCreatedAt) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}});
    const std::vector<TrackingRow> rows{{7, "h", 2000}, {3, "h", 1000}};
    Assessment a = assess(journal, rows, nullptr);
    EXPECT_THAT(states(a), ElementsAre("0000_a=applied", "0001_b=applied"));
    EXPECT_EQ(a.entries[0].row->id, 3);
    EXPECT_EQ(a.entries[1].row->id, 7);
}

// ---- identity, not a high-water mark ------------------------------------------------------------

TEST(Assess, EntryMergedFromAnotherBranchIsOutOfOrderNotSkipped) {
    // main applied 0000 (1000) and 0002 (3000); the branch's 0001 (2000) was merged afterwards.
    // Drizzle's high-water mark (3000) would skip it silently; here it is reported.
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_branch", 2000}, {"0002_c", 3000}, {"0003_d", 4000}});
    const std::vector<TrackingRow> rows{{1, "h", 1000}, {2, "h", 3000}};
    Assessment a = assess(journal, rows, nullptr);
    EXPECT_THAT(states(a),
                ElementsAre("0000_a=applied", "0001_branch=out_of_order", "0002_c=applied", "0003_d=pending"));
    EXPECT_EQ(a.pending(), 2u) << "out-of-order entries count as pending";
    EXPECT_THAT(tags(entries_to_apply(a)), ElementsAre("0001_branch", "0003_d"));

    Error e = error_from([&] { check_can_apply(a, Options{}); });
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_THAT(e.what(), HasSubstr("1 out-of-order migration (\"0001_branch\")"));
    EXPECT_THAT(e.what(), Not(HasSubstr("0003_d")));
    EXPECT_THAT(e.detail(),
                HasSubstr("\"0001_branch\" (when 2000) is older than the newest applied migration (created_at 3000)"));
    EXPECT_THAT(e.hint(), HasSubstr("allow_out_of_order"));

    EXPECT_NO_THROW(check_can_apply(a, allow(true, false)));
}

TEST(Assess, RowAboveAnEntryDoesNotMakeItApplied) {
    // A high-water mark would call 0000_a and 0001_b applied because a newer row exists.
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}, {"0002_c", 3000}});
    const std::vector<TrackingRow> rows{{1, "h", 3000}};
    Assessment a = assess(journal, rows, nullptr);
    EXPECT_THAT(states(a), ElementsAre("0000_a=out_of_order", "0001_b=out_of_order", "0002_c=applied"));
    Error e = error_from([&] { check_can_apply(a, Options{}); });
    EXPECT_THAT(e.what(), HasSubstr("2 out-of-order migrations (\"0000_a\", \"0001_b\")"));
}

TEST(Assess, EntryNewerThanEveryRowIsPendingEvenIfAppliedOnABranch) {
    // The branch's migration (2000) is recorded; main's newer 0002 (3000) is plainly pending.
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_branch", 2000}, {"0002_c", 3000}});
    const std::vector<TrackingRow> rows{{1, "h", 1000}, {2, "h", 2000}};
    Assessment a = assess(journal, rows, nullptr);
    EXPECT_THAT(states(a), ElementsAre("0000_a=applied", "0001_branch=applied", "0002_c=pending"));
}

// ---- modified -------------------------------------------------------------------------------------

TEST(Assess, ModifiedOnlyWhenAHashIsGivenAndDiffers) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}, {"0002_c", 3000}});
    const std::vector<TrackingRow> rows{{1, hash_of("0000_a"), 1000}, {2, "old-hash-of-0001_b", 2000}, {3, "x", 3000}};

    Assessment without_texts = assess(journal, rows, nullptr);
    EXPECT_THAT(states(without_texts), ElementsAre("0000_a=applied", "0001_b=applied", "0002_c=applied"));
    EXPECT_EQ(without_texts.entries[1].file_hash, nullptr);

    FileHashes some{{"0000_a", hash_of("0000_a")}, {"0001_b", hash_of("0001_b")}};  // no text for 0002_c
    Assessment a = assess(journal, rows, &some);
    EXPECT_THAT(states(a), ElementsAre("0000_a=applied", "0001_b=modified", "0002_c=applied"));
    ASSERT_NE(a.entries[1].file_hash, nullptr);
    EXPECT_EQ(*a.entries[1].file_hash, hash_of("0001_b"));
    EXPECT_EQ(a.entries[1].row->hash, "old-hash-of-0001_b");
    EXPECT_EQ(a.entries[2].file_hash, nullptr);
    EXPECT_TRUE(entries_to_apply(a).empty()) << "a modified migration is never re-run";
}

TEST(CheckCanApply, ModifiedIsRefusedNamingEveryTagUnlessAllowed) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}, {"0002_c", 3000}, {"0003_d", 4000}});
    const std::vector<TrackingRow> rows{
        {1, "stale-a-0123456789", 1000}, {2, hash_of("0001_b"), 2000}, {3, "stale-c", 3000}};
    const auto hashes = hashes_for(journal);
    Assessment a = assess(journal, rows, &hashes);

    Error e = error_from([&] { check_can_apply(a, Options{}); });
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_THAT(e.what(), HasSubstr("cannot apply migrations: 2 modified migrations (\"0000_a\", \"0002_c\")"));
    EXPECT_THAT(
        e.detail(),
        HasSubstr(
            "modified: \"0000_a\" was applied with hash stale-a-0123... but its file now hashes to hash-of-0000..."));
    EXPECT_THAT(e.detail(), HasSubstr("modified: \"0002_c\""));
    EXPECT_THAT(e.hint(), AllOf(HasSubstr("repair()"), HasSubstr("allow_modified")));

    EXPECT_NO_THROW(check_can_apply(a, allow(false, true)));
    EXPECT_THROW(check_can_apply(a, allow(true, false)), Error);
}

TEST(CheckCanApply, EveryKindOfProblemIsNamedAtOnce) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_late", 1500}, {"0002_c", 2000}});
    const std::vector<TrackingRow> rows{{1, "changed", 1000}, {2, hash_of("0002_c"), 2000}};
    const auto hashes = hashes_for(journal);
    Assessment a = assess(journal, rows, &hashes);
    EXPECT_THAT(states(a), ElementsAre("0000_a=modified", "0001_late=out_of_order", "0002_c=applied"));

    Error both = error_from([&] { check_can_apply(a, Options{}); });
    EXPECT_THAT(both.what(), AllOf(HasSubstr("1 modified migration (\"0000_a\")"),
                                   HasSubstr("1 out-of-order migration (\"0001_late\")")));
    Error only_late = error_from([&] { check_can_apply(a, allow(false, true)); });
    EXPECT_THAT(only_late.what(), AllOf(HasSubstr("\"0001_late\""), Not(HasSubstr("\"0000_a\""))));
    Error only_modified = error_from([&] { check_can_apply(a, allow(true, false)); });
    EXPECT_THAT(only_modified.what(), AllOf(HasSubstr("\"0000_a\""), Not(HasSubstr("\"0001_late\""))));
    EXPECT_NO_THROW(check_can_apply(a, allow(true, true)));
}

// ---- rows the journal does not know -----------------------------------------------------------------

TEST(Assess, RowMatchingNoEntryIsUnknown) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}});
    const std::vector<TrackingRow> rows{{1, "h", 1000}, {5, "h", 1500}};
    Assessment a = assess(journal, rows, nullptr);
    EXPECT_THAT(ids(a.unknown), ElementsAre(5));
    EXPECT_EQ(a.count(State::unknown), 1u);
    EXPECT_THAT(states(a), ElementsAre("0000_a=applied", "0001_b=pending"));
    EXPECT_EQ(a.recorded, 2u) << "the count is the tracking table's rows, as the wiki counts";
}

TEST(Assess, RowsWithNullCreatedAtAreUnknownAndNotANewestMark) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}});
    const std::vector<TrackingRow> rows{{1, "h", 1000}, {2, "h", std::nullopt}};
    Assessment a = assess(journal, rows, nullptr);
    EXPECT_THAT(ids(a.unknown), ElementsAre(2));
    EXPECT_EQ(a.newest_recorded, std::optional<std::int64_t>(1000));
    EXPECT_THAT(states(a), ElementsAre("0000_a=applied", "0001_b=pending"));
    Error e = error_from([&] { check_can_apply(a, allow(true, true)); });
    EXPECT_THAT(e.detail(), HasSubstr("tracking row id 2 (created_at NULL, hash h) matches no journal entry"));
}

TEST(Assess, DuplicateRowsMatchOnceByLowestIdAndTheRestAreUnknown) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}});
    const std::vector<TrackingRow> rows{{9, "dup", 1000}, {4, "first", 1000}, {5, "h", 2000}};
    Assessment a = assess(journal, rows, nullptr);
    EXPECT_THAT(states(a), ElementsAre("0000_a=applied", "0001_b=applied"));
    EXPECT_EQ(a.entries[0].row->id, 4);
    EXPECT_THAT(ids(a.unknown), ElementsAre(9));
    EXPECT_EQ(a.recorded, 3u);
}

TEST(Assess, UnknownRowsAreListedInIdOrder) {
    Journal journal = journal_of({{"0000_a", 1000}});
    const std::vector<TrackingRow> rows{{30, "h", 5}, {1, "h", 1000}, {10, "h", std::nullopt}, {20, "h", 7}};
    Assessment a = assess(journal, rows, nullptr);
    EXPECT_THAT(ids(a.unknown), ElementsAre(10, 20, 30));
}

TEST(CheckCanApply, UnknownRowsAreAlwaysRefusedNamingEachRow) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}, {"0002_c", 3000}});
    const std::vector<TrackingRow> rows{{1, "h", 1000}, {2, "feedfacecafebeef0000", 1777}};
    Assessment a = assess(journal, rows, nullptr);
    for (const Options& options : {Options{}, allow(true, false), allow(false, true), allow(true, true)}) {
        Error e = error_from([&] { check_can_apply(a, options); });
        EXPECT_EQ(e.kind(), ErrorKind::refused);
        EXPECT_THAT(e.what(), HasSubstr("cannot apply migrations: 1 unknown tracking row (id 2)"));
        EXPECT_THAT(
            e.detail(),
            HasSubstr("unknown: tracking row id 2 (created_at 1777, hash feedfacecafe...) matches no journal entry"));
        EXPECT_THAT(e.hint(), HasSubstr("Pull the latest main"));
    }
}

TEST(CheckCanApply, DatabaseAheadUsesTheWikiText) {
    Journal journal = ten_entries();
    auto rows = rows_for(journal, 10);
    rows.push_back(TrackingRow{11, "h11", 5000});
    rows.push_back(TrackingRow{12, "h12", 6000});
    Assessment a = assess(journal, rows, nullptr);
    for (const Options& options : {Options{}, allow(true, true)}) {
        Error e = error_from([&] { check_can_apply(a, options); });
        EXPECT_EQ(e.kind(), ErrorKind::refused);
        EXPECT_STREQ(e.what(), "Database has 12 migrations but local journal only has 10");
        EXPECT_THAT(e.detail(), AllOf(HasSubstr("2 unknown tracking rows (id 11, id 12)"),
                                      HasSubstr("tracking row id 11 (created_at 5000"),
                                      HasSubstr("tracking row id 12 (created_at 6000")));
    }
}

TEST(CheckCanApply, DatabaseAheadDetailStillNamesModifiedTags) {
    Journal journal = journal_of({{"0000_a", 1000}});
    const std::vector<TrackingRow> rows{{1, "old", 1000}, {2, "h", 2000}};
    const auto hashes = hashes_for(journal);
    Assessment a = assess(journal, rows, &hashes);
    Error e = error_from([&] { check_can_apply(a, Options{}); });
    EXPECT_STREQ(e.what(), "Database has 2 migrations but local journal only has 1");
    EXPECT_THAT(e.detail(), AllOf(HasSubstr("1 modified migration (\"0000_a\")"), HasSubstr("id 2")));
}

// ---- layer 1 after apply --------------------------------------------------------------------------

TEST(AfterApply, AllRecordedWithTheirHashesIsVerified) {
    Journal journal = ten_entries();
    const auto rows = rows_for(journal, 10);
    const auto hashes = hashes_for(journal);
    Assessment after = assess(journal, rows, &hashes);
    EXPECT_THAT(after_apply_problems(after, Options{}), ElementsAre());
    EXPECT_EQ(messages::verified(after.recorded), "Verified: database has all 10 migrations.");
}

TEST(AfterApply, MissingRowIsACountMismatchNamingTheTag) {
    Journal journal = ten_entries();
    const auto rows = rows_for(journal, 9);
    Assessment after = assess(journal, rows, nullptr);
    EXPECT_THAT(after_apply_problems(after, Options{}),
                ElementsAre("Migration count mismatch: database has 9 but expected 10",
                            "not recorded: \"0009_m9\" has no tracking row after apply"));
}

TEST(AfterApply, HashMismatchIsAProblemUnlessLetThroughByAllowModified) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}});
    const std::vector<TrackingRow> rows{{1, hash_of("0000_a"), 1000}, {2, "something-else", 2000}};
    const auto hashes = hashes_for(journal);
    Assessment after = assess(journal, rows, &hashes);
    EXPECT_THAT(after_apply_problems(after, Options{}),
                ElementsAre(AllOf(HasSubstr("hash mismatch: \"0001_b\" was applied with hash something-el..."),
                                  HasSubstr("hashes to hash-of-0001..."))));
    EXPECT_THAT(after_apply_problems(after, allow(false, true)), ElementsAre());
}

TEST(AfterApply, UnknownRowIsAProblemEvenWhenCountsMatch) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}});
    const std::vector<TrackingRow> rows{{1, "h", 1000}, {2, "h", 1999}};
    Assessment after = assess(journal, rows, nullptr);
    EXPECT_THAT(after_apply_problems(after, Options{}),
                ElementsAre("not recorded: \"0001_b\" has no tracking row after apply",
                            HasSubstr("unknown: tracking row id 2 (created_at 1999")));
}

TEST(AfterApply, MoreRowsThanEntriesIsACountMismatch) {
    Journal journal = journal_of({{"0000_a", 1000}});
    const std::vector<TrackingRow> rows{{1, "h", 1000}, {2, "h", 1000}};
    Assessment after = assess(journal, rows, nullptr);
    EXPECT_THAT(after_apply_problems(after, Options{}),
                ElementsAre("Migration count mismatch: database has 2 but expected 1",
                            HasSubstr("unknown: tracking row id 2")));
}

// ---- layer 2 ------------------------------------------------------------------------------------------

TEST(Verify, NoProblemsWhenEveryEntryHasItsRow) {
    Journal journal = ten_entries();
    const auto rows = rows_for(journal, 10);
    const auto hashes = hashes_for(journal);
    EXPECT_THAT(verify_problems(assess(journal, rows, nullptr)), ElementsAre());
    EXPECT_THAT(verify_problems(assess(journal, rows, &hashes)), ElementsAre());
}

TEST(Verify, PendingEntriesAreACountMismatchNamingEachTag) {
    Journal journal = ten_entries();
    const auto rows = rows_for(journal, 8);
    EXPECT_THAT(verify_problems(assess(journal, rows, nullptr)),
                ElementsAre("Migration count mismatch: database has 8 but expected 10",
                            "pending: \"0008_m8\" (when 1008) has no tracking row",
                            "pending: \"0009_m9\" (when 1009) has no tracking row"));
}

TEST(Verify, EmptyDatabaseIsAMismatch) {
    Journal journal = journal_of({{"0000_a", 1000}});
    const std::vector<TrackingRow> rows;
    EXPECT_THAT(
        verify_problems(assess(journal, rows, nullptr)),
        ElementsAre("Migration count mismatch: database has 0 but expected 1", HasSubstr("pending: \"0000_a\"")));
}

TEST(Verify, DatabaseAheadUsesTheWikiText) {
    Journal journal = ten_entries();
    auto rows = rows_for(journal, 10);
    rows.push_back(TrackingRow{11, "h", 9000});
    rows.push_back(TrackingRow{12, "h", 9001});
    EXPECT_THAT(verify_problems(assess(journal, rows, nullptr)),
                ElementsAre("Database has 12 migrations but local journal only has 10",
                            HasSubstr("unknown: tracking row id 11"), HasSubstr("unknown: tracking row id 12")));
}

TEST(Verify, SameCountIsNotEnough) {
    // The wiki's layer 2 compares counts only; an unknown row standing in for a missing one is found.
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}, {"0002_c", 3000}});
    const std::vector<TrackingRow> rows{{1, "h", 1000}, {2, "h", 3000}, {3, "h", 4000}};
    EXPECT_THAT(verify_problems(assess(journal, rows, nullptr)),
                ElementsAre(AllOf(HasSubstr("out of order: \"0001_b\" (when 2000) is older than the newest applied "
                                            "migration (created_at 4000)"),
                                  HasSubstr("has no tracking row")),
                            HasSubstr("unknown: tracking row id 3 (created_at 4000")));
}

TEST(Verify, ComparesHashesWhenTextsAreGiven) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 2000}});
    const std::vector<TrackingRow> rows{{1, hash_of("0000_a"), 1000}, {2, "edited", 2000}};
    const auto hashes = hashes_for(journal);
    EXPECT_THAT(verify_problems(assess(journal, rows, nullptr)), ElementsAre());
    EXPECT_THAT(verify_problems(assess(journal, rows, &hashes)),
                ElementsAre(HasSubstr(
                    "modified: \"0001_b\" was applied with hash edited but its file now hashes to hash-of-0001...")));
}

// ---- Assessment helpers ---------------------------------------------------------------------------

TEST(Assessment, CountAndWithStateAgree) {
    Journal journal = journal_of({{"0000_a", 1000}, {"0001_b", 1500}, {"0002_c", 2000}, {"0003_d", 3000}});
    const std::vector<TrackingRow> rows{{1, "x", 1000}, {2, "h", 2000}, {3, "h", 2500}};
    FileHashes hashes{{"0000_a", "y"}};
    Assessment a = assess(journal, rows, &hashes);
    EXPECT_THAT(states(a), ElementsAre("0000_a=modified", "0001_b=out_of_order", "0002_c=applied", "0003_d=pending"));
    for (State state : {State::applied, State::pending, State::modified, State::out_of_order})
        EXPECT_EQ(a.count(state), a.with_state(state).size()) << state_name(state);
    EXPECT_EQ(a.count(State::unknown), 1u);
    EXPECT_EQ(a.count(State::orphan), 0u);
    EXPECT_THAT(tags(a.with_state(State::out_of_order)), ElementsAre("0001_b"));
}

}  // namespace
}  // namespace trovella::core
