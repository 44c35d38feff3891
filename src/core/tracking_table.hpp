// Drizzle's tracking table (default drizzle.__drizzle_migrations): found, created with Drizzle's
// exact DDL when missing (drizzle-orm 0.x's version 0 or 1.x's version 1), locked, read and
// appended to. Altered only by the upgrade to version 1 that drizzle-orm 1.x itself makes
// (doc/drizzle-v1.md section 3), when a Drizzle 1.x folder is applied to a version-0 table.
//
// Security (DESIGN section 8): the table must be an ordinary, permanent table (a view or a
// function behind it would run its author's code with the reader's rights), the caller must hold
// the privileges each operation needs (42501 with the GRANT to run), and it is read and written
// through SqlSession::as_table_owner, so nothing attached to a table another role owns ever runs
// with the caller's rights.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/database.hpp"
#include "core/options.hpp"
#include "core/planner.hpp"
#include "core/sql_session.hpp"

namespace trovella::core {

// The key of the migration lock: one advisory lock per tracking table, (kLockClass,
// hashtext(<quoted schema>.<quoted table>)), the same for every runner and engine.
inline constexpr std::int32_t kLockClass = 0x74726f76;  // "trov"

class TrackingTable {
public:
    // `function` names the SQL function for messages ("apply()"). Throws for a temporary schema.
    TrackingTable(SqlSession& sql, const Options& options, Function function);

    const std::string& schema() const { return schema_; }
    const std::string& table() const { return table_; }
    // drizzle.__drizzle_migrations: PostgreSQL's quoting rules, so "a.b".c and a."b.c" differ.
    const std::string& display_name() const { return quoted_; }

    // Refuses anything but an ordinary permanent table.
    bool exists();
    // Version 1 when the table has a column called `name` (drizzle-orm 1.x's own rule).
    TableVersion version();
    void create_if_missing(TableVersion version);
    // Serializes runners on this tracking table until the transaction ends (LockScope::session:
    // until unlock_session() or the end of the session, for a run that leaves its transaction; the
    // same key, so either kind waits for the other). When another runner holds it, says who (pid,
    // application_name, since when) and waits, bounded by lock_timeout.
    enum class LockScope { transaction, session };
    void lock(LockScope scope = LockScope::transaction);
    void unlock_session();
    // The caller must hold what the operation needs (42501 naming the GRANT otherwise).
    void require_access(Access access);

    TrackingState read_state();  // rows in id order, with `name` in a version-1 table
    TrackingCount count_rows();
    // Writes `name` where the table has the column, applied_at = now() where it has that one.
    std::int64_t insert(const std::string& hash, std::int64_t when, const std::string& name);
    // repair(): a row's new hash.
    void update_hash(std::int64_t id, const std::string& hash);
    // The upgrade to version 1, as drizzle-orm 1.x makes it: ADD COLUMN IF NOT EXISTS name text and
    // applied_at timestamptz DEFAULT now(), then each row's name, its applied_at NULL. Needs the
    // owner's rights (Access::alter).
    void upgrade(const std::vector<RowName>& names);
    // Names rows of a version-1 table whose name is NULL.
    void name_rows(const std::vector<RowName>& names);

private:
    struct Relation {
        std::string oid;
        std::string owner;
        bool has_name = false;
        bool has_applied_at = false;
        std::int64_t estimated_rows = -1;  // pg_class.reltuples: -1 before the first VACUUM or ANALYZE
    };
    void set_names(const std::vector<RowName>& names, bool upgrading);
    std::optional<Relation> find();
    const Relation& relation();
    std::string lock_holder();
    std::vector<SqlRow> as_owner(const std::string& sql, const std::vector<SqlParam>& params = {});

    SqlSession& sql_;
    Function function_;
    std::string schema_;
    std::string table_;
    std::string quoted_schema_;
    std::string quoted_;  // "schema"."table", quoted by PostgreSQL's rules
    std::optional<Relation> relation_;
    unsigned checked_access_ = 0;  // bit per Access already checked for relation_
};

}  // namespace trovella::core
