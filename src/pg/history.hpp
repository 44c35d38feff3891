// The extension's own history (trovella_migrate.run and trovella_migrate.migration_event).
// It is read and written under the extension owner's identity, the way PostgreSQL switches user
// around its own bookkeeping, so a role that may call apply still cannot write it directly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "pg/spi.hpp"
#include "pg/tracking_table.hpp"

namespace trovella::pg {

struct Event {
    const char* action = "applied";  // applied | adopted | baselined | repaired
    std::optional<std::int64_t> tracking_id;
    std::string tag;
    std::optional<std::int64_t> idx;
    std::string hash;
    std::optional<std::string> previous_hash;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> statements;
    std::optional<double> duration_ms;
};

class History {
public:
    History(SpiConnection& spi, const TrackingTable& tracking);

    // The role calling the function (recorded as applied_by).
    const std::string& caller() const { return caller_; }

    // Starts a run lazily on the first record(); returns its id.
    std::int64_t run_id(const char* function);
    void record(const char* function, const Event& event);
    void finish_run();

    // Tracking row id -> applied_at (text) of its latest event; for status.
    std::map<std::int64_t, std::string> applied_at(bool read_only);
    // Tracking row ids that already have an event (so adoption is recorded once).
    std::map<std::int64_t, bool> known_rows();

private:
    SpiConnection& spi_;
    const TrackingTable& tracking_;
    Oid owner_ = InvalidOid;
    std::string caller_;
    std::optional<std::int64_t> run_id_;
};

}  // namespace trovella::pg
