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

#include "core/database.hpp"
#include "pg/spi.hpp"
#include "pg/tracking_table.hpp"

namespace trovella::pg {

class History {
public:
    History(SpiConnection& spi, const TrackingTable& tracking, core::Function function);

    // The role calling the function (recorded as applied_by).
    const std::string& caller() const { return caller_; }

    // Starts a run lazily on the first record(); returns its id.
    std::int64_t run_id();
    void record(const core::HistoryEvent& event);
    void finish_run();

    // Tracking row id -> the latest event about it (status, adoption).
    std::map<std::int64_t, core::KnownRow> known_rows(bool read_only);

private:
    SpiConnection& spi_;
    const TrackingTable& tracking_;
    core::Function function_;
    Oid owner_ = InvalidOid;
    std::string caller_;
    std::optional<std::int64_t> run_id_;
};

}  // namespace trovella::pg
