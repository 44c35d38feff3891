#include "client/cli.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <ostream>

#include "client/environment.hpp"
#include "client/exit_codes.hpp"
#include "client/failure.hpp"
#include "client/help_text.hpp"
#include "client/targets.hpp"

namespace trovella::client {

namespace {

constexpr Command kCommands[] = {Command::migrate, Command::status,   Command::verify,
                                 Command::plan,    Command::baseline, Command::repair};

const char* kCommandList = "migrate, status, verify, plan, baseline, repair";

// The values as CLI11 fills them; a global option may stand before the command (parent) or
// after it (the command's own copy), the later one wins.
struct Raw {
    std::string engine, dir, parallel, migrations_schema, migrations_table, lock_timeout, statement_timeout, to_tag,
        through_tag, repair_tag;
    std::vector<std::string> env_files, database_urls, targets_files;
    bool json = false, fail_fast = false, allow_out_of_order = false, allow_modified = false, commit_each = false,
         single_transaction = false, rebuild_invalid_indexes = false;
};

// Options of the commands that are passed on to the extension, with the key that names them
// in its options object: the core says which function accepts which key.
struct ExtensionFlag {
    const char* flag;
    const char* key;
};
constexpr ExtensionFlag kExtensionFlags[] = {
    {"--migrations-schema", "migrations_schema"},
    {"--migrations-table", "migrations_table"},
    {"--allow-out-of-order", "allow_out_of_order"},
    {"--allow-modified", "allow_modified"},
    {"--lock-timeout", "lock_timeout"},
    {"--statement-timeout", "statement_timeout"},
};
// Options of the client itself that only one command takes.
struct CommandFlag {
    const char* flag;
    Command command;
};
constexpr CommandFlag kCommandFlags[] = {
    {"--commit-each", Command::migrate},
    {"--single-transaction", Command::migrate},
    {"--single-transaction", Command::plan},
    {"--rebuild-invalid-indexes", Command::migrate},
    {"--to", Command::migrate},
    {"--through", Command::baseline},
};

bool accepts(Command command, const std::string& flag) {
    for (const auto& f : kExtensionFlags)
        if (flag == f.flag) return core::accepts_option(function_of(command), f.key);
    bool known = false;
    for (const auto& f : kCommandFlags) {
        if (flag != f.flag) continue;
        if (f.command == command) return true;
        known = true;
    }
    return !known;  // the global options
}

std::string commands_accepting(const std::string& flag) {
    std::string out;
    for (Command c : kCommands)
        if (accepts(c, flag)) out += (out.empty() ? "" : ", ") + std::string(command_name(c));
    return out;
}

const std::vector<std::string> kValueOptions = {"--engine",
                                                "--dir",
                                                "--database-url",
                                                "--env-file-if-exists",
                                                "--targets",
                                                "--parallel",
                                                "--migrations-schema",
                                                "--migrations-table",
                                                "--lock-timeout",
                                                "--statement-timeout",
                                                "--to",
                                                "--through"};

bool takes_value(const std::string& arg) {
    return std::find(kValueOptions.begin(), kValueOptions.end(), arg) != kValueOptions.end();
}

bool is_known_option(const std::string& arg) {
    static const std::vector<std::string> flags = {"--json",
                                                   "--fail-fast",
                                                   "--allow-out-of-order",
                                                   "--allow-modified",
                                                   "--commit-each",
                                                   "--single-transaction",
                                                   "--rebuild-invalid-indexes",
                                                   "-h",
                                                   "--help",
                                                   "-V",
                                                   "--version"};
    return takes_value(arg) || std::find(flags.begin(), flags.end(), arg) != flags.end();
}

// CLI11 would say "--dir: 1 required TEXT missing"; the message users know names the option.
void check_values_present(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--") break;
        if (args[i].size() > 1 && args[i].back() == '=' && takes_value(args[i].substr(0, args[i].size() - 1)))
            throw usage_error("option " + args[i].substr(0, args[i].size() - 1) + " needs a value");
        if (!takes_value(args[i])) continue;
        if (i + 1 == args.size() || is_known_option(args[i + 1]))
            throw usage_error("option " + args[i] + " needs a value");
    }
}

void add_global_options(CLI::App* app, Raw& raw, const std::string& group) {
    app->add_option("--dir", raw.dir,
                    "migrations folder: the one holding meta/_journal.json (drizzle-kit 0.x) or the "
                    "<YYYYMMDDHHMMSS>_<name> folders (Drizzle 1.x). Default: the current directory if it is "
                    "one, else ./drizzle if it is one, else ./src/migrations if it is one, else ./drizzle")
        ->type_name("DIR")
        ->group(group);
    app->add_option("--database-url", raw.database_urls,
                    "postgresql:// URL or libpq key=value connection string (default: DATABASE_URL, "
                    "else libpq's PG* variables and service files). Repeated: a fleet, one target each")
        ->type_name("URL")
        ->group(group);
    add_fleet_options(app, raw.targets_files, raw.parallel, raw.fail_fast, group);
    app->add_option("--env-file-if-exists", raw.env_files,
                    "load KEY=VALUE lines from PATH (relative to the current directory) if it exists, "
                    "as node/tsx --env-file-if-exists does: export prefixes, # comments, single, double "
                    "or backtick quotes; a variable already in the environment is not overridden. May "
                    "be repeated")
        ->type_name("PATH")
        ->group(group);
    app->add_flag("--json", raw.json, "print exactly one JSON document on stdout (for CI), nothing else")->group(group);
    app->add_option("--engine", raw.engine,
                    "auto (default): the trovella_migrate extension's functions where it is installed in the "
                    "database, else the client engine; extension; client: the same checks and records, run by "
                    "this program over libpq (for managed databases that cannot load the extension)")
        ->type_name("auto|extension|client")
        ->check(CLI::IsMember({"auto", "extension", "client"}))
        ->group(group);
}

std::optional<EngineChoice> engine_choice(const std::optional<std::string>& value) {
    if (!value) return std::nullopt;
    return parse_engine(*value);  // CLI11 admits only the three values
}

void add_command_options(CLI::App* sub, Command command, Raw& raw) {
    const std::string hidden;  // CLI11 hides options of the empty group from the help
    auto group_for = [&](const char* flag) { return accepts(command, flag) ? std::string("Options") : hidden; };
    add_global_options(sub, raw, "Options");
    sub->add_option("--migrations-schema", raw.migrations_schema, "schema of the tracking table (default drizzle)")
        ->type_name("S")
        ->group(group_for("--migrations-schema"));
    sub->add_option("--migrations-table", raw.migrations_table,
                    "name of the tracking table (default __drizzle_migrations)")
        ->type_name("T")
        ->group(group_for("--migrations-table"));
    sub->add_flag("--allow-out-of-order", raw.allow_out_of_order,
                  "also apply pending migrations older than the newest applied one (merged from another branch)")
        ->group(group_for("--allow-out-of-order"));
    sub->add_flag("--allow-modified", raw.allow_modified, "proceed although an applied migration's file was edited")
        ->group(group_for("--allow-modified"));
    sub->add_option("--lock-timeout", raw.lock_timeout,
                    "lock_timeout while running, also bounds the wait for the migration lock (PostgreSQL duration: 5s)")
        ->type_name("D")
        ->group(group_for("--lock-timeout"));
    sub->add_option("--statement-timeout", raw.statement_timeout,
                    "statement_timeout for each migration statement (PostgreSQL duration: 10min)")
        ->type_name("D")
        ->group(group_for("--statement-timeout"));
    sub->add_flag("--commit-each", raw.commit_each,
                  "commit after each migration (CALL trovella_migrate.apply_each): a failure keeps the ones before it")
        ->group(group_for("--commit-each"));
    sub->add_flag("--single-transaction", raw.single_transaction,
                  "everything in one transaction, all or nothing: refuse a migration that cannot run in one (by "
                  "default migrate runs it statement by statement outside the transaction; plan marks it)")
        ->group(group_for("--single-transaction"));
    sub->add_flag("--rebuild-invalid-indexes", raw.rebuild_invalid_indexes,
                  "drop an invalid index left by a failed CREATE INDEX CONCURRENTLY and build it again")
        ->group(group_for("--rebuild-invalid-indexes"));
    sub->add_option("--to", raw.to_tag, "apply pending migrations up to and including TAG only")
        ->type_name("TAG")
        ->group(group_for("--to"));
    sub->add_option("--through", raw.through_tag, "record the entries up to and including TAG")
        ->type_name("TAG")
        ->group(group_for("--through"));
    if (command == Command::repair)
        sub->add_option("TAG", raw.repair_tag, "the applied migration whose new hash to record")->required();
    for (auto* option : sub->get_options()) option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    for (const char* name : {"--env-file-if-exists", "--database-url", "--targets"})
        sub->get_option(name)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->allow_extras();
    auto help = help_for(command);
    sub->description(std::string(help.summary) + "\n\n" + help.details);
    sub->footer(std::string(exit_code_help()) + "\n" + kFooter);
}

std::optional<std::string> given(const CLI::App* app, const char* name, const std::string& value) {
    const auto* option = app->get_option_no_throw(name);
    if (option == nullptr || option->count() == 0) return std::nullopt;
    return value;
}

// Before the command, a word that is not an option can only be a misspelt command.
void refuse_extras(const CLI::App& app) {
    for (const auto& extra : app.remaining()) {
        if (extra.size() > 1 && extra[0] == '-') throw usage_error("unknown option: " + extra);
        throw usage_error("unknown command: " + extra + " (commands: " + kCommandList + ")");
    }
}

// --database-url and --targets before and after the command add up; the last --database-url is
// the one target of a command that has no other.
void set_targets(Invocation& inv, const Raw& parent, const Raw& own, const std::optional<std::string>& parallel) {
    inv.database_urls = parent.database_urls;
    inv.database_urls.insert(inv.database_urls.end(), own.database_urls.begin(), own.database_urls.end());
    if (!inv.database_urls.empty()) inv.database_url = inv.database_urls.back();
    inv.targets_files = parent.targets_files;
    inv.targets_files.insert(inv.targets_files.end(), own.targets_files.begin(), own.targets_files.end());
    inv.fail_fast = parent.fail_fast || own.fail_fast;
    if (parallel) inv.parallel = parse_parallel(*parallel);
}

}  // namespace

const char* command_name(Command command) {
    switch (command) {
        case Command::migrate:
            return "migrate";
        case Command::status:
            return "status";
        case Command::verify:
            return "verify";
        case Command::plan:
            return "plan";
        case Command::baseline:
            return "baseline";
        case Command::repair:
            return "repair";
        case Command::none:
            break;
    }
    return "";
}

core::Function function_of(Command command) {
    switch (command) {
        case Command::migrate:
            return core::Function::apply;
        case Command::status:
            return core::Function::status;
        case Command::verify:
            return core::Function::verify;
        case Command::plan:
            return core::Function::plan;
        case Command::baseline:
            return core::Function::baseline;
        case Command::repair:
            return core::Function::repair;
        case Command::none:
            break;
    }
    return core::Function::status;
}

bool wants_json(const std::vector<std::string>& args) {
    for (const auto& arg : args) {
        if (arg == "--") break;
        if (arg == "--json") return true;
    }
    return false;
}

std::optional<EngineChoice> parse_engine(const std::string& value) {
    if (value == "auto") return EngineChoice::auto_pick;
    if (value == "extension") return EngineChoice::extension;
    if (value == "client") return EngineChoice::client;
    return std::nullopt;
}

EngineChoice engine_choice_of(const Invocation& invocation, const Environment& env) {
    if (invocation.engine) return *invocation.engine;
    auto value = env.get("TROVELLA_ENGINE");
    if (!value || value->empty()) return EngineChoice::auto_pick;
    auto choice = parse_engine(*value);
    if (!choice) throw usage_error("TROVELLA_ENGINE is \"" + *value + "\": it must be auto, extension or client");
    return *choice;
}

ParsedCommandLine parse_command_line(const std::vector<std::string>& args, std::ostream& out) {
    check_values_present(args);

    CLI::App app(kDescription, "trovella-migrate");
    app.footer(std::string("Commands: ") + kCommandList + "\n\n" + exit_code_help() + "\n" + kFooter);
    app.allow_extras();
    app.require_subcommand(0, 1);
    Raw parent, own;
    bool version = false;
    add_global_options(&app, parent, "Options (also accepted after the command)");
    for (auto* option : app.get_options()) option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    for (const char* name : {"--env-file-if-exists", "--database-url", "--targets"})
        app.get_option(name)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_flag("-V,--version", version,
                 "print the client's version and the installed extension's version (connects as a command would)");
    std::vector<std::pair<Command, CLI::App*>> subs;
    for (Command c : kCommands) {
        auto* sub = app.add_subcommand(command_name(c), help_for(c).summary);
        add_command_options(sub, c, own);
        subs.emplace_back(c, sub);
    }

    try {
        app.parse(std::vector<std::string>(args.rbegin(), args.rend()));  // CLI11 takes them reversed
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return {Invocation{}, true};
    } catch (const CLI::CallForAllHelp&) {
        out << app.help("", CLI::AppFormatMode::All);
        return {Invocation{}, true};
    } catch (const CLI::ParseError& e) {
        throw usage_error(e.what());
    }

    ParsedCommandLine parsed;
    Invocation& inv = parsed.invocation;
    inv.version = version;
    refuse_extras(app);
    const CLI::App* chosen = nullptr;
    for (auto& [command, sub] : subs)
        if (sub->parsed()) {
            inv.command = command;
            chosen = sub;
        }
    if (chosen == nullptr) {
        if (version) {
            inv.json = parent.json;
            inv.dir = given(&app, "--dir", parent.dir);
            inv.env_files = parent.env_files;
            inv.engine = engine_choice(given(&app, "--engine", parent.engine));
            set_targets(inv, parent, Raw{}, given(&app, "--parallel", parent.parallel));
            return parsed;
        }
        throw usage_error(std::string("no command given (commands: ") + kCommandList + ")");
    }
    for (const auto& extra : chosen->remaining()) {
        if (extra.size() > 1 && extra[0] == '-') throw usage_error("unknown option: " + extra);
        bool is_command = false;
        for (Command c : kCommands) is_command = is_command || extra == command_name(c);
        if (is_command)
            throw usage_error("unexpected argument: " + extra + " (the command is already " +
                              command_name(inv.command) + ")");
        throw usage_error("unexpected argument: " + extra);
    }
    for (const auto* option : chosen->get_options()) {
        // get_name() is empty for the options hidden from this command's help: use the long name.
        if (option->count() == 0 || option->get_lnames().empty()) continue;
        const std::string flag = "--" + option->get_lnames().front();
        if (!accepts(inv.command, flag))
            throw usage_error("option " + flag + " does not apply to " + command_name(inv.command) +
                              " (it applies to: " + commands_accepting(flag) + ")");
    }

    inv.json = parent.json || own.json;
    auto pick = [&](const char* name, const std::string& parent_value, const std::string& own_value) {
        auto mine = given(chosen, name, own_value);
        return mine ? mine : given(&app, name, parent_value);
    };
    inv.dir = pick("--dir", parent.dir, own.dir);
    set_targets(inv, parent, own, pick("--parallel", parent.parallel, own.parallel));
    inv.engine = engine_choice(pick("--engine", parent.engine, own.engine));
    inv.env_files = parent.env_files;
    inv.env_files.insert(inv.env_files.end(), own.env_files.begin(), own.env_files.end());
    inv.migrations_schema = given(chosen, "--migrations-schema", own.migrations_schema);
    inv.migrations_table = given(chosen, "--migrations-table", own.migrations_table);
    inv.lock_timeout = given(chosen, "--lock-timeout", own.lock_timeout);
    inv.statement_timeout = given(chosen, "--statement-timeout", own.statement_timeout);
    inv.allow_out_of_order = own.allow_out_of_order;
    inv.allow_modified = own.allow_modified;
    inv.commit_each = own.commit_each;
    inv.single_transaction = own.single_transaction;
    inv.rebuild_invalid_indexes = own.rebuild_invalid_indexes;
    inv.to_tag = given(chosen, "--to", own.to_tag);
    inv.repair_tag = own.repair_tag;
    inv.through_tag = own.through_tag;

    if (inv.commit_each && inv.single_transaction)
        throw usage_error("--commit-each and --single-transaction exclude each other");
    if (inv.rebuild_invalid_indexes && inv.single_transaction)
        throw usage_error(
            "--rebuild-invalid-indexes and --single-transaction exclude each other: indexes are built CONCURRENTLY "
            "only outside a transaction");
    if (inv.command == Command::baseline && chosen->get_option("--through")->count() == 0)
        throw usage_error("baseline needs --through TAG: the last migration to record as applied");
    if (inv.command == Command::baseline && inv.through_tag.empty())
        throw usage_error("--through must name a migration");
    if (inv.command == Command::repair && inv.repair_tag.empty())
        throw usage_error("repair needs the TAG of an applied migration");
    if (inv.to_tag && inv.to_tag->empty()) throw usage_error("--to must name a migration");
    return parsed;
}

}  // namespace trovella::client
