// The history of runs and migrations beside Drizzle's table: tables `run` and `migration_event`
// in a schema of their own (trovella_migrate for the extension, written as the extension's owner;
// trovella_migrate_history for the client engine). Each event carries the tracking row's id, hash
// and created_at, so nothing ever has to read a tracking table to show the history.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

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
    void finish_run();

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
};

}  // namespace trovella::core
