// What the order of a run (core/run.hpp) needs from the database it runs in: a narrow interface
// that the extension implements with SPI inside the caller's transaction (src/pg/spi_database),
// the client engine with libpq, and the unit tests with a fake. Everything the run decides (what
// is pending, what is refused, what is recorded, what is said) stays in the core; an
// implementation only does what it is told, in its database, and throws its own errors.
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/failure_note.hpp"
#include "core/journal.hpp"
#include "core/options.hpp"
#include "core/partial_progress.hpp"
#include "core/planner.hpp"
#include "core/splitter.hpp"
#include "core/statement_check.hpp"
#include "core/upgrade.hpp"

namespace trovella::core {

// One event of the extension's history (trovella_migrate.migration_event), about one tracking row.
struct HistoryEvent {
    const char* action = "applied";  // applied | adopted | baselined | repaired | removed | partial
    std::optional<std::int64_t> tracking_id;
    std::string tag;
    std::optional<std::int64_t> idx;
    std::string hash;
    std::optional<std::string> previous_hash;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> statements;
    std::optional<double> duration_ms;
};

// What the history last recorded about a tracking row id.
struct KnownRow {
    std::string tag;
    std::optional<std::int64_t> idx;
    std::string hash;
    std::int64_t created_at = 0;
    std::string action;
    std::string applied_at;  // timestamptz as the host reads it (text; the extension: pg/spi.hpp kRawTimestampMark)
    // The event was about this very row: ids are reused when the tracking table is dropped and
    // made again (by drizzle-kit, say), so an id alone does not identify a row. A row without
    // created_at (Drizzle 1.x reads only its name) was recorded with `when_null`, its folder's.
    bool same_row(const TrackingRow& row, std::optional<std::int64_t> when_null = std::nullopt) const {
        const auto at = row.created_at ? row.created_at : when_null;
        return at && *at == created_at && row.hash == hash;
    }
};

// One statement of one migration, as the run hands it to the database.
struct StatementRun {
    const JournalEntry* entry = nullptr;
    const Statement* statement = nullptr;
    int total = 0;  // statements of the migration
};

// What the caller must be allowed to do with the tracking table. alter: what its owner may (the
// upgrade to Drizzle 1.x's version 1 adds two columns).
enum class Access { read, append, update, alter };

// Drizzle's tracking table as read at one moment: its version and its rows (with `name` when the
// table has that column).
struct TrackingState {
    TableVersion version = TableVersion::missing;
    std::vector<TrackingRow> rows;  // id order
};

// How many rows the tracking table has, and its highest id: cheap to read, and it changes whenever
// anyone adds or removes rows (ids are not handed out in commit order, so "rows above the last id
// seen" would miss a row another session numbered earlier and committed later).
struct TrackingCount {
    std::size_t rows = 0;
    std::int64_t max_id = 0;
    bool operator==(const TrackingCount& other) const { return rows == other.rows && max_id == other.max_id; }
    bool operator!=(const TrackingCount& other) const { return !(*this == other); }
};

class OutsideTransaction;

class Database {
public:
    virtual ~Database() = default;

    // This session may record migrations; throws (read-only, hot standby, isolation level).
    virtual void require_session_can_write(Function fn) = 0;

    // The options' lock_timeout and statement_timeout are in force between push_settings() and
    // pop_settings(). pop_settings(false) runs on a failure, while the error unwinds: it must not
    // throw.
    virtual void push_settings(const Options& options) = 0;
    virtual void pop_settings(bool success) = 0;

    // The tracking table.
    virtual std::string tracking_table_name() = 0;  // for messages: drizzle.__drizzle_migrations
    // Serializes runners on the tracking table until the transaction ends (says who holds it).
    virtual void lock() = 0;
    // With Drizzle's DDL of that version (v0: drizzle-orm 0.x's; v1: 1.x's, with name and applied_at).
    virtual void create_tracking_table_if_missing(TableVersion version) = 0;
    // The caller may do what `access` needs on the tracking table; throws naming the GRANT.
    virtual void require_access(Access access) = 0;
    virtual TrackingState tracking_state() = 0;  // missing and no rows when it does not exist
    virtual TrackingCount tracking_count() = 0;
    // `name` is written where the table has the column (and applied_at = now() where it has that),
    // so no row without a name is ever added to a version-1 table; the core always gives one.
    virtual std::int64_t insert_tracking_row(const std::string& hash, std::int64_t when, const std::string& name) = 0;
    virtual void update_tracking_hash(std::int64_t id, const std::string& hash) = 0;
    // Drizzle 1.x's upgrade of a version-0 table: adds name and applied_at (as drizzle-orm 1.x
    // does), then names every row, its applied_at NULL.
    virtual void upgrade_tracking_table(const std::vector<RowName>& names) = 0;
    // Names rows of a version-1 table whose name is NULL (nothing else changes).
    virtual void name_tracking_rows(const std::vector<RowName>& names) = 0;

    // The extension's history.
    virtual std::map<std::int64_t, KnownRow> history_rows() = 0;  // latest event per tracking id
    // Migrations run outside a transaction and not finished (status shows them "partial"); none
    // where nothing can have run outside a transaction.
    virtual PartialProgress partial_migrations() { return {}; }
    virtual void record(const HistoryEvent& event) = 0;
    virtual void finish_history() = 0;

    // Statements: read all at once by PostgreSQL's parser before any runs (a syntax error is thrown
    // naming its statement); the run decides from their verdicts what it refuses. Then they run
    // one by one; a failing statement's error names it. A host may leave out the statements of a
    // migration whose statements all run in a transaction (drop_if_all_transactional): the
    // extension does, the client returns every statement (its parser is compared with the
    // server's statement by statement, test/parser_agreement).
    virtual std::vector<CheckedStatement> check_statements(const std::vector<MigrationToCheck>& migrations) = 0;
    virtual void execute(const StatementRun& run) = 0;
    // Ends the transaction and starts a new one (apply_each).
    virtual void commit() = 0;

    // A host that can leave the transaction block runs the migrations that cannot run in one
    // (the client, core/outside_transaction.hpp); the extension cannot (nullptr): it refuses them.
    virtual OutsideTransaction* outside_transaction() { return nullptr; }

    // What the user sees as it happens.
    virtual void notice(const std::string& message) = 0;
    virtual void warning(const std::string& message) = 0;

    // Adds `note` to `failure`, an exception of this database's (or a core::Error), before the
    // run rethrows it. Called outside any catch handler.
    virtual void annotate(const std::exception_ptr& failure, const FailureNote& note) = 0;
};

}  // namespace trovella::core
