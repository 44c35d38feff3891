// The wiki's messages, verbatim: users and their CI scripts grep for these exact texts.
#include "core/messages.hpp"

#include <string>
#include <vector>

#include "core_test_support.hpp"

namespace trovella::core::messages {
namespace {

TEST(Messages, MigrationStateIsTheWikisText) {
    EXPECT_EQ(migration_state(8, 10, 2), "Migration state: 8 applied, 10 expected, 2 pending");
    EXPECT_EQ(migration_state(0, 0, 0), "Migration state: 0 applied, 0 expected, 0 pending");
    EXPECT_EQ(migration_state(186, 186, 0), "Migration state: 186 applied, 186 expected, 0 pending");
}

TEST(Messages, DatabaseAheadIsTheWikisText) {
    EXPECT_EQ(database_ahead(12, 10), "Database has 12 migrations but local journal only has 10");
    EXPECT_EQ(database_ahead(1, 0), "Database has 1 migrations but local journal only has 0");
}

TEST(Messages, RunningAndCompleteAreTheWikisText) {
    EXPECT_STREQ(running(), "Running migrations...");
    EXPECT_EQ(complete(2), "Migrations complete. Applied 2 new migration(s).");
    EXPECT_EQ(complete(0), "Migrations complete. Applied 0 new migration(s).");
}

TEST(Messages, NothingPendingSaysSoExplicitly) {
    // The wiki's incident: a run of zero migrations looked like any other run.
    EXPECT_STREQ(nothing_pending(), "No pending migrations: the database is up to date.");
}

TEST(Messages, VerifiedIsTheWikisText) { EXPECT_EQ(verified(10), "Verified: database has all 10 migrations."); }

TEST(Messages, CountMismatchIsTheWikisText) {
    EXPECT_EQ(count_mismatch(9, 10), "Migration count mismatch: database has 9 but expected 10");
    EXPECT_EQ(count_mismatch(11, 10), "Migration count mismatch: database has 11 but expected 10");
}

TEST(Messages, LargeCountsArePrintedInFull) {
    EXPECT_EQ(verified(1000000), "Verified: database has all 1000000 migrations.");
}

TEST(Messages, QualifiedTable) {
    EXPECT_EQ(qualified_table("drizzle", "__drizzle_migrations"), "drizzle.__drizzle_migrations");
}

TEST(Messages, JoinPutsTheSeparatorBetweenOnly) {
    EXPECT_EQ(join({}, ", "), "");
    EXPECT_EQ(join({"a"}, ", "), "a");
    EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
    EXPECT_EQ(join({"", ""}, "\n"), "\n");
}

TEST(Messages, PluralPicksTheFormByCount) {
    EXPECT_EQ(plural(0, "migration", "migrations"), "0 migrations");
    EXPECT_EQ(plural(1, "migration", "migrations"), "1 migration");
    EXPECT_EQ(plural(2, "journal entry", "journal entries"), "2 journal entries");
}

}  // namespace
}  // namespace trovella::core::messages
