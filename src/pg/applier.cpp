#include "pg/applier.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <set>

#include "core/error.hpp"
#include "core/messages.hpp"
#include "core/splitter.hpp"
#include "pg/history.hpp"
#include "pg/last_run.hpp"
#include "pg/progress.hpp"
#include "pg/run_settings.hpp"
#include "pg/statement_check.hpp"
#include "pg/tracking_table.hpp"

namespace trovella::pg {

namespace {

namespace msg = core::messages;

std::int64_t idx_of(const core::JournalEntry& entry) {
    return entry.idx.value_or(static_cast<std::int64_t>(entry.position));
}

const char* spi_refusal(int rc) {
    switch (rc) {
        case SPI_ERROR_TRANSACTION: return "a transaction control statement (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...)";
        case SPI_ERROR_COPY: return "COPY ... FROM STDIN or TO STDOUT";
        default: return SPI_result_code_string(rc);
    }
}

Event event_for(const char* action, const core::JournalEntry& entry, const std::string& hash, std::int64_t tracking_id) {
    Event event;
    event.action = action;
    event.tracking_id = tracking_id;
    event.tag = entry.tag;
    event.idx = entry.idx;
    event.hash = hash;
    event.created_at = entry.when;
    return event;
}

// Brings the history up to date with the tracking table before a run changes it:
//  - rows written by someone else (drizzle-kit) are recorded once as "adopted", with their tag,
//    so that the history view shows a tag beside every row (the wiki's
//    `WHERE tag LIKE '%role_grants%'`);
//  - rows the history knows that are gone from the table are recorded as "removed".
// A row counts as known only when the history's last event about its id has the same hash and
// created_at: ids are reused when the table is dropped and made again (by drizzle-kit, say).
void reconcile_history(History& history, const core::Assessment& a, const std::vector<core::TrackingRow>& rows) {
    std::map<std::int64_t, KnownRow> known = history.known_rows(false);
    std::set<std::int64_t> present;
    for (const auto& row : rows) present.insert(row.id);
    for (const auto& [id, k] : known) {
        if (present.count(id) || k.action == "removed") continue;
        Event event;
        event.action = "removed";
        event.tracking_id = id;
        event.tag = k.tag;
        event.idx = k.idx;
        event.hash = k.hash;
        event.created_at = k.created_at;
        history.record(event);
    }
    for (const auto& e : a.entries) {
        if (e.row == nullptr) continue;
        auto it = known.find(e.row->id);
        if (it != known.end() && it->second.action != "removed" && it->second.same_row(*e.row)) continue;
        Event event = event_for("adopted", *e.entry, e.row->hash, e.row->id);
        event.created_at = *e.row->created_at;
        history.record(event);
    }
}

// Runs one migration and records it (tracking row + history); returns the tracking row's id.
// Any error names the migration and statement (error context) and keeps PostgreSQL's own
// SQLSTATE, message, detail and hint.
std::int64_t run_migration(SpiConnection& spi, TrackingTable& tracking, History& history, const Inputs& in,
                           const core::JournalEntry& entry, const std::vector<core::Statement>& statements,
                           const RunSettings& settings, ActivityReport& activity) {
    const int total = static_cast<int>(statements.size());
    notice("applying " + entry.tag + " (" + msg::plural(statements.size(), "statement", "statements") + ")");
    auto started = std::chrono::steady_clock::now();
    for (const auto& statement : statements) {
        std::string sql(statement.sql);
        std::string preview = core::statement_preview(statement.sql);
        StatementPosition position{entry.tag.c_str(), statement.number, total, statement.line, preview.c_str()};
        activity.show(entry.tag, statement.number, total);
        int rc;
        {
            StatementContext context(&position);
            StatementTimer timer(settings);
            rc = spi.execute_statement(sql.c_str());
        }
        if (rc < 0)
            throw core::Error(core::ErrorKind::unsupported,
                              "migration " + core::quote_tag(entry.tag) + " statement " + std::to_string(statement.number) +
                                  " of " + std::to_string(total) + " (line " + std::to_string(statement.line) +
                                  ") cannot run inside apply: it is " + spi_refusal(rc),
                              "statement starts: " + preview,
                              "Remove it from the migration: apply already runs each migration in a transaction.");
    }
    const std::string& hash = in.hashes.find(entry.tag)->second;
    std::int64_t id = tracking.insert(hash, entry.when);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    Event event = event_for("applied", entry, hash, id);
    event.statements = static_cast<std::int64_t>(statements.size());
    event.duration_ms = ms;
    history.record(event);
    char elapsed[32];
    snprintf(elapsed, sizeof elapsed, "%.1f", ms);
    notice("applied " + entry.tag + " (" + msg::plural(statements.size(), "statement", "statements") + " in " + elapsed +
           " ms)");
    return id;
}

// One transaction holding every migration's locks can exhaust the lock table; say what to do.
void explain_lock_exhaustion(const PgError& e) {
    if (e.edata()->sqlerrcode == ERRCODE_OUT_OF_MEMORY && e.edata()->message != nullptr &&
        strstr(e.edata()->message, "shared memory") != nullptr)
        append_hint(e.edata(),
                    "apply() runs every pending migration in one transaction, which holds the locks of every object "
                    "they touch until it ends. Use CALL trovella_migrate.apply_each(...), which commits after each "
                    "migration, or raise max_locks_per_transaction.");
}

// Layer 1, after: count again and check every entry has its row with the right hash.
void verify_after(TrackingTable& tracking, const Inputs& in, ApplyResult& result,
                  const std::function<void(const std::string&)>& say) {
    auto rows_after = tracking.read_rows(false);
    auto after = core::assess(in.journal, rows_after, &in.hashes);
    auto problems = core::after_apply_problems(after, in.options);
    if (!problems.empty()) {
        const std::string& first = problems.front();
        bool count_problem = first.rfind("Migration count mismatch", 0) == 0;
        throw core::Error(core::ErrorKind::verify_failed,
                          count_problem ? first : "verification after apply failed: " + first, msg::join(problems, "\n"),
                          "A migration may have changed " + tracking.display_name() + " itself; check the migrations listed.");
    }
    say(msg::complete(result.applied));
    say(msg::verified(after.recorded));
    result.verified = true;
}

// Refused before anything else, each with its own SQLSTATE (this session cannot migrate, which
// is not the same as "the history disagrees with the journal"): a standby or a read-only
// transaction cannot record anything (25006). A runner that waited for the migration lock must
// see what the runner before it committed; under REPEATABLE READ or SERIALIZABLE the
// transaction's snapshot predates the lock, so it would not, and could run a migration a second
// time (25000).
void require_session_can_migrate(core::Function fn) {
    const std::string name = std::string(core::function_name(fn)) + "()";
    if (RecoveryInProgress())
        throw core::Error(core::ErrorKind::read_only, name + " cannot run on a hot standby: it writes the tracking table",
                          {}, "Run it against the primary; status() and verify() work on a standby.");
    if (XactReadOnly)
        throw core::Error(core::ErrorKind::read_only,
                          name + " cannot run in a read-only transaction: it writes the tracking table", {},
                          "Run it in a read-write transaction (check default_transaction_read_only and "
                          "SET TRANSACTION READ WRITE); status() and verify() are read-only.");
    if (!IsolationUsesXactSnapshot()) return;
    throw core::Error(core::ErrorKind::transaction_state,
                      name + " must run at READ COMMITTED isolation, not REPEATABLE READ or SERIALIZABLE",
                      "The transaction's snapshot was taken before the migration lock, so it could miss migrations "
                      "that another runner committed meanwhile and apply them twice.",
                      "Call it in a READ COMMITTED transaction (PostgreSQL's default).");
}

void lock_for_writing(TrackingTable& tracking, core::Function fn) {
    require_session_can_migrate(fn);
    tracking.lock();
}

// Locks, creates the tracking table when missing, counts before and checks what may proceed.
core::Assessment begin_run(TrackingTable& tracking, std::vector<core::TrackingRow>& rows, const Inputs& in,
                           ApplyResult& result, const std::function<void(const std::string&)>& say, core::Function fn) {
    lock_for_writing(tracking, fn);
    tracking.create_if_missing();
    tracking.require_access(TrackingTable::Access::append, false);  // before anything runs
    rows = tracking.read_rows(false);
    auto before = core::assess(in.journal, rows, &in.hashes);
    result.expected = before.expected;
    result.applied_before = before.recorded;
    result.pending = before.pending();
    say(msg::migration_state(before.recorded, before.expected, before.pending()));
    core::check_can_apply(before, in.options);
    return before;
}

void mark_committed() {
    for (auto& entry : last_run().entries)
        if (!entry.committed) entry.committed = true;
}

std::string committed_so_far(const ApplyResult& result) {
    std::vector<std::string> committed;
    for (const auto& tag : result.applied_tags) committed.push_back(core::quote_tag(tag));
    return committed.empty() ? "apply_each committed no migration in this call before the failure."
                             : "apply_each committed " + msg::plural(committed.size(), "migration", "migrations") +
                                   " before the failure, which stay applied: " + msg::join(committed, ", ") + ".";
}

}  // namespace

Work prepare(const core::Assessment& a, const Inputs& in) {
    Work work;
    work.entries = core::entries_to_apply(a);
    work.statements.reserve(work.entries.size());
    std::vector<MigrationToCheck> to_check;
    for (const auto* e : work.entries)
        work.statements.push_back(core::split_statements(in.texts->find(e->entry->tag)->second));
    for (std::size_t i = 0; i < work.entries.size(); ++i) to_check.push_back({work.entries[i]->entry, &work.statements[i]});
    check_statements(to_check);
    return work;
}

ApplyResult apply_migrations(SpiConnection& spi, const Inputs& in) {
    const auto fn = core::Function::apply;
    begin_last_run(core::function_name(fn));
    ApplyResult result;
    auto say = [&](const std::string& line) {
        notice(line);
        result.messages.push_back(line);
    };
    RunSettings settings(in.options);  // lock_timeout bounds the wait for the migration lock too
    TrackingTable tracking(spi, in.options, fn);
    std::vector<core::TrackingRow> rows;
    auto before = begin_run(tracking, rows, in, result, say, fn);
    Work work = prepare(before, in);
    History history(spi, tracking, fn);
    reconcile_history(history, before, rows);

    if (work.entries.empty()) {
        say(msg::nothing_pending());
    } else {
        say(msg::running());
        ActivityReport activity;
        try {
            for (std::size_t i = 0; i < work.entries.size(); ++i) {
                const auto& entry = *work.entries[i]->entry;
                run_migration(spi, tracking, history, in, entry, work.statements[i], settings, activity);
                result.applied_tags.push_back(entry.tag);
            }
        } catch (const PgError& e) {
            explain_lock_exhaustion(e);
            throw;
        }
    }
    result.applied = result.applied_tags.size();
    verify_after(tracking, in, result, say);
    history.finish_run();
    settings.finish();
    return result;
}

ApplyResult apply_each_migration(SpiConnection& spi, const Inputs& in) {
    const auto fn = core::Function::apply_each;
    begin_last_run(core::function_name(fn));
    ApplyResult result;
    auto say = [&](const std::string& line) {
        notice(line);
        result.messages.push_back(line);
    };
    // The tracking table's names and the run's id are plain data: they outlive each commit, so
    // the whole call is one run in the history.
    TrackingTable tracking(spi, in.options, fn);
    History history(spi, tracking, fn);
    // What to apply is decided once, against the state before the call (DESIGN section 4), and
    // checked again before each migration against what other runners committed since.
    std::vector<const core::JournalEntry*> todo;
    std::vector<std::vector<core::Statement>> statements;
    std::vector<core::TrackingRow> rows;  // every row this call has seen, including its own
    std::set<std::int64_t> own;           // ids of the rows this call wrote
    std::set<std::int64_t> recorded;      // created_at of every row seen: what is applied
    std::int64_t newest_id = 0;           // rows above it are new to this call
    {
        RunSettings settings(in.options);
        auto before = begin_run(tracking, rows, in, result, say, fn);
        Work work = prepare(before, in);
        reconcile_history(history, before, rows);
        for (const auto* e : work.entries) todo.push_back(e->entry);
        statements = std::move(work.statements);
        settings.finish();
    }
    for (const auto& row : rows) {
        newest_id = std::max(newest_id, row.id);
        if (row.created_at) recorded.insert(*row.created_at);
    }
    pg_call([] { SPI_commit(); });
    mark_committed();
    say(todo.empty() ? msg::nothing_pending() : msg::running());

    for (std::size_t i = 0; i < todo.size(); ++i) {
        const auto& entry = *todo[i];
        bool started = false;  // the error's hint blames the migration only if it had started
        try {
            RunSettings settings(in.options);
            tracking.lock();
            // Another runner may have committed since: re-check everything apply checks (unknown
            // rows, database ahead, modified, out of order) before running anything, and skip
            // what it already applied. Identity decides; nothing runs twice.
            bool others = false;
            for (auto& row : tracking.read_rows_after(newest_id)) {
                newest_id = std::max(newest_id, row.id);
                others = others || own.count(row.id) == 0;
                if (row.created_at) recorded.insert(*row.created_at);
                rows.push_back(std::move(row));
            }
            if (others) {
                auto now = core::assess(in.journal, rows, &in.hashes, &own);
                core::check_can_apply(now, in.options);
            }
            const bool done = recorded.count(entry.when) > 0;
            if (!done) {
                ActivityReport activity;
                started = true;
                std::int64_t id = run_migration(spi, tracking, history, in, entry, statements[i], settings, activity);
                own.insert(id);
                recorded.insert(entry.when);
                newest_id = std::max(newest_id, id);
                rows.push_back(core::TrackingRow{id, in.hashes.find(entry.tag)->second, entry.when});
            }
            settings.finish();
            pg_call([] { SPI_commit(); });  // deferred constraints fire here, before it counts as applied
            mark_committed();
            if (!done) {
                result.applied_tags.push_back(entry.tag);
                notice("committed " + entry.tag);
            }
        } catch (const PgError& e) {
            explain_lock_exhaustion(e);
            append_detail(e.edata(), committed_so_far(result));
            append_hint(e.edata(), started ? "Fix " + core::quote_tag(entry.tag) +
                                                 " and call apply_each again: it continues with that migration."
                                           : "This happened before " + core::quote_tag(entry.tag) +
                                                 " started (while taking the migration lock or reading the tracking "
                                                 "table); call apply_each again to continue with it.");
            throw;
        } catch (const core::Error& e) {
            // A refusal found by the re-check: another runner changed the history meanwhile.
            std::string detail = e.detail().empty() ? committed_so_far(result) : e.detail() + "\n" + committed_so_far(result);
            throw core::Error(e.kind(), e.what(), detail,
                              e.hint() + (e.hint().empty() ? "" : "\n") +
                                  "Another runner committed migrations while apply_each was running; nothing of " +
                                  core::quote_tag(entry.tag) + " ran.");
        }
    }
    result.applied = result.applied_tags.size();
    RunSettings settings(in.options);
    tracking.lock();
    verify_after(tracking, in, result, say);
    history.finish_run();
    settings.finish();
    return result;
}

std::vector<RecordedEntry> baseline_migrations(SpiConnection& spi, const Inputs& in, const std::string& through_tag) {
    const auto fn = core::Function::baseline;
    begin_last_run(core::function_name(fn));
    const core::JournalEntry* through = in.journal.find(through_tag);
    if (through == nullptr)
        throw core::invalid_input("through_tag " + core::quote_tag(through_tag) + " is not in the journal");
    RunSettings settings(in.options);
    TrackingTable tracking(spi, in.options, fn);
    lock_for_writing(tracking, fn);
    tracking.create_if_missing();
    tracking.require_access(TrackingTable::Access::append, false);
    auto rows = tracking.read_rows(false);
    auto before = core::assess(in.journal, rows, &in.hashes);
    notice(msg::migration_state(before.recorded, before.expected, before.pending()));
    // Baselining adopts what is already there: unknown rows and edited files still refuse.
    core::Options checks = in.options;
    checks.allow_out_of_order = true;
    core::check_can_apply(before, checks);

    History history(spi, tracking, fn);
    reconcile_history(history, before, rows);
    std::vector<RecordedEntry> recorded;
    for (const auto& e : before.entries) {
        if (e.entry->position > through->position) break;
        if (e.state != core::State::pending && e.state != core::State::out_of_order) continue;
        const std::string& hash = in.hashes.find(e.entry->tag)->second;
        std::int64_t id = tracking.insert(hash, e.entry->when);
        history.record(event_for("baselined", *e.entry, hash, id));
        recorded.push_back({idx_of(*e.entry), e.entry->tag, e.entry->when, hash, {}});
    }
    notice("Baselined " + msg::plural(recorded.size(), "migration", "migrations") + " through " + through_tag +
           " without running them.");
    history.finish_run();
    settings.finish();
    return recorded;
}

RecordedEntry repair_migration(SpiConnection& spi, const Inputs& in, const std::string& tag) {
    const auto fn = core::Function::repair;
    begin_last_run(core::function_name(fn));
    const core::JournalEntry* entry = in.journal.find(tag);
    if (entry == nullptr) throw core::invalid_input("tag " + core::quote_tag(tag) + " is not in the journal");
    RunSettings settings(in.options);
    TrackingTable tracking(spi, in.options, fn);
    lock_for_writing(tracking, fn);
    auto rows = tracking.read_rows(false);
    auto a = core::assess(in.journal, rows, &in.hashes);
    const core::EntryState& e = a.entries[entry->position];
    if (e.row != nullptr) tracking.require_access(TrackingTable::Access::update, false);
    if (e.row == nullptr)
        throw core::Error(core::ErrorKind::refused,
                          "cannot repair " + core::quote_tag(tag) + ": it is not applied (state " +
                              core::state_name(e.state) + ")",
                          {}, "repair() records the new hash of an applied migration; apply() runs pending ones.");
    if (e.state != core::State::modified)
        throw core::Error(core::ErrorKind::refused,
                          "nothing to repair: " + core::quote_tag(tag) + " is applied and its file's hash matches the recorded one");
    RecordedEntry out{idx_of(*entry), tag, entry->when, *e.file_hash, e.row->hash};
    tracking.update_hash(e.row->id, *e.file_hash);
    History history(spi, tracking, fn);
    Event event = event_for("repaired", *entry, *e.file_hash, e.row->id);
    event.previous_hash = e.row->hash;
    history.record(event);
    warn("repair() records the new hash of " + tag + " but does not run its edited SQL: if the edit changes the "
         "schema, make that change yourself (or in a new migration)");
    notice("Repaired " + tag + ": recorded hash " + out.previous_hash.substr(0, 12) + "... replaced by " +
           out.hash.substr(0, 12) + "... (the old hash stays in trovella_migrate.migration_event)");
    history.finish_run();
    settings.finish();
    return out;
}

}  // namespace trovella::pg
