#include "pg/applier.hpp"

#include <chrono>
#include <cstring>
#include <functional>

#include "core/error.hpp"
#include "core/messages.hpp"
#include "core/splitter.hpp"
#include "pg/history.hpp"
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

// Records, once, the tag of tracking rows written by drizzle-kit itself, so that the history view
// can show a tag beside every row (the wiki's `WHERE tag LIKE '%role_grants%'`).
void adopt_known_entries(History& history, const core::Assessment& a, core::Function fn) {
    std::map<std::int64_t, bool> known;
    bool loaded = false;
    for (const auto& e : a.entries) {
        if (e.row == nullptr) continue;
        if (!loaded) {
            known = history.known_rows();
            loaded = true;
        }
        if (known.count(e.row->id)) continue;
        Event event;
        event.action = "adopted";
        event.tracking_id = e.row->id;
        event.tag = e.entry->tag;
        event.idx = e.entry->idx;
        event.hash = e.row->hash;
        event.created_at = e.entry->when;
        history.record(core::function_name(fn), event);
    }
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

namespace {

// Runs one migration and records it (tracking row + history). Any error names the migration
// and statement (error context), keeps PostgreSQL's own SQLSTATE, message, detail and hint.
void run_migration(SpiConnection& spi, TrackingTable& tracking, History& history, const Inputs& in,
                   const core::JournalEntry& entry, const std::vector<core::Statement>& statements,
                   RunSettings& settings, ActivityReport& activity, core::Function fn) {
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
            settings.statement_started();
            rc = spi.execute_statement(sql.c_str());
            settings.statement_finished();
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
    Event event;
    event.tracking_id = id;
    event.tag = entry.tag;
    event.idx = entry.idx;
    event.hash = hash;
    event.created_at = entry.when;
    event.statements = static_cast<std::int64_t>(statements.size());
    event.duration_ms = ms;
    history.record(core::function_name(fn), event);
    char elapsed[32];
    snprintf(elapsed, sizeof elapsed, "%.1f", ms);
    notice("applied " + entry.tag + " (" + msg::plural(statements.size(), "statement", "statements") + " in " + elapsed +
           " ms)");
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

// Refused before anything else: a standby or a read-only transaction cannot record anything.
// A runner that waited for the migration lock must see what the runner before it committed; under
// REPEATABLE READ or SERIALIZABLE the transaction's snapshot predates the lock, so it would not,
// and could run a migration a second time.
void require_read_committed(core::Function fn) {
    const std::string name = std::string(core::function_name(fn)) + "()";
    if (RecoveryInProgress())
        throw core::Error(core::ErrorKind::refused, name + " cannot run on a hot standby: it writes the tracking table",
                          {}, "Run it against the primary; status() and verify() work on a standby.");
    if (XactReadOnly)
        throw core::Error(core::ErrorKind::refused, name + " cannot run in a read-only transaction: it writes the tracking table",
                          {}, "Run it in a read-write transaction; status() and verify() are read-only.");
    if (!IsolationUsesXactSnapshot()) return;
    throw core::Error(core::ErrorKind::refused,
                      std::string(core::function_name(fn)) +
                          "() must run at READ COMMITTED isolation, not REPEATABLE READ or SERIALIZABLE",
                      "The transaction's snapshot was taken before the migration lock, so it could miss migrations "
                      "that another runner committed meanwhile and apply them twice.",
                      "Call it in a READ COMMITTED transaction (PostgreSQL's default).");
}

void lock_for_writing(TrackingTable& tracking, core::Function fn) {
    require_read_committed(fn);
    tracking.lock();
}

// Locks, creates the tracking table when missing, counts before and checks what may proceed.
core::Assessment begin_run(TrackingTable& tracking, std::vector<core::TrackingRow>& rows, const Inputs& in,
                           ApplyResult& result, const std::function<void(const std::string&)>& say, core::Function fn) {
    lock_for_writing(tracking, fn);
    tracking.create_if_missing();
    rows = tracking.read_rows(false);
    auto before = core::assess(in.journal, rows, &in.hashes);
    result.expected = before.expected;
    result.applied_before = before.recorded;
    result.pending = before.pending();
    say(msg::migration_state(before.recorded, before.expected, before.pending()));
    core::check_can_apply(before, in.options);
    return before;
}

}  // namespace

ApplyResult apply_migrations(SpiConnection& spi, const Inputs& in) {
    const auto fn = core::Function::apply;
    ApplyResult result;
    auto say = [&](const std::string& line) {
        notice(line);
        result.messages.push_back(line);
    };
    RunSettings settings(in.options);  // lock_timeout bounds the wait for the migration lock too
    TrackingTable tracking(spi, in.options);
    std::vector<core::TrackingRow> rows;
    auto before = begin_run(tracking, rows, in, result, say, fn);
    Work work = prepare(before, in);
    History history(spi, tracking);
    adopt_known_entries(history, before, fn);

    if (work.entries.empty()) {
        say(msg::nothing_pending());
    } else {
        say(msg::running());
        ActivityReport activity;
        try {
            for (std::size_t i = 0; i < work.entries.size(); ++i) {
                const auto& entry = *work.entries[i]->entry;
                run_migration(spi, tracking, history, in, entry, work.statements[i], settings, activity, fn);
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
    ApplyResult result;
    auto say = [&](const std::string& line) {
        notice(line);
        result.messages.push_back(line);
    };
    // The tracking table's names and the run's id are plain data: they outlive each commit, so
    // the whole call is one run in the history.
    TrackingTable tracking(spi, in.options);
    History history(spi, tracking);
    // What to apply is decided once, against the state before the call (DESIGN section 4).
    std::vector<const core::JournalEntry*> todo;
    std::vector<std::vector<core::Statement>> statements;
    {
        RunSettings settings(in.options);
        std::vector<core::TrackingRow> rows;
        auto before = begin_run(tracking, rows, in, result, say, fn);
        Work work = prepare(before, in);
        adopt_known_entries(history, before, fn);
        for (const auto* e : work.entries) todo.push_back(e->entry);
        statements = std::move(work.statements);
        settings.finish();
    }
    pg_call([] { SPI_commit(); });
    say(todo.empty() ? msg::nothing_pending() : msg::running());

    for (std::size_t i = 0; i < todo.size(); ++i) {
        const auto& entry = *todo[i];
        bool started = false;  // the error's hint blames the migration only if it had started
        try {
            RunSettings settings(in.options);
            tracking.lock();
            // Another runner may have applied it since: identity decides, nothing runs twice.
            auto rows = tracking.read_rows(false);
            bool done = false;
            for (const auto& row : rows) done = done || (row.created_at && *row.created_at == entry.when);
            if (!done) {
                ActivityReport activity;
                started = true;
                run_migration(spi, tracking, history, in, entry, statements[i], settings, activity, fn);
            }
            settings.finish();
            pg_call([] { SPI_commit(); });  // deferred constraints fire here, before it counts as applied
            if (!done) {
                result.applied_tags.push_back(entry.tag);
                notice("committed " + entry.tag);
            }
        } catch (const PgError& e) {
            explain_lock_exhaustion(e);
            std::vector<std::string> committed;
            for (const auto& tag : result.applied_tags) committed.push_back(core::quote_tag(tag));
            append_detail(e.edata(),
                          committed.empty()
                              ? "apply_each committed no migration in this call before the failure."
                              : "apply_each committed " + msg::plural(committed.size(), "migration", "migrations") +
                                    " before the failure, which stay applied: " + msg::join(committed, ", ") + ".");
            append_hint(e.edata(), started ? "Fix " + core::quote_tag(entry.tag) +
                                                 " and call apply_each again: it continues with that migration."
                                           : "This happened before " + core::quote_tag(entry.tag) +
                                                 " started (while taking the migration lock or reading the tracking "
                                                 "table); call apply_each again to continue with it.");
            throw;
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
    const core::JournalEntry* through = in.journal.find(through_tag);
    if (through == nullptr)
        throw core::invalid_input("through_tag " + core::quote_tag(through_tag) + " is not in the journal");
    RunSettings settings(in.options);
    TrackingTable tracking(spi, in.options);
    lock_for_writing(tracking, fn);
    tracking.create_if_missing();
    auto rows = tracking.read_rows(false);
    auto before = core::assess(in.journal, rows, &in.hashes);
    notice(msg::migration_state(before.recorded, before.expected, before.pending()));
    // Baselining adopts what is already there: unknown rows and edited files still refuse.
    core::Options checks = in.options;
    checks.allow_out_of_order = true;
    core::check_can_apply(before, checks);

    History history(spi, tracking);
    std::vector<RecordedEntry> recorded;
    for (const auto& e : before.entries) {
        if (e.entry->position > through->position) break;
        if (e.state != core::State::pending && e.state != core::State::out_of_order) continue;
        const std::string& hash = in.hashes.find(e.entry->tag)->second;
        std::int64_t id = tracking.insert(hash, e.entry->when);
        Event event;
        event.action = "baselined";
        event.tracking_id = id;
        event.tag = e.entry->tag;
        event.idx = e.entry->idx;
        event.hash = hash;
        event.created_at = e.entry->when;
        history.record(core::function_name(fn), event);
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
    const core::JournalEntry* entry = in.journal.find(tag);
    if (entry == nullptr) throw core::invalid_input("tag " + core::quote_tag(tag) + " is not in the journal");
    RunSettings settings(in.options);
    TrackingTable tracking(spi, in.options);
    lock_for_writing(tracking, fn);
    auto rows = tracking.read_rows(false);
    auto a = core::assess(in.journal, rows, &in.hashes);
    const core::EntryState& e = a.entries[entry->position];
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
    History history(spi, tracking);
    Event event;
    event.action = "repaired";
    event.tracking_id = e.row->id;
    event.tag = tag;
    event.idx = entry->idx;
    event.hash = *e.file_hash;
    event.previous_hash = e.row->hash;
    event.created_at = entry->when;
    history.record(core::function_name(fn), event);
    notice("Repaired " + tag + ": recorded hash " + out.previous_hash.substr(0, 12) + "... replaced by " +
           out.hash.substr(0, 12) + "... (the old hash stays in trovella_migrate.migration_event)");
    history.finish_run();
    settings.finish();
    return out;
}

}  // namespace trovella::pg
