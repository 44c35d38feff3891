#include "pg/tracking_table.hpp"

#include "core/messages.hpp"

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
    spi_.query("SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))",
               {Param::of_int4(kLockClass), Param::of(display_)});
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

}  // namespace trovella::pg
