// trovella-migrate: reads a Drizzle migrations folder and applies or checks it with the
// trovella_migrate extension over libpq. The steps are here; each lives in its own file.
#include <iostream>
#include <memory>

#include "client/cli.hpp"
#include "client/commands.hpp"
#include "client/connect.hpp"
#include "client/env_file.hpp"
#include "client/fleet.hpp"
#include "client/folder.hpp"
#include "client/report.hpp"
#include "client/targets.hpp"

using namespace trovella::client;

namespace {

// Describes and connects the one target; its engine is chosen in connect.cpp. Throws Failure.
void connect(EngineChoice choice, TargetRun& target, Reporter& reporter) {
    target.target = describe_target(target.source);
    reporter.add_secrets(target.target->secrets);
    connect_target(choice, target, [&reporter](const ServerMessage& message) { reporter.on_message(message); });
}

int run(const std::vector<std::string>& args) {
    Reporter reporter(wants_json(args), std::cout, std::cerr);
    ParsedCommandLine parsed;
    try {
        parsed = parse_command_line(args, std::cout);
    } catch (const Failure& failure) {
        return reporter.early_failure(nullptr, failure, nullptr, std::nullopt);
    }
    if (parsed.help_printed) return 0;
    const Invocation& inv = parsed.invocation;

    ProcessEnvironment env;
    TargetRun target;
    std::optional<std::string> dir;
    try {
        LoadedEnv loaded = load_env_files(inv.env_files, env);
        std::vector<ConnectionSource> sources = target_sources(inv, env, loaded);
        if (sources.size() > 1)
            return run_fleet(inv, std::move(sources), engine_choice_of(inv, env), reporter, std::cout, std::cerr);
        target.source = sources.front();
        if (inv.version) {
            try {
                connect(engine_choice_of(inv, env), target, reporter);
            } catch (Failure& failure) {
                explain(failure, inv, target);
                return reporter.version(inv, &target, failure);
            }
            return reporter.version(inv, &target, std::nullopt);
        }
        dir = resolve_dir(inv.dir);
        MigrationFolder folder = read_folder(*dir);
        check_tags(inv, folder);
        options_for(inv, inv.commit_each ? trovella::core::Function::apply_each : function_of(inv.command));
        connect(engine_choice_of(inv, env), target, reporter);
        reporter.engine(target);
        for (const auto& warning : folder.warnings) reporter.on_message({"WARNING", "01000", warning, {}, {}, {}});
        run_command(inv, folder, target, [&reporter](bool on) { reporter.mute(on); });
        return reporter.command_result(inv, folder, target);
    } catch (Failure& failure) {
        explain(failure, inv, target);
        return reporter.early_failure(&inv, failure, &target, dir);
    } catch (const std::exception& e) {  // a bug or out of memory: still one report, exit 4
        return reporter.early_failure(
            &inv, Failure(ExitCode::migration_failed, std::string("internal error: ") + e.what()), &target, dir);
    }
}

}  // namespace

int main(int argc, char** argv) {
    install_cancel_on_interrupt();
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        return run(args);
    } catch (const std::exception& e) {
        std::cerr << "trovella-migrate: internal error: " << e.what() << '\n';
        return 4;
    }
}
