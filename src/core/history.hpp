// The history of runs and migrations beside Drizzle's table: tables `run` and `migration_event`
// in a schema of their own (trovella_migrate for the extension, written as the extension's owner;
// trovella_migrate_history for the client engine). Each event carries the tracking row's id, hash
// and created_at, so nothing ever has to read a tracking table to show the history.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/database.hpp"
#include "core/sql_session.hpp"
#include "core/tracking_table.hpp"

namespace trovella::core {

class History {
public:
    // `schema`: the history tables' schema, a quoted identifier.
    History(SqlSession& sql, const TrackingTable& tracking, Function function, std::string schema);

    // The role running the function (recorded as applied_by).
    const std::string& caller() const { return caller_; }

    // Starts a run lazily on the first record(); returns its id.
    std::int64_t run_id();
    void record(const HistoryEvent& event);
    // Writes the events held back (see hold_events), then marks the run finished.
    void finish_run();

    // From now on record() keeps the events and writes them all in one INSERT when flush() is
    // called (each event keeps the time it was recorded as its applied_at). One statement per run
    // instead of one per migration: in a run of small migrations, the per-event INSERT (its
    // executor, its foreign-key check, the switch to the history's keeper) cost as much as a third
    // of the migrations' own statements. The host must flush before it commits; reading the
    // history (known_rows, partial_migrations) and finish_run flush first.
    void hold_events() { hold_ = true; }
    void flush();

    // Tracking row id -> the latest event about it, for this tracking table.
    std::map<std::int64_t, KnownRow> known_rows();
    // The latest progress record ("partial") of each migration run outside a transaction, for
    // this tracking table.
    PartialProgress partial_migrations();

private:
    SqlSession& sql_;
    const TrackingTable& tracking_;
    Function function_;
    std::string schema_;
    std::string caller_;
    std::optional<std::int64_t> run_id_;
    bool hold_ = false;
    std::vector<std::pair<HistoryEvent, std::string>> held_;  // with the time recorded (UTC text)
};

}  // namespace trovella::core
