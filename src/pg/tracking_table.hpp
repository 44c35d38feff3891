// Drizzle's tracking table (default drizzle.__drizzle_migrations): found, created with Drizzle's
// exact DDL when missing, read and appended to. Never altered otherwise.
//
// Security (DESIGN section 8): the table must be an ordinary, permanent table (a view or a
// function behind it would run its author's code with the reader's rights), and it is read and
// written as its owner under a security-restricted operation, after checking that the caller
// itself holds the privileges the operation needs. So nothing attached to a table that another
// role owns (triggers, column defaults, row security policies) ever runs with the caller's rights.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/database.hpp"
#include "core/options.hpp"
#include "core/planner.hpp"
#include "pg/spi.hpp"

namespace trovella::pg {

class TrackingTable {
public:
    // `function` names the SQL function for messages ("apply()").
    TrackingTable(SpiConnection& spi, const core::Options& options, core::Function function);

    const std::string& schema() const { return schema_; }
    const std::string& table() const { return table_; }
    // drizzle.__drizzle_migrations: PostgreSQL's quoting rules, so "a.b".c and a."b.c" differ.
    const std::string& display_name() const { return quoted_; }

    // read_only: use the caller's snapshot (status, verify: work on a hot standby); otherwise see
    // this function's own earlier changes (apply). Refuses anything but an ordinary permanent table.
    bool exists(bool read_only);
    void create_if_missing();
    // Serializes runners on this tracking table until the transaction ends. When another runner
    // holds it, says who (pid, application_name, since when) and waits, bounded by lock_timeout.
    void lock();
    std::string lock_holder();

    // The caller must hold what the operation needs (42501 naming the GRANT otherwise).
    void require_access(core::Access access, bool read_only);

    std::vector<core::TrackingRow> read_rows(bool read_only);
    // Its row count and highest id (apply_each's look at whether others changed it).
    core::TrackingCount count_rows();
    std::int64_t insert(const std::string& hash, std::int64_t when);
    // The only change the extension ever makes to an existing row (repair()).
    void update_hash(std::int64_t id, const std::string& hash);

private:
    struct Relation {
        Oid oid = InvalidOid;
        Oid owner = InvalidOid;
    };
    std::optional<Relation> find(bool read_only);
    std::vector<core::TrackingRow> select_rows(const std::string& sql, const std::vector<Param>& params, bool read_only);
    const Relation& relation();

    SpiConnection& spi_;
    core::Function function_;
    std::string schema_;
    std::string table_;
    std::string quoted_schema_;
    std::string quoted_;  // "schema"."table", quoted by PostgreSQL's rules
    std::optional<Relation> relation_;
    unsigned checked_access_ = 0;  // bit per Access already checked for relation_
};

// The key of the migration lock: one advisory lock per tracking table, the same for every runner
// (the extension and, later, the client engine compute it with the same SQL).
inline constexpr std::int32_t kLockClass = 0x74726f76;  // "trov"

}  // namespace trovella::pg
