// The extension's own history (trovella_migrate.run and trovella_migrate.migration_event).
// It is read and written under the extension owner's identity, the way PostgreSQL switches user
// around its own bookkeeping, so a role that may call apply still cannot write it directly.
// The history view reads these tables only: each event carries the tracking row's id, hash and
// created_at, so nothing reads a relation that a caller named.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "pg/spi.hpp"
#include "pg/tracking_table.hpp"

namespace trovella::pg {

struct Event {
    const char* action = "applied";  // applied | adopted | baselined | repaired | removed
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
    std::string applied_at;  // timestamptz as text
    // The tracking row the event was about: ids are reused after the table is dropped and made
    // again (by drizzle-kit, say), so an id alone does not identify a row.
    bool same_row(const core::TrackingRow& row) const {
        return row.created_at && *row.created_at == created_at && row.hash == hash;
    }
};

class History {
public:
    History(SpiConnection& spi, const TrackingTable& tracking, core::Function function);

    // The role calling the function (recorded as applied_by).
    const std::string& caller() const { return caller_; }

    // Starts a run lazily on the first record(); returns its id.
    std::int64_t run_id();
    void record(const Event& event);
    void finish_run();

    // Tracking row id -> the latest event about it (status, adoption).
    std::map<std::int64_t, KnownRow> known_rows(bool read_only);

private:
    SpiConnection& spi_;
    const TrackingTable& tracking_;
    core::Function function_;
    Oid owner_ = InvalidOid;
    std::string caller_;
    std::optional<std::int64_t> run_id_;
};

}  // namespace trovella::pg
