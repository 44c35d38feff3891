// Fleets: the targets file, the fleet's options and their messages, the states and the exit code
// of a fleet, its summary table and status groups, its --json document, the progress line it
// shows, and the pieces shared by its threads (whole lines, a frozen text[]).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "client/cli.hpp"
#include "client/failure.hpp"
#include "client/fleet_summary.hpp"
#include "client/line_writer.hpp"
#include "client/targets.hpp"
#include "client/text_array.hpp"
#include "core/run.hpp"
#include "unit/fake_database.hpp"

namespace trovella::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The message of the usage error `body` throws (exit 2), or a test failure.
template <class Body>
std::string usage_message(Body&& body) {
    try {
        body();
    } catch (const Failure& f) {
        EXPECT_EQ(f.code(), ExitCode::usage);
        return f.error().message;
    }
    ADD_FAILURE() << "no usage error";
    return {};
}

Invocation parse(const std::vector<std::string>& args) {
    std::ostringstream help;
    return parse_command_line(args, help).invocation;
}

std::string temp_file(const std::string& name, const std::string& text) {
    std::string path = ::testing::TempDir() + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// ---- the targets file -------------------------------------------------------------------------

TEST(ClientTargets, LinesCommentsBlanksCrlfAndServiceNames) {
    auto sources = parse_targets(
        "# tenants\n"
        "\n"
        "postgresql://app:secret@db1.example.com:5432/tenant_a\r\n"
        "   host=db2 port=6432 dbname='tenant b'   \n"
        "\t# indented comment\n"
        "tenant_c.eu-west\n"
        "postgres://db3/tenant_d",  // no final newline
        "fleet.txt");
    ASSERT_EQ(sources.size(), 4u);
    EXPECT_EQ(sources[0].conninfo, "postgresql://app:secret@db1.example.com:5432/tenant_a");
    EXPECT_EQ(sources[1].conninfo, "host=db2 port=6432 dbname='tenant b'");
    EXPECT_EQ(sources[2].conninfo, "service=tenant_c.eu-west");
    EXPECT_EQ(sources[3].conninfo, "postgres://db3/tenant_d");
    EXPECT_EQ(sources[0].kind, SourceKind::targets_file);
    EXPECT_EQ(sources[0].label(), "fleet.txt:3");
    EXPECT_EQ(sources[1].label(), "fleet.txt:4");
    EXPECT_EQ(sources[2].label(), "fleet.txt:6");
    EXPECT_EQ(sources[3].label(), "fleet.txt:7");
}

TEST(ClientTargets, ALineThatIsNoTargetIsNamedNotQuoted) {
    std::string message =
        usage_message([] { parse_targets("# ok\npostgresql://a/b\nmy pass word s3cret\n", "fleet.txt"); });
    EXPECT_THAT(message, HasSubstr("--targets fleet.txt:3 is neither a connection string"));
    EXPECT_THAT(message, HasSubstr("nor a service name"));
    EXPECT_THAT(message, Not(HasSubstr("s3cret")));
    EXPECT_THAT(usage_message([] { parse_targets("tenant'a\n", "f"); }), HasSubstr("--targets f:1 is neither"));
    EXPECT_THAT(usage_message([] { parse_targets(std::string("dbname=a\0b\n", 11), "f"); }),
                HasSubstr("--targets f:1 holds a NUL byte"));
}

TEST(ClientTargets, UnreadableMissingAndEmptyFiles) {
    EXPECT_EQ(usage_message([] { read_targets_file("/nonexistent/fleet.txt"); }),
              "cannot read --targets /nonexistent/fleet.txt: No such file or directory");
    EXPECT_EQ(usage_message([] { read_targets_file("/"); }), "cannot read --targets /: Is a directory");
    const std::string empty = temp_file("empty-fleet.txt", "# nothing yet\n\n   \n");
    EXPECT_EQ(usage_message([&] { read_targets_file(empty); }),
              "--targets " + empty + " lists no target (only blank lines and # comments)");
    const std::string two = temp_file("two-fleet.txt", "dbname=a\ndbname=b\n");
    EXPECT_EQ(read_targets_file(two).size(), 2u);
}

TEST(ClientTargets, OneDatabaseUrlIsTheOneTargetAsBefore) {
    MapEnvironment env(std::map<std::string, std::string>{{"DATABASE_URL", "dbname=from_env"}});
    Invocation inv = parse({"status", "--database-url", "dbname=one"});
    auto sources = target_sources(inv, env, {});
    ASSERT_EQ(sources.size(), 1u);
    EXPECT_EQ(sources[0].label(), "--database-url");
    EXPECT_EQ(sources[0].conninfo, "dbname=one");
    // None given: DATABASE_URL, as before.
    sources = target_sources(parse({"status"}), env, {});
    ASSERT_EQ(sources.size(), 1u);
    EXPECT_EQ(sources[0].label(), "DATABASE_URL");
}

TEST(ClientTargets, RepeatedDatabaseUrlsAndFilesAddUpInOrder) {
    const std::string file = temp_file("fleet-order.txt", "dbname=c\n");
    MapEnvironment env(std::map<std::string, std::string>{{"DATABASE_URL", "dbname=ignored"}});
    Invocation inv = parse({"--database-url", "dbname=a", "migrate", "--targets", file, "--database-url=dbname=b"});
    EXPECT_THAT(inv.database_urls, ElementsAre("dbname=a", "dbname=b"));
    EXPECT_THAT(inv.targets_files, ElementsAre(file));
    auto sources = target_sources(inv, env, {});
    ASSERT_EQ(sources.size(), 3u);
    EXPECT_EQ(sources[0].label(), "--database-url #1");
    EXPECT_EQ(sources[1].label(), "--database-url #2");
    EXPECT_EQ(sources[2].label(), file + ":1");
    EXPECT_EQ(sources[2].conninfo, "dbname=c");
}

TEST(ClientTargets, AnEmptyDatabaseUrlInAFleetIsRefused) {
    MapEnvironment env;
    Invocation inv;
    inv.database_urls = {"dbname=a", ""};
    EXPECT_EQ(usage_message([&] { target_sources(inv, env, {}); }),
              "--database-url #2 is empty: with more than one target, each names its database");
}

TEST(ClientTargets, TwoSourcesNamingOneDatabaseAreRefused) {
    auto sources = parse_targets(
        "host=h port=1 user=u dbname=a\nhost=h port=1 user=u dbname=b\n"
        "postgresql://u:pw@h:1/a\n",
        "fleet.txt");
    std::vector<Target> targets;
    for (const auto& s : sources) targets.push_back(describe_target(s));
    std::string message = usage_message([&] { refuse_duplicates(sources, targets); });
    EXPECT_EQ(message,
              "fleet.txt:1 and fleet.txt:3 name the same database (u@h:1/a): each target is migrated once, so list it "
              "once");
    targets.pop_back();
    sources.pop_back();
    refuse_duplicates(sources, targets);  // a and b differ: no error
}

// A service named on a line is described with the service file's values, as libpq will connect.
TEST(ClientTargets, AServiceLineIsDescribedFromTheServiceFile) {
    const std::string file =
        temp_file("pg_service_fleet.conf", "[tenant_a]\nhost=db-a.example.com\nport=6543\ndbname=app_a\nuser=app\n");
    const char* before = std::getenv("PGSERVICEFILE");
    const std::string saved = before != nullptr ? before : "";
    ::setenv("PGSERVICEFILE", file.c_str(), 1);
    ::unsetenv("PGSERVICE");
    auto sources = parse_targets("tenant_a\n", "fleet.txt");
    Target target = describe_target(sources.at(0));
    EXPECT_EQ(target.text(), "app@db-a.example.com:6543/app_a (service tenant_a)");
    EXPECT_EQ(std::getenv("PGSERVICE"), nullptr) << "the environment is as it was";
    if (before != nullptr)
        ::setenv("PGSERVICEFILE", saved.c_str(), 1);
    else
        ::unsetenv("PGSERVICEFILE");
}

// ---- options ----------------------------------------------------------------------------------

TEST(ClientFleetOptions, ParallelDefaultsToFourAndTakesOneTo256) {
    EXPECT_EQ(parse({"migrate"}).parallel, 4);
    EXPECT_EQ(parse({"migrate", "--parallel", "8"}).parallel, 8);
    EXPECT_EQ(parse({"--parallel=1", "status"}).parallel, 1);
    EXPECT_EQ(parse({"verify", "--parallel", "256"}).parallel, 256);
    EXPECT_FALSE(parse({"plan"}).fail_fast);
    EXPECT_TRUE(parse({"plan", "--fail-fast"}).fail_fast);
    EXPECT_TRUE(parse({"--fail-fast", "migrate"}).fail_fast);
}

TEST(ClientFleetOptions, BadParallelValuesAreNamed) {
    for (const char* bad : {"0", "-1", "abc", "257", "1.5", "99999", ""}) {
        EXPECT_EQ(
            usage_message([&] {
                parse({"migrate", "--parallel", bad});
            }),
            std::string("--parallel must be a whole number from 1 to 256 (how many targets run at once), not \"") +
                bad + "\"")
            << bad;
    }
    EXPECT_EQ(usage_message([] { parse({"migrate", "--parallel"}); }), "option --parallel needs a value");
    EXPECT_EQ(usage_message([] { parse({"migrate", "--targets"}); }), "option --targets needs a value");
    EXPECT_EQ(usage_message([] { parse({"migrate", "--targets", "--json"}); }), "option --targets needs a value");
}

// ---- states, exit code ------------------------------------------------------------------------

TargetSummary ended(const std::string& target, TargetState state, std::optional<int> code) {
    TargetSummary t;
    t.target = target;
    t.state = state;
    t.exit_code = code;
    return t;
}

TEST(ClientFleetSummary, StatesFromExitCodes) {
    EXPECT_EQ(state_of(ExitCode::ok, false), TargetState::ok);
    EXPECT_EQ(state_of(ExitCode::verify_failed, false), TargetState::refused);
    EXPECT_EQ(state_of(ExitCode::verify_failed, true), TargetState::behind);
    EXPECT_EQ(state_of(ExitCode::usage, false), TargetState::refused);
    EXPECT_EQ(state_of(ExitCode::cannot_connect, false), TargetState::unreachable);
    EXPECT_EQ(state_of(ExitCode::migration_failed, false), TargetState::failed);
    EXPECT_EQ(state_of(ExitCode::cannot_migrate, false), TargetState::refused);
    EXPECT_STREQ(state_name(TargetState::skipped), "skipped");
}

TEST(ClientFleetSummary, WorstExitCodeIsTheHighestAndAtLeastFourAfterCtrlC) {
    std::vector<TargetSummary> targets{ended("a", TargetState::ok, 0), ended("b", TargetState::refused, 1),
                                       ended("c", TargetState::unreachable, 3), ended("d", TargetState::ok, 0)};
    EXPECT_EQ(worst_exit_code(targets, false), 3);
    targets.push_back(ended("e", TargetState::refused, 5));
    EXPECT_EQ(worst_exit_code(targets, false), 5) << "5 is higher than 4: numeric order, documented";
    EXPECT_EQ(worst_exit_code({ended("a", TargetState::ok, 0), ended("b", TargetState::ok, 0)}, false), 0);
    EXPECT_EQ(worst_exit_code({ended("a", TargetState::ok, 0), ended("b", TargetState::skipped, std::nullopt)}, false),
              0)
        << "skipped (--fail-fast) targets add nothing";
    EXPECT_EQ(worst_exit_code({ended("a", TargetState::ok, 0), ended("b", TargetState::skipped, std::nullopt)}, true),
              4)
        << "Ctrl-C left a target undone: at least 4, as Ctrl-C of one target";
    EXPECT_EQ(worst_exit_code({ended("a", TargetState::refused, 5)}, true), 5);
}

TEST(ClientFleetSummary, FirstLineAndRedaction) {
    EXPECT_EQ(first_line("connection refused  \n\tIs the server running?"), "connection refused");
    EXPECT_EQ(first_line("one line"), "one line");
    EXPECT_EQ(redacted(std::string("password s3cret and s3cret"), {"s3cret", "pw"}), "password *** and ***");
    auto doc = redacted(nlohmann::ordered_json{{"a", "x s3cret"}, {"b", {"s3cret"}}}, {"s3cret"});
    EXPECT_EQ(doc.dump(), R"({"a":"x ***","b":["***"]})");
}

TEST(ClientFleetSummary, DurationText) {
    EXPECT_EQ(duration_text(0.4), "0 ms");
    EXPECT_EQ(duration_text(41.6), "42 ms");
    EXPECT_EQ(duration_text(3420), "3.4 s");
}

std::vector<TargetSummary> a_fleet() {
    TargetSummary ok = ended("app@db1:5432/tenant_a", TargetState::ok, 0);
    ok.engine = "extension";
    ok.applied_before = 3;
    ok.applied_now = 2;
    ok.pending = 0;
    ok.duration_ms = 41;
    TargetSummary refused = ended("app@db1:5432/tenant_b", TargetState::refused, 1);
    refused.engine = "client";
    refused.applied_before = 5;
    refused.applied_now = 0;
    refused.pending = 0;
    refused.duration_ms = 12;
    refused.error = "migration \"0003_x\" was modified after it was applied";
    TargetSummary down = ended("app@db2:5432/tenant_c", TargetState::unreachable, 3);
    down.duration_ms = 2;
    down.error = "connection to server at \"db2\", port 5432 failed: Connection refused";
    TargetSummary skipped = ended("app@db2:5432/tenant_d", TargetState::skipped, std::nullopt);
    return {ok, refused, down, skipped};
}

TEST(ClientFleetSummary, SummaryTable) {
    EXPECT_EQ(
        summary_table(Command::migrate, a_fleet()),
        "TARGET                 ENGINE     APPLIED BEFORE  APPLIED NOW  PENDING  STATE        DURATION  ERROR\n"
        "app@db1:5432/tenant_a  extension  3               2            0        ok           41 ms\n"
        "app@db1:5432/tenant_b  client     5               0            0        refused      12 ms     migration "
        "\"0003_x\" was modified after it was applied\n"
        "app@db2:5432/tenant_c  -          -               -            -        unreachable  2 ms      "
        "connection to server at \"db2\", port 5432 failed: Connection refused\n"
        "app@db2:5432/tenant_d  -          -               -            -        skipped      -\n");
}

TEST(ClientFleetSummary, EndLines) {
    auto fleet = a_fleet();
    EXPECT_EQ(target_end_line(Command::migrate, fleet[0]),
              "ok: extension, 3 applied before, 2 applied now, 0 pending, 41 ms");
    EXPECT_EQ(target_end_line(Command::migrate, fleet[1]),
              "refused: client, 5 applied before, 0 applied now, 0 pending, 12 ms (exit 1): migration \"0003_x\" was "
              "modified after it was applied");
    EXPECT_EQ(target_end_line(Command::migrate, fleet[2]),
              "unreachable: 2 ms (exit 3): connection to server at \"db2\", port 5432 failed: Connection refused");
    TargetSummary status = ended("t", TargetState::behind, 1);
    status.engine = "client";
    status.applied_before = 2;
    status.last_applied = "0001_b";
    status.pending = 1;
    status.duration_ms = 7;
    EXPECT_EQ(target_end_line(Command::status, status),
              "behind: client, 2 applied, last 0001_b, 1 pending, 7 ms (exit 1)");
}

TargetSummary read_status(const std::string& target, const std::string& last, std::optional<std::size_t> position,
                          long long applied, long long pending) {
    TargetSummary t = ended(target, pending > 0 ? TargetState::behind : TargetState::ok, pending > 0 ? 1 : 0);
    t.engine = "client";
    t.last_applied = last;
    t.last_applied_position = position;
    t.applied_before = applied;
    t.pending = pending;
    return t;
}

TEST(ClientFleetSummary, StatusTableAndGroupsByLastApplied) {
    std::vector<TargetSummary> fleet{
        read_status("db/t1", "0002_c", 2, 3, 0), read_status("db/t2", "0000_a", 0, 1, 2),
        read_status("db/t3", "0002_c", 2, 3, 0), read_status("db/t4", "", std::nullopt, 0, 3),
        read_status("db/t5", "0000_a", 0, 1, 2), ended("db/t6", TargetState::unreachable, 3)};
    EXPECT_EQ(summary_table(Command::status, fleet),
              "TARGET  ENGINE  LAST APPLIED  APPLIED  PENDING  STATE        DURATION  ERROR\n"
              "db/t1   client  0002_c        3        0        ok           0 ms\n"
              "db/t2   client  0000_a        1        2        behind       0 ms\n"
              "db/t3   client  0002_c        3        0        ok           0 ms\n"
              "db/t4   client  (none)        0        3        behind       0 ms\n"
              "db/t5   client  0000_a        1        2        behind       0 ms\n"
              "db/t6   -       -             -        -        unreachable  0 ms\n");
    auto groups = status_groups(fleet);
    ASSERT_EQ(groups.size(), 3u);
    EXPECT_EQ(groups[0].last_applied, "0002_c");
    EXPECT_THAT(groups[0].targets, ElementsAre("db/t1", "db/t3"));
    EXPECT_EQ(groups[1].last_applied, "0000_a");
    EXPECT_THAT(groups[1].targets, ElementsAre("db/t2", "db/t5"));
    EXPECT_EQ(groups[2].last_applied, "");
    EXPECT_EQ(status_groups_table(groups),
              "LAST APPLIED  PENDING  TARGETS  WHICH\n"
              "0002_c        0        2\n"
              "0000_a        2        2        db/t2, db/t5\n"
              "(none)        3        1        db/t4\n");
}

TEST(ClientFleetSummary, AGroupNamesTenTargetsAndCountsTheRest) {
    std::vector<TargetSummary> fleet;
    for (int i = 0; i < 13; ++i) fleet.push_back(read_status("t" + std::to_string(i), "0000_a", 0, 1, 1));
    EXPECT_THAT(status_groups_table(status_groups(fleet)),
                HasSubstr("0000_a        1        13       t0, t1, t2, t3, t4, t5, t6, t7, t8, t9 and 3 more\n"));
}

TEST(ClientFleetSummary, FleetLine) {
    FleetRun run;
    run.command = Command::migrate;
    run.parallel = 8;
    run.duration_ms = 3400;
    auto fleet = a_fleet();
    fleet.pop_back();
    EXPECT_EQ(fleet_line(run, fleet),
              "Fleet: 3 targets in 3.4 s (8 at a time): 1 ok, 1 refused, 1 unreachable; exit code 3 (the highest of "
              "the targets')");
    run.interrupted = true;
    EXPECT_EQ(fleet_line(run, a_fleet()),
              "Fleet: 4 targets in 3.4 s (8 at a time): 1 ok, 1 refused, 1 unreachable, 1 skipped; exit code 4 (the "
              "highest of the targets', at least 4 after Ctrl-C)\nInterrupted by Ctrl-C: the skipped targets never "
              "started; run the command again to finish them (what ran is recorded, nothing is applied twice).");
}

TEST(ClientFleetSummary, JsonDocumentHasOneEntryPerTarget) {
    FleetRun run;
    run.command = Command::migrate;
    run.parallel = 2;
    run.dir = "drizzle";
    auto fleet = a_fleet();
    fleet[0].report = nlohmann::ordered_json{{"exit_code", 0}};
    auto doc = fleet_document(run, fleet);
    EXPECT_EQ(doc["schema_version"], 1);
    EXPECT_EQ(doc["fleet"], true);
    EXPECT_EQ(doc["command"], "migrate");
    EXPECT_EQ(doc["exit_code"], 3);
    EXPECT_EQ(doc["ok"], false);
    EXPECT_EQ(doc["counts"]["ok"], 1);
    EXPECT_EQ(doc["counts"]["skipped"], 1);
    ASSERT_EQ(doc["targets"].size(), 4u);
    const auto& first = doc["targets"][0];
    std::vector<std::string> keys;
    for (const auto& [key, value] : first.items()) keys.push_back(key);
    EXPECT_THAT(keys, ElementsAre("target", "target_source", "engine", "extension_version", "state", "exit_code",
                                  "applied_before", "applied_now", "pending", "duration_ms", "error", "report"));
    EXPECT_EQ(first["applied_now"], 2);
    EXPECT_EQ(first["report"]["exit_code"], 0);
    EXPECT_TRUE(doc["targets"][2]["applied_before"].is_null());
    EXPECT_EQ(doc["targets"][2]["error"], fleet[2].error);
    EXPECT_TRUE(doc["targets"][3]["exit_code"].is_null());
    EXPECT_TRUE(doc["targets"][3]["duration_ms"].is_null());
    EXPECT_FALSE(doc.contains("by_last_applied"));
    run.command = Command::status;
    EXPECT_TRUE(fleet_document(run, fleet)["targets"][0].contains("last_applied"));
    EXPECT_TRUE(fleet_document(run, fleet)["by_last_applied"].is_array());
}

// ---- the progress line ------------------------------------------------------------------------

std::string fake_hash(std::string_view text) { return "sha-of(" + std::string(text) + ")"; }

// The core's own notices (the text both engines send): one "applied" line per migration applied.
TEST(ClientFleetProgress, OneLinePerMigrationAppliedFromTheCoresNotices) {
    nlohmann::json entries = nlohmann::json::array();
    core::MigrationTexts texts;
    for (int i = 0; i < 3; ++i) {
        const std::string tag = "000" + std::to_string(i) + "_m";
        entries.push_back({{"idx", i}, {"when", 1000 + i}, {"tag", tag}});
        texts.emplace(tag, "SELECT " + std::to_string(i) + ";\n--> statement-breakpoint\nSELECT 1;");
    }
    core::Inputs in = core::make_inputs(nlohmann::json{{"entries", entries}}.dump(), texts,
                                        core::parse_options("{}", core::Function::apply), core::Function::apply,
                                        core::Texts::required, &fake_hash);
    test::FakeDatabase db;
    core::ApplyResult result = core::apply(db, in);
    std::vector<std::string> progress;
    for (const auto& text : db.notices)
        if (is_migration_applied({"NOTICE", "00000", text, {}, {}, {}})) progress.push_back(text.substr(0, 16));
    for (const auto& text : result.messages)
        EXPECT_FALSE(is_migration_applied({"NOTICE", "00000", text, {}, {}, {}})) << text;
    EXPECT_THAT(progress, ElementsAre("applied 0000_m (", "applied 0001_m (", "applied 0002_m ("));
    // core/outside_transaction.cpp's line for a migration run statement by statement.
    EXPECT_TRUE(is_migration_applied(
        {"NOTICE", "00000", "applied 0001_idx (2 statements in 31.0 ms, outside a transaction)", {}, {}, {}}));
    EXPECT_FALSE(is_migration_applied({"WARNING", "01000", "applied 0000_m (1 statement in 1.0 ms)", {}, {}, {}}));
    EXPECT_FALSE(is_migration_applied({"NOTICE", "00000", "applying 0000_m (1 statement)", {}, {}, {}}));
}

// ---- shared by threads --------------------------------------------------------------------------

TEST(ClientLineWriter, LinesFromManyThreadsNeverInterleave) {
    std::ostringstream out, err;
    LineWriter lines(out, err);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&lines, t] {
            const std::string body(200, static_cast<char>('a' + t));
            for (int i = 0; i < 200; ++i) lines.out(body + "\n" + body, "[t" + std::to_string(t) + "] ");
        });
    for (auto& thread : threads) thread.join();
    std::istringstream read(out.str());
    std::string line;
    int count = 0;
    while (std::getline(read, line)) {
        ++count;
        ASSERT_EQ(line.size(), 5u + 200u) << line;
        const char t = line[2];
        EXPECT_EQ(line.substr(0, 5), std::string("[t") + t + "] ");
        EXPECT_EQ(line.substr(5), std::string(200, static_cast<char>('a' + (t - '0'))));
    }
    EXPECT_EQ(count, 8 * 200 * 2);
}

TEST(ClientTextArray, AFrozenArrayOnlyReadsAndRefusesAnotherCount) {
    TextArray array;
    array.append("a");
    array.append("bb");
    array.freeze(2);
    Param full = array.param(2);
    EXPECT_EQ(full.length, array.param(2).length);
    EXPECT_THROW(array.param(1), std::logic_error);
    EXPECT_THROW(array.param(0), std::logic_error);
    TextArray empty;
    empty.freeze(0);
    EXPECT_EQ(std::string(empty.param(0).data), "{}");
}

}  // namespace
}  // namespace trovella::client
