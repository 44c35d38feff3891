// The command line: CLI11 -> Invocation, and the usage errors users see.
#include "client/cli.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "client/failure.hpp"

namespace trovella::client {
namespace {

Invocation parse(const std::vector<std::string>& args) {
    std::ostringstream help;
    return parse_command_line(args, help).invocation;
}

std::string usage_message(const std::vector<std::string>& args) {
    try {
        parse(args);
    } catch (const Failure& f) {
        EXPECT_EQ(f.code(), ExitCode::usage);
        return f.error().message;
    }
    ADD_FAILURE() << "no usage error";
    return {};
}

TEST(ClientCli, MigrateWithEveryOption) {
    Invocation inv =
        parse({"migrate", "--dir", "db/migrations", "--database-url=postgresql://u@h/d", "--json",
               "--migrations-schema", "app meta", "--migrations-table=t", "--allow-out-of-order", "--allow-modified",
               "--lock-timeout", "5s", "--statement-timeout=1min", "--commit-each", "--to", "0003_x"});
    EXPECT_EQ(inv.command, Command::migrate);
    EXPECT_EQ(inv.dir, "db/migrations");
    EXPECT_EQ(inv.database_url, "postgresql://u@h/d");
    EXPECT_TRUE(inv.json);
    EXPECT_EQ(inv.migrations_schema, "app meta");
    EXPECT_EQ(inv.migrations_table, "t");
    EXPECT_TRUE(inv.allow_out_of_order);
    EXPECT_TRUE(inv.allow_modified);
    EXPECT_EQ(inv.lock_timeout, "5s");
    EXPECT_EQ(inv.statement_timeout, "1min");
    EXPECT_TRUE(inv.commit_each);
    EXPECT_EQ(inv.to_tag, "0003_x");
}

TEST(ClientCli, NothingGivenStaysUnset) {
    Invocation inv = parse({"status"});
    EXPECT_EQ(inv.command, Command::status);
    EXPECT_FALSE(inv.dir);
    EXPECT_FALSE(inv.database_url);
    EXPECT_FALSE(inv.migrations_schema);
    EXPECT_FALSE(inv.json);
    EXPECT_TRUE(inv.env_files.empty());
}

TEST(ClientCli, GlobalOptionsBeforeOrAfterTheCommand) {
    Invocation inv = parse({"--json", "--dir", "a", "--env-file-if-exists=../../.env", "verify", "--env-file-if-exists",
                            "local.env", "--dir", "b"});
    EXPECT_EQ(inv.command, Command::verify);
    EXPECT_TRUE(inv.json);
    EXPECT_EQ(inv.dir, "b");  // the later one wins
    EXPECT_EQ(inv.env_files, (std::vector<std::string>{"../../.env", "local.env"}));
}

TEST(ClientCli, RepeatedOptionTakesTheLast) { EXPECT_EQ(parse({"status", "--dir", "a", "--dir", "b"}).dir, "b"); }

TEST(ClientCli, BaselineAndRepairTags) {
    EXPECT_EQ(parse({"baseline", "--through", "0004_x"}).through_tag, "0004_x");
    EXPECT_EQ(parse({"repair", "0003_y", "--dir", "d"}).repair_tag, "0003_y");
    EXPECT_EQ(usage_message({"baseline"}), "baseline needs --through TAG: the last migration to record as applied");
    EXPECT_NE(usage_message({"repair"}).find("TAG"), std::string::npos);
}

TEST(ClientCli, UsageErrorsNameTheInput) {
    EXPECT_EQ(usage_message({"migrate", "--no-such-flag"}), "unknown option: --no-such-flag");
    EXPECT_EQ(usage_message({"frobnicate"}),
              "unknown command: frobnicate (commands: migrate, status, verify, plan, baseline, repair)");
    EXPECT_EQ(usage_message({}), "no command given (commands: migrate, status, verify, plan, baseline, repair)");
    EXPECT_EQ(usage_message({"migrate", "--dir"}), "option --dir needs a value");
    EXPECT_EQ(usage_message({"migrate", "--dir", "--json"}), "option --dir needs a value");
    EXPECT_EQ(usage_message({"migrate", "status"}), "unexpected argument: status (the command is already migrate)");
    EXPECT_EQ(usage_message({"migrate", "stray"}), "unexpected argument: stray");
    EXPECT_EQ(usage_message({"migrate", "--dir="}), "option --dir needs a value");
    EXPECT_EQ(usage_message({"migrate", "--commit-each", "--single-transaction"}),
              "--commit-each and --single-transaction exclude each other");
}

TEST(ClientCli, AnOptionTheCommandDoesNotTakeIsRefusedNamingWhoTakesIt) {
    EXPECT_EQ(usage_message({"status", "--lock-timeout", "5s"}),
              "option --lock-timeout does not apply to status (it applies to: migrate, baseline, repair)");
    EXPECT_EQ(usage_message({"verify", "--allow-modified"}),
              "option --allow-modified does not apply to verify (it applies to: migrate, plan)");
    EXPECT_EQ(usage_message({"plan", "--to", "x"}), "option --to does not apply to plan (it applies to: migrate)");
    EXPECT_EQ(usage_message({"migrate", "--through", "x"}),
              "option --through does not apply to migrate (it applies to: baseline)");
}

TEST(ClientCli, HelpPerCommand) {
    std::ostringstream out;
    auto parsed = parse_command_line({"migrate", "--help"}, out);
    EXPECT_TRUE(parsed.help_printed);
    EXPECT_NE(out.str().find("--commit-each"), std::string::npos);
    EXPECT_NE(out.str().find("Exit codes:"), std::string::npos);
    std::ostringstream status;
    parse_command_line({"status", "-h"}, status);
    EXPECT_EQ(status.str().find("--lock-timeout"), std::string::npos);  // not an option of status
    EXPECT_NE(status.str().find("--migrations-table"), std::string::npos);
}

TEST(ClientCli, Version) {
    Invocation inv = parse({"--version", "--database-url", "dbname=x"});
    EXPECT_TRUE(inv.version);
    EXPECT_EQ(inv.command, Command::none);
    EXPECT_EQ(inv.database_url, "dbname=x");
}

TEST(ClientCli, JsonIsFoundBeforeParsing) {
    EXPECT_TRUE(wants_json({"migrate", "--bogus", "--json"}));
    EXPECT_FALSE(wants_json({"migrate", "--", "--json"}));
    EXPECT_FALSE(wants_json({"migrate"}));
}

}  // namespace
}  // namespace trovella::client
