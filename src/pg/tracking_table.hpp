// Drizzle's tracking table (default drizzle.__drizzle_migrations): found, created with Drizzle's
// exact DDL when missing, read and appended to. Never altered otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/options.hpp"
#include "core/planner.hpp"
#include "pg/spi.hpp"

namespace trovella::pg {

class TrackingTable {
public:
    TrackingTable(SpiConnection& spi, const core::Options& options);

    const std::string& schema() const { return schema_; }
    const std::string& table() const { return table_; }
    const std::string& display_name() const { return display_; }  // drizzle.__drizzle_migrations

    // read_only: use the caller's snapshot (status, verify: work on a hot standby); otherwise see
    // this function's own earlier changes (apply).
    bool exists(bool read_only);
    void create_if_missing();
    // Serializes runners on this tracking table until the transaction ends. When another runner
    // holds it, says who (pid, application_name, since when) and waits, bounded by lock_timeout.
    void lock();
    std::string lock_holder();
    std::vector<core::TrackingRow> read_rows(bool read_only);
    std::int64_t insert(const std::string& hash, std::int64_t when);
    // The only change the extension ever makes to an existing row (repair()).
    void update_hash(std::int64_t id, const std::string& hash);

private:
    SpiConnection& spi_;
    std::string schema_;
    std::string table_;
    std::string display_;
    std::string quoted_;  // "schema"."table", quoted by PostgreSQL's rules
    std::string quoted_schema_;
};

}  // namespace trovella::pg
