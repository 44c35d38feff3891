// The one classification of database errors into exit codes.
#include <gtest/gtest.h>

#include "client/exit_codes.hpp"

namespace trovella::client {
namespace {

ExitCode of(const std::string& sqlstate, const std::string& context = {}) {
    return classify(ServerMessage{"ERROR", sqlstate, "m", {}, {}, context});
}

const std::string kMarker = "SQL statement \"INSERT ...\"\nmigration \"0001_x\", statement 2 of 3 (line 4): INSERT ...";

TEST(ClientExitCodes, BySqlstate) {
    EXPECT_EQ(of("08001"), ExitCode::cannot_connect);
    EXPECT_EQ(of("08006"), ExitCode::cannot_connect);
    EXPECT_EQ(of("57P01"), ExitCode::cannot_connect);
    EXPECT_EQ(of("57P03"), ExitCode::cannot_connect);
    EXPECT_EQ(of("55000"), ExitCode::verify_failed);
    EXPECT_EQ(of("22000"), ExitCode::verify_failed);
    for (const char* input : {"22023", "22P02", "22021", "22P05", "3F000", "42883", "42809"})
        EXPECT_EQ(of(input), ExitCode::usage) << input;
    for (const char* session : {"25006", "25000", "25001", "42501"})
        EXPECT_EQ(of(session), ExitCode::cannot_migrate) << session;
    for (const char* other : {"0A000", "55P03", "57014", "42P01", "XX000", ""})
        EXPECT_EQ(of(other), ExitCode::migration_failed) << other;
}

TEST(ClientExitCodes, AnErrorRaisedByAMigrationStatementIsAFailedMigration) {
    EXPECT_EQ(of("42501", kMarker), ExitCode::migration_failed);  // permission denied inside a migration
    EXPECT_EQ(of("25001", kMarker), ExitCode::migration_failed);
    EXPECT_EQ(of("22023", kMarker), ExitCode::migration_failed);
    EXPECT_EQ(of("55000", kMarker), ExitCode::migration_failed);
    EXPECT_EQ(of("57P01", kMarker), ExitCode::cannot_connect);  // the connection is gone all the same
}

TEST(ClientExitCodes, TheMarker) {
    EXPECT_TRUE(raised_by_migration_statement("migration \"0000_a\", statement 1 of 1 (line 1): SELECT 1"));
    EXPECT_TRUE(raised_by_migration_statement(kMarker));
    EXPECT_FALSE(raised_by_migration_statement("PL/pgSQL function f() line 3 at RAISE"));
    EXPECT_FALSE(raised_by_migration_statement("migration \"0000_a\""));
    EXPECT_FALSE(raised_by_migration_statement(""));
}

}  // namespace
}  // namespace trovella::client
