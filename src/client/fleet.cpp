#include "client/fleet.hpp"

#include <libpq-fe.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <sstream>
#include <system_error>
#include <thread>

#include "client/commands.hpp"
#include "client/connect.hpp"
#include "client/fleet_summary.hpp"
#include "client/folder.hpp"
#include "client/line_writer.hpp"
#include "client/status_table.hpp"
#include "client/targets.hpp"

namespace trovella::client {

namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Described {
    ConnectionSource source;
    Target target;
};

// What every worker reads, and the flags Ctrl-C sets.
struct Shared {
    const Invocation& inv;
    MigrationFolder& folder;
    std::optional<std::string> dir;
    std::string journal_sent;  // the journal text the command sends (cut after --to's tag)
    EngineChoice choice;
    LineWriter& lines;
    std::atomic<bool> stop{false};        // start no new target
    std::atomic<bool> cancelling{false};  // running statements are being cancelled
    std::atomic<int> running{0};
};

bool applies(const std::string& state) { return state == "applied" || state == "modified"; }

// The counts of a target's tracking table, read after its command failed or did not report them
// (muted: the notices of this read are not the command's). Nothing when it cannot be read.
std::optional<StatusCounts> counts_after(Shared& s, TargetRun& target, const std::function<void(bool)>& mute) {
    Request ask;
    ask.folder = &s.folder;
    ask.journal_text = s.journal_sent;
    ask.texts = false;
    if (s.inv.migrations_schema) ask.options["migrations_schema"] = *s.inv.migrations_schema;
    if (s.inv.migrations_table) ask.options["migrations_table"] = *s.inv.migrations_table;
    mute(true);
    std::optional<StatusCounts> counts;
    try {
        counts = count_states(target.engine->status(ask));
    } catch (const std::exception&) {
    }
    mute(false);
    return counts;
}

// Fills the counts of the summary from what the command found.
void fill_counts(Shared& s, TargetRun& target, int code, TargetSummary& summary, bool& only_pending,
                 const std::function<void(bool)>& mute) {
    const Invocation& inv = s.inv;
    const Outcome& o = target.outcome;
    if (inv.command == Command::status && o.status) {
        const StatusCounts c = count_states(*o.status);
        summary.applied_before = static_cast<long long>(c.recorded);
        summary.pending = static_cast<long long>(c.pending);
        summary.last_applied = std::string();
        for (const auto& row : *o.status) {
            const auto* entry = row.tag ? s.folder.journal.find(*row.tag) : nullptr;
            if (entry == nullptr || !applies(row.state)) continue;
            if (!summary.last_applied_position || entry->position > *summary.last_applied_position) {
                summary.last_applied_position = entry->position;
                summary.last_applied = entry->tag;
            }
        }
        only_pending = c.modified == 0 && c.out_of_order == 0 && c.unknown == 0;
        if (code != 0 && !only_pending) summary.error = status_summary(*o.status);
        return;
    }
    if (inv.command == Command::migrate && o.applied) {
        summary.applied_before = o.applied->applied_before;
        summary.applied_now = o.applied->applied;
        summary.pending = std::max(0LL, o.applied->pending - o.applied->applied);
        return;
    }
    if (code == as_int(ExitCode::cannot_connect) || !target.connection || !target.engine || s.cancelling) return;
    if (auto c = counts_after(s, target, mute)) {
        summary.applied_before = static_cast<long long>(c->recorded);
        summary.pending = static_cast<long long>(c->pending);
    }
    // What the command applied: migrate rolls back as a whole (with --commit-each what committed is
    // in the error's DETAIL, not counted here); baseline records; the others apply nothing.
    if (inv.command == Command::baseline && code == 0)
        summary.applied_now = static_cast<long long>(o.recorded.size());
    else if (inv.command != Command::migrate || !inv.commit_each)
        summary.applied_now = 0;
}

TargetSummary run_target(Shared& s, const Described& d) {
    const auto started = Clock::now();
    const Invocation& inv = s.inv;
    TargetSummary summary;
    summary.target = d.target.text();
    summary.source = d.source.label();
    const std::string prefix = "[" + summary.target + "] ";

    // One reporter builds the document --json would print for this target alone; the other the
    // text of its warnings and failure (prefixed), shown when the target ends.
    std::ostringstream json_out, json_err, text_out, text_err;
    Reporter json_reporter(true, json_out, json_err);
    Reporter text_reporter(false, text_out, text_err);
    text_reporter.set_prefix(prefix);
    json_reporter.add_secrets(d.target.secrets);
    text_reporter.add_secrets(d.target.secrets);
    bool muted = false;
    auto on_message = [&](const ServerMessage& m) {
        json_reporter.on_message(m);
        text_reporter.on_message(m);
        if (!inv.json && !muted && is_migration_applied(m)) s.lines.out(redacted(m.message, d.target.secrets), prefix);
    };
    std::function<void(bool)> mute = [&](bool on) {
        muted = on;
        json_reporter.mute(on);
        text_reporter.mute(on);
    };

    TargetRun target;
    target.source = d.source;
    target.target = d.target;
    int code = 0;
    auto report_failure = [&](Failure& failure) {
        explain(failure, inv, target);
        text_reporter.early_failure(&inv, failure, &target, s.dir);
        code = json_reporter.early_failure(&inv, failure, &target, s.dir);
    };
    try {
        connect_target(s.choice, target, on_message);
        run_command(inv, s.folder, target, mute);
        text_reporter.command_result(inv, s.folder, target);
        code = json_reporter.command_result(inv, s.folder, target);
    } catch (Failure& failure) {
        report_failure(failure);
    } catch (const std::exception& e) {  // a bug or out of memory: this target fails, the others go on
        Failure failure(ExitCode::migration_failed, std::string("internal error: ") + e.what());
        report_failure(failure);
    }

    summary.exit_code = code;
    summary.engine = target.engine ? target.engine->name() : "";
    summary.extension_version = target.extension_version;
    bool only_pending = false;
    fill_counts(s, target, code, summary, only_pending, mute);
    target.engine.reset();
    target.connection.reset();
    summary.state = state_of(static_cast<ExitCode>(code), inv.command == Command::status && only_pending);
    try {
        summary.report = json::parse(json_out.str());
    } catch (const json::exception&) {
        summary.report = nullptr;
    }
    if (summary.error.empty() && summary.report.is_object() && summary.report.contains("error") &&
        summary.report["error"].is_object() && summary.report["error"]["message"].is_string())
        summary.error = first_line(summary.report["error"]["message"].get<std::string>());
    summary.duration_ms = ms_since(started);
    if (!inv.json) s.lines.both(prefix + target_end_line(inv.command, summary) + "\n", text_err.str());
    return summary;
}

// Sends a cancel request for every statement running on a worker's connection.
void cancel_running(std::vector<std::unique_ptr<RunningQuerySlot>>& slots) {
    for (auto& slot : slots) {
        std::lock_guard<std::mutex> hold(slot->mutex);
        if (slot->cancel == nullptr) continue;
        char error[256];
        PQcancel(slot->cancel, error, sizeof error);
    }
}

// SIGINT is blocked in every thread of the fleet; this thread alone takes it (sigtimedwait), so
// no signal handler has to touch a mutex.
void watch_interrupts(const sigset_t& sigint, Shared& s, std::atomic<bool>& done, std::atomic<int>& interrupts,
                      std::vector<std::unique_ptr<RunningQuerySlot>>& slots) {
    const timespec tick{0, 100 * 1000 * 1000};
    while (!done.load()) {
        const int signal_number = sigtimedwait(&sigint, nullptr, &tick);
        if (signal_number == SIGINT) {
            const int count = ++interrupts;
            if (count == 1) {
                s.stop = true;
                if (!s.inv.json)
                    s.lines.err("trovella-migrate: interrupted: no new target starts; the " +
                                std::to_string(s.running.load()) +
                                " running finish or roll back on their own (Ctrl-C again cancels them)");
            } else if (count == 2) {
                s.cancelling = true;
                if (!s.inv.json)
                    s.lines.err(
                        "trovella-migrate: interrupted again: cancelling the running statements; their "
                        "transactions roll back (Ctrl-C again ends the program at once)");
            } else {
                // As Ctrl-C ends any program: the servers roll back what did not commit.
                std::signal(SIGINT, SIG_DFL);
                pthread_sigmask(SIG_UNBLOCK, &sigint, nullptr);
                std::raise(SIGINT);
            }
        }
        if (s.cancelling) cancel_running(slots);
    }
}

// The number of files every call of the command sends: the array is shared by the threads and
// frozen at that count (text_array.hpp).
std::size_t files_sent(const Invocation& inv, const MigrationFolder& folder) {
    if (inv.command == Command::migrate && inv.to_tag)
        return folder.files_through(folder.journal.find(*inv.to_tag)->position);
    return folder.file_count();
}

}  // namespace

int run_fleet(const Invocation& inv, std::vector<ConnectionSource> sources, EngineChoice choice, Reporter& reporter,
              std::ostream& out, std::ostream& err) {
    const auto started = Clock::now();
    std::optional<std::string> dir;
    std::vector<Described> targets;
    std::vector<std::string> secrets;
    MigrationFolder folder;
    try {
        if (inv.version)
            throw usage_error("--version asks one database for the extension's version: give it one target, not " +
                              std::to_string(sources.size()));
        std::vector<Target> described;
        for (const auto& source : sources) {
            described.push_back(describe_target(source));
            reporter.add_secrets(described.back().secrets);
            secrets.insert(secrets.end(), described.back().secrets.begin(), described.back().secrets.end());
        }
        refuse_duplicates(sources, described);
        for (std::size_t i = 0; i < sources.size(); ++i) targets.push_back({sources[i], described[i]});
        dir = resolve_dir(inv.dir);
        folder = read_folder(*dir);
        check_tags(inv, folder);
        options_for(inv, inv.commit_each ? core::Function::apply_each : function_of(inv.command));
    } catch (Failure& failure) {
        return reporter.early_failure(&inv, failure, nullptr, dir);
    }

    LineWriter lines(out, err);
    int parallel = std::min<int>(inv.parallel, static_cast<int>(targets.size()));
    if (PQisthreadsafe() == 0 && parallel > 1) {
        parallel = 1;
        if (!inv.json) lines.err("warning: this libpq is not thread-safe: the targets run one at a time");
    }
    const std::size_t files = files_sent(inv, folder);
    folder.tags.freeze(files);
    folder.texts.freeze(files);
    Shared shared{inv,
                  folder,
                  dir,
                  inv.command == Command::migrate && inv.to_tag
                      ? journal_through(folder.journal_text, folder.journal.find(*inv.to_tag)->position)
                      : folder.journal_text,
                  choice,
                  lines};
    if (!inv.json)
        lines.out("Fleet: " + std::string(command_name(inv.command)) + " on " + std::to_string(targets.size()) +
                  " targets, " + std::to_string(parallel) + " at a time");

    std::vector<TargetSummary> summaries(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
        summaries[i].target = targets[i].target.text();
        summaries[i].source = targets[i].source.label();
    }
    std::vector<std::unique_ptr<RunningQuerySlot>> slots;
    for (int w = 0; w < parallel; ++w) slots.push_back(std::make_unique<RunningQuerySlot>());

    sigset_t sigint, previous;
    sigemptyset(&sigint);
    sigaddset(&sigint, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigint, &previous);
    std::atomic<bool> done{false};
    std::atomic<int> interrupts{0};
    std::atomic<std::size_t> next{0};
    std::optional<std::thread> watcher;
    try {
        watcher.emplace(watch_interrupts, std::cref(sigint), std::ref(shared), std::ref(done), std::ref(interrupts),
                        std::ref(slots));
    } catch (const std::system_error&) {  // no thread to spare: Ctrl-C ends the program, as it would
        pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    }
    auto work = [&](std::size_t w) {
        use_running_query_slot(slots[w].get());
        while (!shared.stop.load()) {
            const std::size_t i = next.fetch_add(1);
            if (i >= targets.size() || shared.stop.load()) break;
            ++shared.running;
            summaries[i] = run_target(shared, targets[i]);
            --shared.running;
            if (inv.fail_fast && summaries[i].exit_code.value_or(0) != 0) shared.stop = true;
        }
        use_running_query_slot(nullptr);
    };
    std::vector<std::thread> workers;
    try {
        for (int w = 0; w < parallel; ++w) workers.emplace_back(work, static_cast<std::size_t>(w));
    } catch (const std::system_error&) {  // fewer threads than asked for: those started do the work
        if (workers.empty()) work(0);
    }
    for (auto& worker : workers) worker.join();
    done = true;
    if (watcher) watcher->join();
    const timespec now{0, 0};
    while (sigtimedwait(&sigint, nullptr, &now) == SIGINT) ++interrupts;  // arrived as the last target ended
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);

    FleetRun run;
    run.command = inv.command;
    run.parallel = parallel;
    run.fail_fast = inv.fail_fast;
    run.duration_ms = ms_since(started);
    run.dir = dir;
    const bool skipped = std::any_of(summaries.begin(), summaries.end(),
                                     [](const TargetSummary& t) { return t.state == TargetState::skipped; });
    run.interrupted = interrupts.load() > 0 && (skipped || shared.cancelling);
    if (inv.json) {
        out << redacted(fleet_document(run, summaries), secrets).dump(2, ' ', false, json::error_handler_t::replace)
            << '\n';
        out.flush();
    } else {
        std::string text = "\n" + summary_table(inv.command, summaries);
        if (inv.command == Command::status) {
            auto groups = status_groups(summaries);
            if (!groups.empty()) text += "\nBy last applied migration:\n" + status_groups_table(groups);
        }
        lines.out(redacted(text + "\n" + fleet_line(run, summaries), secrets));
    }
    return worst_exit_code(summaries, run.interrupted);
}

}  // namespace trovella::client
