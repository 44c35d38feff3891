#include "pg/tracking_table.hpp"

#include "core/messages.hpp"
#include "pg/inputs.hpp"

namespace trovella::pg {

namespace {

// Arbitrary first key of the advisory lock ("trov"), so other users of advisory locks with a
// single bigint key cannot collide with ours by accident.
constexpr std::int32_t kLockClass = 0x74726f76;

std::string quote_identifier_of(const std::string& name) {
    const char* quoted = pg_call([&] { return quote_identifier(name.c_str()); });
    return quoted;
}

}  // namespace

TrackingTable::TrackingTable(SpiConnection& spi, const core::Options& options)
    : spi_(spi),
      schema_(options.migrations_schema),
      table_(options.migrations_table),
      display_(core::messages::qualified_table(schema_, table_)) {
    quoted_schema_ = quote_identifier_of(schema_);
    quoted_ = quoted_schema_ + "." + quote_identifier_of(table_);
}

bool TrackingTable::exists(bool read_only) {
    auto rows = spi_.query(
        "SELECT c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
        "WHERE n.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) $2",
        {Param::of(schema_), Param::of(table_)}, read_only);
    return !rows.empty();
}

void TrackingTable::create_if_missing() {
    if (exists(false)) return;
    auto schema_rows = spi_.query(
        "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) $1", {Param::of(schema_)});
    if (schema_rows.empty()) spi_.query(("CREATE SCHEMA IF NOT EXISTS " + quoted_schema_).c_str());
    // Drizzle's DDL (drizzle-orm pg-core dialect, migrate()), with the types schema-qualified so
    // that a hostile search_path cannot substitute them; the resulting table is identical.
    spi_.query(("CREATE TABLE IF NOT EXISTS " + quoted_ +
                " (\n\tid SERIAL PRIMARY KEY,\n\thash pg_catalog.text NOT NULL,\n\tcreated_at pg_catalog.int8\n)")
                   .c_str());
}

void TrackingTable::lock() {
    const std::vector<Param> key{Param::of_int4(kLockClass), Param::of(display_)};
    auto got = spi_.query_value("SELECT pg_catalog.pg_try_advisory_xact_lock($1, pg_catalog.hashtext($2))", key);
    if (got && *got == "t") return;

    // Someone else is migrating: say who, then wait (bounded by the lock_timeout option).
    std::string holder = lock_holder();
    notice("waiting for the migration lock on " + display_ + ", held by " + holder);
    try {
        spi_.query("SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))", key);
    } catch (const PgError& e) {
        append_detail(e.edata(), "The migration lock on " + display_ + " is held by " + holder + ".");
        throw;
    }
}

std::string TrackingTable::lock_holder() {
    auto rows = spi_.query(
        "SELECT a.pid, a.application_name, a.usename, a.client_addr, "
        "pg_catalog.to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ'), "
        "pg_catalog.round(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) a.xact_start)::pg_catalog.numeric, 1), "
        "pg_catalog.left(a.query, 120) "
        "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) l.pid "
        "WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory' AND l.granted AND l.objsubid OPERATOR(pg_catalog.=) 2 "
        "AND l.database OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database()) "
        "AND l.classid::pg_catalog.int8 OPERATOR(pg_catalog.=) $1 "
        "AND l.objid::pg_catalog.int8 OPERATOR(pg_catalog.=) (pg_catalog.hashtext($2)::pg_catalog.int8 OPERATOR(pg_catalog.&) 4294967295)",
        {Param::of(static_cast<std::int64_t>(kLockClass)), Param::of(display_)});
    if (rows.empty()) return "another session (it may have just finished)";
    const auto& r = rows.front();
    auto field = [&](std::size_t i) { return r[i].value_or(""); };
    std::string out = "pid " + field(0) + " (application_name \"" + field(1) + "\", user " + field(2);
    if (r[3]) out += ", client " + field(3);
    out += ", transaction started " + field(4) + ", " + field(5) + " s ago";
    if (r[6]) out += ", running: " + field(6);
    return out + ")";
}
std::vector<core::TrackingRow> TrackingTable::read_rows(bool read_only) {
    std::vector<core::TrackingRow> out;
    if (!exists(read_only)) return out;
    auto rows = spi_.query(("SELECT id, hash, created_at FROM " + quoted_ + " ORDER BY id").c_str(), {}, read_only);
    out.reserve(rows.size());
    for (auto& row : rows) {
        core::TrackingRow r;
        r.id = to_int64(row[0]);
        r.hash = row[1].value_or("");
        if (row[2]) r.created_at = to_int64(row[2]);
        out.push_back(std::move(r));
    }
    return out;
}

std::int64_t TrackingTable::insert(const std::string& hash, std::int64_t when) {
    return to_int64(spi_.query_value(
        ("INSERT INTO " + quoted_ + " (hash, created_at) VALUES ($1, $2) RETURNING id").c_str(),
        {Param::of(hash), Param::of(when)}));
}

void TrackingTable::update_hash(std::int64_t id, const std::string& hash) {
    spi_.query(("UPDATE " + quoted_ + " SET hash = $1 WHERE id OPERATOR(pg_catalog.=) $2").c_str(),
               {Param::of(hash), Param::of(id)});
}

}  // namespace trovella::pg
