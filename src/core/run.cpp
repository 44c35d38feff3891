#include "core/run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <set>

#include "core/error.hpp"
#include "core/folders.hpp"
#include "core/interrupts.hpp"
#include "core/messages.hpp"
#include "core/outside_transaction.hpp"
#include "core/run_support.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace msg = messages;
using run_support::annotate;
using run_support::event_for;
using run_support::elapsed_ms;
using run_support::noting_failure;

namespace {

// lock_timeout and statement_timeout in force for a scope; undone however it ends.
class SettingsScope {
public:
    SettingsScope(Database& db, const Options& options) : db_(db) { db_.push_settings(options); }
    ~SettingsScope() {
        if (open_) db_.pop_settings(false);
    }
    SettingsScope(const SettingsScope&) = delete;
    SettingsScope& operator=(const SettingsScope&) = delete;
    void finish() {
        open_ = false;
        db_.pop_settings(true);
    }

private:
    Database& db_;
    bool open_ = true;
};

// The wiki's lines: shown as they happen and returned in the result.
class Say {
public:
    Say(Database& db, ApplyResult& result) : db_(db), result_(result) {}
    void operator()(const std::string& line) {
        db_.notice(line);
        result_.messages.push_back(line);
    }

private:
    Database& db_;
    ApplyResult& result_;
};

// Brings the history up to date with the tracking table before a run changes it: rows written by
// someone else (drizzle-kit) are recorded once as "adopted", with their tag, so that the history
// shows a tag beside every row (the wiki's `WHERE tag LIKE '%role_grants%'`); rows the history
// knows that are gone from the table are recorded as "removed". A row counts as known only when
// the history's last event about its id is about that very row (KnownRow::same_row).
void reconcile_history(Database& db, const Assessment& a, const std::vector<TrackingRow>& rows) {
    const std::map<std::int64_t, KnownRow> known = db.history_rows();
    std::set<std::int64_t> present;
    for (const auto& row : rows) present.insert(row.id);
    for (const auto& [id, k] : known) {
        check_interrupts();
        if (present.count(id) || k.action == "removed") continue;
        HistoryEvent event;
        event.action = "removed";
        event.tracking_id = id;
        event.tag = k.tag;
        event.idx = k.idx;
        event.hash = k.hash;
        event.created_at = k.created_at;
        db.record(event);
    }
    for (const auto& e : a.entries) {
        check_interrupts();
        if (e.row == nullptr) continue;
        auto it = known.find(e.row->id);
        if (it != known.end() && it->second.action != "removed" && it->second.same_row(*e.row, e.entry->when)) continue;
        HistoryEvent event = event_for("adopted", *e.entry, e.row->hash, e.row->id);
        event.created_at = e.row->created_at.value_or(e.entry->when);  // a 1.x row may have only a name
        db.record(event);
    }
}

}  // namespace

std::string row_name(const Inputs& in, const JournalEntry& entry) {
    return in.journal.layout == Layout::folders ? entry.tag : up_name(entry.tag, entry.when);
}

Naming read_names(Database& db, const Inputs& in) {
    TrackingState state = db.tracking_state();
    return name_rows(in.journal, state.version, std::move(state.rows), in.hashes);
}

void check_naming(Database& db, const Naming& naming) {
    if (naming.upgrade && !naming.unmatched.empty()) throw upgrade_refusal(naming, db.tracking_table_name());
    if (naming.upgrade) db.require_access(Access::alter);
    if (naming.changes_table()) db.require_access(Access::update);
}

void write_names(Database& db, const Naming& naming) {
    if (naming.upgrade) {
        db.upgrade_tracking_table(naming.names);
        db.notice(upgraded_notice(db.tracking_table_name(), naming.names.size()));
    } else if (!naming.names.empty()) {
        db.name_tracking_rows(naming.names);
        db.warning(named_rows_warning(naming));
    }
}

namespace {

// Runs one migration and records it (tracking row and history); returns the tracking row's id.
std::int64_t run_migration(Database& db, const Inputs& in, const JournalEntry& entry,
                           const std::vector<Statement>& statements) {
    const std::string count = msg::plural(statements.size(), "statement", "statements");
    db.notice("applying " + entry.tag + " (" + count + ")");
    const auto started = std::chrono::steady_clock::now();
    const int total = static_cast<int>(statements.size());
    for (const auto& statement : statements) db.execute(StatementRun{&entry, &statement, total});
    const std::string& hash = in.hash_of(entry);
    const std::int64_t id = db.insert_tracking_row(hash, entry.when, row_name(in, entry));
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    HistoryEvent event = event_for("applied", entry, hash, id);
    event.statements = static_cast<std::int64_t>(statements.size());
    event.duration_ms = ms;
    db.record(event);
    db.notice("applied " + entry.tag + " (" + count + " in " + elapsed_ms(ms) + " ms)");
    return id;
}

const char* kNewEnumValueHint =
    "A value added by ALTER TYPE ... ADD VALUE cannot be used in the transaction that adds it, and apply() runs every "
    "pending migration in one. When the value is added and used in different migrations, apply them one transaction "
    "each: trovella-migrate migrate --commit-each, or CALL trovella_migrate.apply_each(...). A migration that adds and "
    "uses the value itself must be split in two.";

const char* kNewEnumValueInOneMigrationHint =
    "A value added by ALTER TYPE ... ADD VALUE cannot be used in the transaction that adds it, and each migration runs "
    "in one: a migration that adds and uses the value itself must be split in two.";

const char* kLockTableHint =
    "apply() runs every pending migration in one transaction, which holds the locks of every object they touch "
    "until it ends. Use CALL trovella_migrate.apply_each(...), which commits after each migration, or raise "
    "max_locks_per_transaction.";

// Layer 1, after: count again and check every entry has its row with the right hash. `unchanged`:
// the rows read at the start, when the run changed nothing in the table (no migration ran, no row
// was named): the check reads them once, not twice.
void verify_after(Database& db, const Inputs& in, ApplyResult& result, Say& say, const Naming* unchanged = nullptr) {
    Naming reread;
    if (unchanged == nullptr) reread = read_names(db, in);
    const Naming& naming = unchanged != nullptr ? *unchanged : reread;
    const auto after = assess(in.journal, naming.rows, &in.hashes);
    Verification v = after_apply_verification(after, in.options);
    for (auto& problem : naming_problems(naming)) v.problems.push_back(std::move(problem));
    if (!v.ok())
        throw Error(ErrorKind::verify_failed, v.headline("verification after apply failed"), msg::join(v.problems, "\n"),
                    "A migration may have changed " + db.tracking_table_name() + " itself; check the migrations listed.");
    say(msg::complete(result.applied));
    say(msg::verified(after.recorded));
    result.verified = true;
}

// The start of every run that writes: this session may, the lock, the table (a Drizzle 1.x folder
// gets drizzle-orm 1.x's version 1), the grants.
void open_tracking_table(Database& db, const Inputs& in, Function fn, Access access) {
    db.require_session_can_write(fn);
    db.lock();
    if (access == Access::append)
        db.create_tracking_table_if_missing(in.journal.layout == Layout::folders ? TableVersion::v1 : TableVersion::v0);
    db.require_access(access);
}

// Locks, creates the tracking table when missing, counts before and checks what may proceed
// (an upgrade that would be refused included). `naming` receives the rows with their names.
Assessment begin_run(Database& db, Naming& naming, const Inputs& in, ApplyResult& result, Say& say, Function fn) {
    open_tracking_table(db, in, fn, Access::append);
    naming = read_names(db, in);
    Assessment before = assess(in.journal, naming.rows, &in.hashes);
    result.expected = before.expected;
    result.applied_before = before.recorded;
    result.pending = before.pending();
    say(msg::migration_state(before.recorded, before.expected, before.pending()));
    check_naming(db, naming);
    check_can_apply(before, in.options);
    return before;
}

std::string committed_so_far(const ApplyResult& result) {
    std::vector<std::string> committed;
    for (const auto& tag : result.applied_tags) committed.push_back(quote_tag(tag));
    return committed.empty() ? "apply_each committed no migration in this call before the failure."
                             : "apply_each committed " + msg::plural(committed.size(), "migration", "migrations") +
                                   " before the failure, which stay applied: " + msg::join(committed, ", ") + ".";
}

// apply_each's state between migrations: every row it has seen, and which are its own.
struct Seen {
    std::vector<TrackingRow> rows;
    std::set<std::int64_t> own;        // ids of the rows this call wrote
    std::set<std::int64_t> whens;      // created_at of every row seen (journal: what is applied)
    std::set<std::string> names;       // name of every row seen (folders: what is applied)

    void add(TrackingRow row, bool mine) {
        if (row.created_at) whens.insert(*row.created_at);
        if (row.name) names.insert(*row.name);
        if (mine) own.insert(row.id);
        rows.push_back(std::move(row));
    }
    void replace(std::vector<TrackingRow> now) {
        rows.clear();
        whens.clear();
        names.clear();
        for (auto& row : now) add(std::move(row), false);
    }
    bool applied(const Journal& journal, const JournalEntry& entry) const {
        return journal.layout == Layout::folders ? names.count(entry.tag) > 0 : whens.count(entry.when) > 0;
    }
    TrackingCount count() const {
        TrackingCount c{rows.size(), 0};
        for (const auto& row : rows) c.max_id = std::max(c.max_id, row.id);
        return c;
    }
};

}  // namespace

std::int64_t idx_of(const JournalEntry& entry) { return entry.idx.value_or(static_cast<std::int64_t>(entry.position)); }

namespace {


}  // namespace

Work prepare(const Assessment& a, const Inputs& in, Database& db, Purpose purpose) {
    Work work;
    work.entries = entries_to_apply(a);
    work.statements.reserve(work.entries.size());
    std::vector<MigrationToCheck> to_check;
    for (const auto* e : work.entries) {
        check_interrupts();
        work.statements.push_back(split_statements(in.text_of(*e->entry)));
    }
    for (std::size_t i = 0; i < work.entries.size(); ++i) to_check.push_back({work.entries[i]->entry, &work.statements[i]});
    work.checked = db.check_statements(to_check);
    if (purpose == Purpose::run && db.outside_transaction() == nullptr)
        refuse_unless_transactional(work.checked);
    else
        refuse_never_runnable(work.checked);
    // The migrations that run outside a transaction: each with the statement that makes it so and
    // all of its statements.
    work.outside.resize(work.entries.size());
    std::map<const JournalEntry*, std::size_t> position;
    for (std::size_t i = 0; i < work.entries.size(); ++i) position.emplace(work.entries[i]->entry, i);
    // The statement named when the run announces it: the first that PostgreSQL refuses in a
    // transaction block, else the first of the file's own transaction control.
    for (const auto& c : work.checked) {
        auto& slot = work.outside[position.at(c.entry)];
        if (!runs_outside_transaction(c.verdict.cls)) continue;
        if (!slot) slot = OutsideMigration{c.entry, &work.statements[position.at(c.entry)], &c, {}};
        else if (slot->reason->verdict.cls != StatementClass::no_transaction_block &&
                 c.verdict.cls == StatementClass::no_transaction_block)
            slot->reason = &c;
    }
    for (const auto& c : work.checked) {
        check_interrupts();
        if (auto& slot = work.outside[position.at(c.entry)]) slot->checked.push_back(&c);
    }
    return work;
}

ApplyResult apply(Database& db, const Inputs& in) {
    ApplyResult result;
    Say say(db, result);
    SettingsScope settings(db, in.options);  // lock_timeout bounds the wait for the migration lock too
    Naming naming;
    const Assessment before = begin_run(db, naming, in, result, say, Function::apply);
    const Work work = prepare(before, in, db);
    write_names(db, naming);
    reconcile_history(db, before, naming.rows);
    if (work.entries.empty()) {
        say(msg::nothing_pending());
    } else {
        say(msg::running());
        // The tags committed when a migration that cannot run in a transaction left it.
        std::size_t committed = 0;
        noting_failure(
            db,
            [&] {
                for (std::size_t i = 0; i < work.entries.size(); ++i) {
                    const auto& entry = *work.entries[i]->entry;
                    if (work.outside[i]) {
                        committed = result.applied_tags.size();
                        run_outside_transaction(db, *db.outside_transaction(), in, *work.outside[i]);
                        committed = result.applied_tags.size() + 1;
                    } else {
                        run_migration(db, in, entry, work.statements[i]);
                    }
                    result.applied_tags.push_back(entry.tag);
                }
            },
            [&] {
                FailureNote note{{}, {}, kLockTableHint, kNewEnumValueHint};
                if (committed > 0) {
                    std::vector<std::string> tags;
                    for (std::size_t i = 0; i < committed; ++i) tags.push_back(quote_tag(result.applied_tags[i]));
                    note.detail = "Committed before the failure (a migration that cannot run in a transaction ends the "
                                  "run's transaction), and applied: " + msg::join(tags, ", ") + ".";
                }
                return note;
            });
    }
    result.applied = result.applied_tags.size();
    verify_after(db, in, result, say, work.entries.empty() && !naming.changes_table() ? &naming : nullptr);
    db.finish_history();
    settings.finish();
    return result;
}

ApplyResult apply_each(Database& db, const Inputs& in) {
    ApplyResult result;
    Say say(db, result);
    // What to apply is decided once, against the state before the call (DESIGN section 4), and
    // checked again before each migration against what other runners committed since.
    std::vector<const JournalEntry*> todo;
    Work work;
    Seen seen;
    {
        SettingsScope settings(db, in.options);
        Naming naming;
        const Assessment before = begin_run(db, naming, in, result, say, Function::apply_each);
        work = prepare(before, in, db);
        // An upgrade commits here, with the history, before any migration runs (as drizzle-orm
        // 1.x commits its upgrade first): a failing migration leaves the table upgraded.
        write_names(db, naming);
        reconcile_history(db, before, naming.rows);
        for (const auto* e : work.entries) todo.push_back(e->entry);
        for (auto& row : naming.rows) seen.add(std::move(row), false);
        settings.finish();
    }
    db.commit();
    say(todo.empty() ? msg::nothing_pending() : msg::running());

    for (std::size_t i = 0; i < todo.size(); ++i) {
        const JournalEntry& entry = *todo[i];
        enum class Stage { locking, rechecking, running } stage = Stage::locking;
        noting_failure(
            db,
            [&] {
                SettingsScope settings(db, in.options);
                db.lock();
                // Someone may have changed the tracking table since (another runner, drizzle-kit):
                // then check everything apply checks (unknown rows, database ahead, modified, out
                // of order) before running anything, and skip what was applied meanwhile. Identity
                // decides; nothing runs twice.
                if (db.tracking_count() != seen.count()) {
                    stage = Stage::rechecking;
                    Naming now = read_names(db, in);  // rows without a name may have come too
                    check_naming(db, now);
                    check_can_apply(assess(in.journal, now.rows, &in.hashes, &seen.own), in.options);
                    write_names(db, now);
                    seen.replace(std::move(now.rows));
                }
                const bool done = seen.applied(in.journal, entry);
                if (!done) {
                    stage = Stage::running;
                    const std::int64_t id =
                        work.outside[i] ? run_outside_transaction(db, *db.outside_transaction(), in, *work.outside[i])
                                        : run_migration(db, in, entry, work.statements[i]);
                    seen.add(TrackingRow{id, in.hash_of(entry), entry.when, row_name(in, entry)}, true);
                }
                settings.finish();
                db.commit();  // deferred constraints fire here, before it counts as applied
                if (!done) {
                    result.applied_tags.push_back(entry.tag);
                    db.notice("committed " + entry.tag);
                }
            },
            [&] {
                const std::string tag = quote_tag(entry.tag);
                switch (stage) {
                    case Stage::running:
                        return FailureNote{committed_so_far(result),
                                           "Fix " + tag + " and call apply_each again: it continues with that migration.",
                                           kLockTableHint, kNewEnumValueInOneMigrationHint};
                    case Stage::rechecking:
                        return FailureNote{committed_so_far(result),
                                           "Another runner committed migrations while apply_each was running; nothing of " +
                                               tag + " ran.",
                                           {}, {}};
                    case Stage::locking:
                        break;
                }
                return FailureNote{committed_so_far(result),
                                   "This happened before " + tag +
                                       " started (while taking the migration lock or reading the tracking table); call "
                                       "apply_each again to continue with it.",
                                   {}, {}};
            });
    }
    result.applied = result.applied_tags.size();
    SettingsScope settings(db, in.options);
    db.lock();
    verify_after(db, in, result, say);
    db.finish_history();
    settings.finish();
    return result;
}

std::vector<RecordedEntry> baseline(Database& db, const Inputs& in, const std::string& through_tag) {
    const JournalEntry* through = in.journal.find(through_tag);
    if (through == nullptr)
        throw invalid_input("through_tag " + quote_tag(through_tag) + " is not " + in.journal.where());
    SettingsScope settings(db, in.options);
    open_tracking_table(db, in, Function::baseline, Access::append);
    const Naming naming = read_names(db, in);
    const Assessment before = assess(in.journal, naming.rows, &in.hashes);
    db.notice(msg::migration_state(before.recorded, before.expected, before.pending()));
    // Baselining adopts what is already there: unknown rows and edited files still refuse.
    Options checks = in.options;
    checks.allow_out_of_order = true;
    check_naming(db, naming);
    check_can_apply(before, checks);
    write_names(db, naming);
    reconcile_history(db, before, naming.rows);
    std::vector<RecordedEntry> recorded;
    for (const auto& e : before.entries) {
        if (e.entry->position > through->position) break;
        if (e.state != State::pending && e.state != State::out_of_order) continue;
        const std::string& hash = in.hash_of(*e.entry);
        const std::int64_t id = db.insert_tracking_row(hash, e.entry->when, row_name(in, *e.entry));
        db.record(event_for("baselined", *e.entry, hash, id));
        recorded.push_back({idx_of(*e.entry), e.entry->tag, e.entry->when, hash, {}});
    }
    db.notice("Baselined " + msg::plural(recorded.size(), "migration", "migrations") + " through " + through_tag +
              " without running them.");
    db.finish_history();
    settings.finish();
    return recorded;
}

RecordedEntry repair(Database& db, const Inputs& in, const std::string& tag) {
    const JournalEntry* entry = in.journal.find(tag);
    if (entry == nullptr) throw invalid_input("tag " + quote_tag(tag) + " is not " + in.journal.where());
    SettingsScope settings(db, in.options);
    db.require_session_can_write(Function::repair);
    db.lock();
    const Naming naming = read_names(db, in);
    const Assessment a = assess(in.journal, naming.rows, &in.hashes);
    const EntryState& e = a.entries[entry->position];
    if (e.row == nullptr)
        throw Error(ErrorKind::refused,
                    "cannot repair " + quote_tag(tag) + ": it is not applied (state " + state_name(e.state) + ")", {},
                    "repair() records the new hash of an applied migration; apply() runs pending ones.");
    if (e.state != State::modified)
        throw Error(ErrorKind::refused,
                    "nothing to repair: " + quote_tag(tag) + " is applied and its file's hash matches the recorded one");
    check_naming(db, naming);
    db.require_access(Access::update);
    write_names(db, naming);
    RecordedEntry out{idx_of(*entry), tag, entry->when, *e.file_hash, e.row->hash};
    db.update_tracking_hash(e.row->id, *e.file_hash);
    HistoryEvent event = event_for("repaired", *entry, *e.file_hash, e.row->id);
    event.previous_hash = e.row->hash;
    db.record(event);
    db.warning("repair() records the new hash of " + tag +
               " but does not run its edited SQL: if the edit changes the schema, make that change yourself (or in a "
               "new migration)");
    db.notice("Repaired " + tag + ": recorded hash " + out.previous_hash.substr(0, 12) + "... replaced by " +
              out.hash.substr(0, 12) + "... (the old hash stays in trovella_migrate.migration_event)");
    db.finish_history();
    settings.finish();
    return out;
}

}  // namespace trovella::core
