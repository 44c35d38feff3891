#include "client/commands.hpp"

#include <set>

#include "core/error.hpp"
#include "core/messages.hpp"

namespace trovella::client {

namespace {

using json = nlohmann::json;

Failure core_failure(const core::Error& e) {
    return Failure(ServerMessage{"ERROR", core::sqlstate_of(e.kind()), e.what(), e.detail(), e.hint(), {}});
}

Request full_request(MigrationFolder& folder, json options) {
    Request request;
    request.folder = &folder;
    if (folder.layout == core::Layout::journal) request.journal_text = folder.journal_text;
    request.file_count = folder.file_count();
    request.options = std::move(options);
    return request;
}

// Only the tracking table's name: what status and verify accept from migrate's options.
json table_options(const json& options) {
    json out = json::object();
    for (const char* key : {"migrations_schema", "migrations_table"})
        if (options.contains(key)) out[key] = options[key];
    return out;
}

bool is_applied(const std::string& state) { return state == "applied" || state == "modified"; }

// migrate --to TAG: a later entry already applied would read as "unknown" (the database ahead of
// the cut journal); say what is wrong instead.
void refuse_if_past(Engine& engine, const Request& request, const MigrationFolder& folder, const std::string& tag) {
    Request ask = request;
    ask.texts = false;
    ask.options = table_options(request.options);
    const auto position = folder.journal.find(tag)->position;
    std::vector<std::string> later;
    for (const auto& row : engine.status(ask)) {
        const auto* entry = row.tag ? folder.journal.find(*row.tag) : nullptr;
        if (entry != nullptr && entry->position > position && is_applied(row.state))
            later.push_back(core::quote_tag(entry->tag));
    }
    if (later.empty()) return;
    throw Failure(ExitCode::verify_failed,
                  "--to " + core::quote_tag(tag) + ": " +
                      core::messages::plural(later.size(), "later migration is", "later migrations are") +
                      " already applied (" + core::messages::join(later, ", ") + "); nothing was applied",
                  "The database is past " + tag + ": run migrate without --to, or name a later tag.");
}

// After a refusal (55000): which of this client's flags would let it proceed.
void name_flags(Engine& engine, const Request& request, Failure& failure) {
    std::set<std::string> states;
    try {
        Request ask = request;
        ask.options = table_options(request.options);
        for (const auto& row : engine.status(ask)) states.insert(row.state);
    } catch (const Failure&) {
        return;  // the refusal itself is what matters
    }
    if (states.count("out_of_order"))
        failure.add_hint("--allow-out-of-order applies the out-of-order migrations (in journal order).");
    if (states.count("modified"))
        failure.add_hint(
            "--allow-modified proceeds despite the edited files; trovella-migrate repair TAG records an edit made on "
            "purpose.");
}

// The pre-flight refusal of statements a migration run cannot run (0A000, raised before any
// statement): a migration statement that fails with 0A000 itself (CREATE EXTENSION of an extension
// the server lacks) carries the statement in its CONTEXT and is a failed migration instead.
bool refused_before_running(const Failure& failure) {
    return failure.error().sqlstate == "0A000" && !raised_by_migration_statement(failure.error().context);
}

void migrate(const Invocation& inv, MigrationFolder& folder, TargetRun& target, Request request,
             const std::function<void(bool)>& mute) {
    Engine& engine = *target.engine;
    if (inv.to_tag) {
        refuse_if_past(engine, request, folder, *inv.to_tag);
        const auto position = folder.journal.find(*inv.to_tag)->position;
        if (folder.layout == core::Layout::journal) request.journal_text = journal_through(folder.journal_text, position);
        request.file_count = folder.files_through(position);
    }
    const ApplyMode mode{inv.commit_each, inv.single_transaction, inv.rebuild_invalid_indexes};
    bool handed_over = false;
    try {
        target.outcome.applied = engine.apply(request, mode);
    } catch (Failure& failure) {
        if (failure.error().sqlstate == "55000") name_flags(engine, request, failure);
        // The extension's pre-flight check refused (nothing ran): a migration that cannot run in a
        // transaction, which apply() cannot run and the client engine runs statement by statement.
        handed_over = refused_before_running(failure) && !inv.single_transaction &&
                      std::string(engine.name()) == "extension" && target.client_engine;
        if (!handed_over) throw;
    }
    if (handed_over) {
        std::unique_ptr<Engine> extension = std::move(target.engine);
        target.engine = target.client_engine();
        target.engine_reason += "; the extension cannot run a migration that cannot run in a transaction";
        if (target.on_message)
            target.on_message({"NOTICE",
                               "00000",
                               "the extension cannot run a migration that cannot run in a transaction (nothing was "
                               "applied): the client engine runs this migrate over libpq, and the extension adopts its "
                               "history",
                               {},
                               {},
                               {}});
        target.outcome.applied = target.engine->apply(request, mode);
        // The extension adopts the client engine's history now, not at its next write: a run of
        // apply() with every migration applied runs nothing and adopts (history shows the run).
        mute(true);
        try {
            extension->apply(request, ApplyMode{});
        } catch (...) {
            mute(false);
            throw;
        }
        mute(false);
    }
    Engine& verifier = *target.engine;
    if (!target.outcome.applied->verified) throw Failure(ExitCode::verify_failed, "apply() returned verified = false");
    // Layer 2: the independent check, on the journal as sent (cut after --to's tag).
    Request layer2 = request;
    layer2.texts = false;
    layer2.options = table_options(request.options);
    mute(true);
    try {
        target.outcome.verified = verifier.verify(layer2);
    } catch (...) {
        mute(false);
        throw;
    }
    mute(false);
    if (!target.outcome.verified->ok) target.outcome.code = ExitCode::verify_failed;
}

bool needs_attention(const StatusRow& row) {
    return row.state == "pending" || row.state == "partial" || row.state == "modified" || row.state == "out_of_order" ||
           row.state == "unknown";
}

}  // namespace

json options_for(const Invocation& inv, core::Function fn) {
    json options = json::object();
    if (inv.migrations_schema) options["migrations_schema"] = *inv.migrations_schema;
    if (inv.migrations_table) options["migrations_table"] = *inv.migrations_table;
    if (inv.allow_out_of_order) options["allow_out_of_order"] = true;
    if (inv.allow_modified) options["allow_modified"] = true;
    if (inv.lock_timeout) options["lock_timeout"] = *inv.lock_timeout;
    if (inv.statement_timeout) options["statement_timeout"] = *inv.statement_timeout;
    if (inv.single_transaction && fn == core::Function::plan) options["single_transaction"] = true;
    try {
        core::parse_options(options.dump(), fn);
    } catch (const core::Error& e) {
        throw core_failure(e);
    }
    return options;
}

void check_tags(const Invocation& inv, const MigrationFolder& folder) {
    auto require = [&](const std::string& tag, const std::string& what) {
        if (folder.journal.find(tag) != nullptr) return;
        const char* list = folder.layout == core::Layout::journal ? "the journal" : "the migrations folder";
        std::string known = folder.journal.entries.empty()
                                ? std::string(list) + " has no entries"
                                : std::string(list) + " runs from " + core::quote_tag(folder.journal.entries.front().tag) +
                                      " to " + core::quote_tag(folder.journal.entries.back().tag);
        const bool v1 = folder.layout == core::Layout::folders;
        throw Failure(ExitCode::usage,
                      what + ": unknown tag " + core::quote_tag(tag) + ": " + folder.tag_source() + " has it (" +
                          known + ")",
                      v1 ? "Name a migration folder (its whole name, YYYYMMDDHHMMSS_<name>)."
                         : "Name a tag of meta/_journal.json (a file name without .sql).");
    };
    if (inv.to_tag) require(*inv.to_tag, "--to");
    if (inv.command == Command::baseline) require(inv.through_tag, "--through");
    if (inv.command == Command::repair) require(inv.repair_tag, "repair");
}

std::string journal_through(const std::string& journal_text, std::size_t position) {
    json journal = json::parse(journal_text);
    auto& entries = journal.at("entries");
    entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(position) + 1, entries.end());
    return journal.dump(2);
}

void run_command(const Invocation& inv, MigrationFolder& folder, TargetRun& target,
                 const std::function<void(bool)>& mute) {
    const core::Function fn =
        inv.command == Command::migrate && inv.commit_each ? core::Function::apply_each : function_of(inv.command);
    Outcome& out = target.outcome;
    try {
        Request request = full_request(folder, options_for(inv, fn));
        target.engine->check_ready(fn);
        if (folder.layout == core::Layout::folders) target.engine->check_reads_folders();
        if (inv.command == Command::migrate) target.engine->check_ready(core::Function::verify);
        switch (inv.command) {
            case Command::migrate:
                migrate(inv, folder, target, std::move(request), mute);
                break;
            case Command::status:
                out.status = target.engine->status(request);
                for (const auto& row : *out.status)
                    if (needs_attention(row)) out.code = ExitCode::verify_failed;
                break;
            case Command::verify:
                out.verified = target.engine->verify(request);
                if (!out.verified->ok) out.code = ExitCode::verify_failed;
                break;
            case Command::plan:
                try {
                    out.plan = target.engine->plan(request);
                } catch (Failure& failure) {
                    if (failure.error().sqlstate == "55000") name_flags(*target.engine, request, failure);
                    throw;
                }
                break;
            case Command::baseline:
                out.recorded = target.engine->baseline(request, inv.through_tag);
                break;
            case Command::repair:
                out.recorded = {target.engine->repair(request, inv.repair_tag)};
                break;
            case Command::none:
                break;
        }
    } catch (Failure& failure) {
        explain(failure, inv, target);
        out.code = failure.code();
        out.failure = std::move(failure);
    }
}

void explain(Failure& failure, const Invocation& inv, const TargetRun& target) {
    if (!failure.summary().empty()) return;
    const std::string& state = failure.error().sqlstate;
    const std::string command = command_name(inv.command);
    const bool writes =
        inv.command == Command::migrate || inv.command == Command::baseline || inv.command == Command::repair;
    switch (failure.code()) {
        case ExitCode::cannot_connect:
            if (state == "08001")
                failure.explain("cannot connect to the database: " + target.described(),
                                "Is the database running? Check the host, port, user, password and database name "
                                "of the connection (--database-url, DATABASE_URL or the PG* variables).");
            else
                failure.explain("the connection to the database was lost: " + target.described(),
                                "The server stopped or closed the connection; what was not committed was rolled "
                                "back. Check the server and run the command again.");
            break;
        case ExitCode::migration_failed:
            if (!failure.from_server()) break;
            if (refused_before_running(failure) && inv.command == Command::migrate)
                failure.explain(
                    "refused before anything ran: statements that cannot run inside a migration transaction");
            else if (inv.command == Command::migrate && inv.commit_each)
                failure.explain(
                    "migration failed: it was rolled back; the migrations before it stay applied "
                    "(--commit-each commits each one)");
            else if (inv.command == Command::migrate && failure.partly_committed())
                failure.explain(
                    "migration failed: what the run committed before it stays applied (see DETAIL); the rest was "
                    "rolled back");
            else if (inv.command == Command::migrate)
                failure.explain("migration failed: the whole run was rolled back, nothing was applied");
            else
                failure.explain(command + " failed" + (writes ? ": nothing was changed" : ""));
            break;
        case ExitCode::verify_failed:
            if (!failure.from_server()) break;
            if (inv.command == Command::migrate)
                failure.explain("the database does not match the journal: nothing was applied");
            else if (writes)
                failure.explain(command + " refused: nothing was changed");
            else
                failure.explain("the database does not match the journal");
            break;
        case ExitCode::usage:
            if (!failure.from_server() || !failure.summary().empty()) break;
            if (state == "22021")
                failure.explain("a migration file or the journal is not valid UTF-8");
            else
                failure.explain("bad input: nothing was changed");
            break;
        case ExitCode::cannot_migrate:
            if (!failure.from_server()) break;
            if (state == "42501")
                failure.explain("permission denied: this role may not " + command + " here");
            else
                failure.explain("this session cannot " + command + " (SQLSTATE " + state +
                                "): read-only, hot standby or transaction state");
            break;
        case ExitCode::ok:
            break;
    }
}

}  // namespace trovella::client
