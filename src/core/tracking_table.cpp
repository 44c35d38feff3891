#include "core/tracking_table.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/error.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// pg_temp is every session's own temporary schema; pg_temp_N and pg_toast_temp_N are the real
// names of those schemas (what PostgreSQL's isAnyTempNamespace() recognizes).
bool is_temporary_schema_name(const std::string& schema) {
    return schema == "pg_temp" || starts_with(schema, "pg_temp_") || starts_with(schema, "pg_toast_temp_");
}

const char* relkind_name(char kind) {
    switch (kind) {
        case 'p': return "a partitioned table";
        case 'v': return "a view";
        case 'm': return "a materialized view";
        case 'f': return "a foreign table";
        case 'S': return "a sequence";
        case 'i':
        case 'I': return "an index";
        case 'c': return "a composite type";
        case 't': return "a TOAST table";
        default: return "not an ordinary table";
    }
}

bool is_true(const SqlValue& v) { return v && *v == "t"; }

TrackingRow to_tracking_row(const SqlRow& row) {
    TrackingRow r;
    r.id = to_int64(row[0]);
    r.hash = row[1].value_or("");
    if (row[2]) r.created_at = to_int64(row[2]);
    if (row.size() > 3) r.name = row[3];
    return r;
}

// A column of the relation c, for the catalog query of find().
std::string has_column(const char* column) {
    return std::string("EXISTS (SELECT FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid "
                       "AND a.attname OPERATOR(pg_catalog.=) '") +
           column + "' AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped)";
}

}  // namespace

std::int64_t to_int64(const SqlValue& value) {
    if (!value) throw std::runtime_error("unexpected NULL from an internal query");
    std::int64_t out = 0;
    auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), out);
    if (ec != std::errc() || ptr != value->data() + value->size())
        throw std::runtime_error("unexpected non-integer \"" + *value + "\" from an internal query");
    return out;
}

TrackingTable::TrackingTable(SqlSession& sql, const Options& options, Function function)
    : sql_(sql), function_(function), schema_(options.migrations_schema), table_(options.migrations_table) {
    // A temporary tracking table would be invisible to every other session (and to history).
    if (is_temporary_schema_name(schema_))
        throw invalid_input(
            "migrations_schema \"" + schema_ + "\" is a temporary schema: the tracking table must be a permanent table",
            {}, "Use an ordinary schema (Drizzle's default is drizzle).");
    auto rows = sql_.query("SELECT pg_catalog.quote_ident($1), pg_catalog.quote_ident($2)",
                           {SqlParam::of(schema_), SqlParam::of(table_)});
    quoted_schema_ = rows.at(0).at(0).value_or("");
    quoted_ = quoted_schema_ + "." + rows.at(0).at(1).value_or("");
}

std::optional<TrackingTable::Relation> TrackingTable::find() {
    auto rows = sql_.query(
        "SELECT c.oid::pg_catalog.int8, c.relkind::pg_catalog.text, c.relpersistence::pg_catalog.text, "
        "c.relowner::pg_catalog.int8, " + has_column("name") + ", " + has_column("applied_at") +
        ", c.reltuples::pg_catalog.int8"
        " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
        "WHERE n.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) $2",
        {SqlParam::of(schema_), SqlParam::of(table_)});
    if (rows.empty()) return std::nullopt;
    const SqlRow& row = rows.front();
    const char kind = row[1].value_or("?")[0];
    const char persistence = row[2].value_or("?")[0];
    const std::string hint =
        "The tracking table (options migrations_schema and migrations_table) must be an ordinary table: reading "
        "anything else could run code chosen by its owner. Point the options at Drizzle's table, or drop " +
        quoted_ + " so that apply() creates it.";
    if (kind != 'r')
        throw Error(ErrorKind::wrong_object_type,
                    "tracking table " + quoted_ + " is " + relkind_name(kind) + ", not an ordinary table", {}, hint);
    if (persistence == 't')
        throw Error(ErrorKind::wrong_object_type,
                    "tracking table " + quoted_ + " is a temporary table: it must be a permanent table", {}, hint);
    if (persistence == 'u')
        throw Error(ErrorKind::wrong_object_type,
                    "tracking table " + quoted_ +
                        " is an unlogged table: a crash would empty it and every migration would look pending",
                    {}, "ALTER TABLE " + quoted_ + " SET LOGGED;");
    return Relation{row[0].value_or(""), row[3].value_or(""), is_true(row[4]), is_true(row[5]), to_int64(row[6])};
}

bool TrackingTable::exists() {
    auto found = find();
    if (!found || !relation_ || found->oid != relation_->oid || found->owner != relation_->owner) checked_access_ = 0;
    relation_ = found;
    return relation_.has_value();
}

TableVersion TrackingTable::version() {
    if (!relation_ && !exists()) return TableVersion::missing;
    return relation_->has_name ? TableVersion::v1 : TableVersion::v0;
}

const TrackingTable::Relation& TrackingTable::relation() {
    if (!relation_) relation_ = find();
    if (!relation_) throw std::runtime_error("tracking table " + quoted_ + " does not exist");
    return *relation_;
}

void TrackingTable::create_if_missing(TableVersion version) {
    if (exists()) return;
    // The caller creates the table (and its schema): refused here, before anything runs, with the
    // GRANT to ask for, rather than by CREATE's bare "permission denied for schema".
    auto schema_rows = sql_.query(
        "SELECT pg_catalog.has_schema_privilege(n.oid, 'USAGE, CREATE') FROM pg_catalog.pg_namespace n "
        "WHERE n.nspname OPERATOR(pg_catalog.=) $1 UNION ALL SELECT NULL WHERE NOT EXISTS (SELECT FROM "
        "pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) $1) "
        "AND NOT pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE')",
        {SqlParam::of(schema_)});
    auto refuse = [&](const std::string& what, const std::string& grant) {
        const std::string role =
            sql_.query("SELECT pg_catalog.quote_ident(CURRENT_USER::pg_catalog.text)").at(0).at(0).value_or("");
        throw Error(ErrorKind::permission_denied,
                    "permission denied to create tracking table " + quoted_ + ": " + role + " may not create " + what,
                    {}, "As a superuser or the owner: " + grant + role + "; or create the table as its owner.");
    };
    if (!schema_rows.empty() && !schema_rows.front()[0])
        refuse("schema " + quoted_schema_, "GRANT CREATE ON DATABASE " +
                                                sql_.query("SELECT pg_catalog.quote_ident(pg_catalog.current_database())")
                                                    .at(0).at(0).value_or("") + " TO ");
    if (!schema_rows.empty() && !is_true(schema_rows.front()[0]))
        refuse("tables in schema " + quoted_schema_, "GRANT USAGE, CREATE ON SCHEMA " + quoted_schema_ + " TO ");
    if (schema_rows.empty()) sql_.query("CREATE SCHEMA IF NOT EXISTS " + quoted_schema_);
    // Drizzle's DDL (drizzle-orm pg-core dialect, migrate(): 0.x's, or 1.x's with name and
    // applied_at), with the types and now() schema-qualified so that a hostile search_path cannot
    // substitute them; the resulting table is identical. It is created by (and belongs to) the
    // caller, as with Drizzle.
    if (version == TableVersion::v1)
        sql_.query("CREATE TABLE IF NOT EXISTS " + quoted_ +
                   " (\n\tid SERIAL PRIMARY KEY,\n\thash pg_catalog.text NOT NULL,\n\tcreated_at pg_catalog.int8,"
                   "\n\tname pg_catalog.text,\n\tapplied_at pg_catalog.timestamptz DEFAULT pg_catalog.now()\n)");
    else
        sql_.query("CREATE TABLE IF NOT EXISTS " + quoted_ +
                   " (\n\tid SERIAL PRIMARY KEY,\n\thash pg_catalog.text NOT NULL,\n\tcreated_at pg_catalog.int8\n)");
    exists();
}

void TrackingTable::require_access(Access access) {
    const unsigned bit = 1u << static_cast<unsigned>(access);
    const Relation& rel = relation();
    if (checked_access_ & bit) return;
    auto rows = sql_.query(
        "SELECT pg_catalog.has_schema_privilege(c.relnamespace, 'USAGE'), "
        "pg_catalog.has_table_privilege(c.oid, 'SELECT'), pg_catalog.has_table_privilege(c.oid, 'INSERT'), "
        "pg_catalog.has_table_privilege(c.oid, 'UPDATE'), pg_catalog.quote_ident(CURRENT_USER::pg_catalog.text), "
        "pg_catalog.pg_has_role(c.relowner, 'USAGE'), "
        "pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner)::pg_catalog.text) "
        "FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) $1::pg_catalog.int8::pg_catalog.oid",
        {SqlParam::of(to_int64(rel.oid))});
    if (rows.empty()) throw std::runtime_error("tracking table " + quoted_ + " disappeared");
    const SqlRow& r = rows.front();
    const std::string role = r[4].value_or("");
    std::string needs = "USAGE on schema " + quoted_schema_ + " and SELECT";
    std::vector<std::string> missing_table;
    if (!is_true(r[1])) missing_table.push_back("SELECT");
    if (access == Access::alter) {
        // ALTER TABLE needs the owner's rights: membership in the owning role, or a superuser.
        if (is_true(r[5])) {
            checked_access_ |= bit;
            return;
        }
        const std::string owner = r[6].value_or("");
        throw Error(ErrorKind::permission_denied,
                    "permission denied to upgrade tracking table " + quoted_ + " to Drizzle 1.x's version 1: " +
                        function_name(function_) + "() must add the columns name and applied_at, which only the "
                        "table's owner " + owner + " may",
                    "A Drizzle 1.x folder needs a version-1 tracking table; drizzle-orm 1.x upgrades it the same "
                    "way the first time it migrates such a folder.",
                    "Run this first " + std::string(function_name(function_)) + "() of the Drizzle 1.x folder as " +
                        owner + " or a superuser (afterwards " + role + " needs no more than it has now), or, as a "
                        "superuser: GRANT " + owner + " TO " + role + ";");
    }
    if (access == Access::append) {
        needs += " and INSERT";
        if (!is_true(r[2])) missing_table.push_back("INSERT");
    } else if (access == Access::update) {
        needs += " and UPDATE";
        if (!is_true(r[3])) missing_table.push_back("UPDATE");
    }
    if (is_true(r[0]) && missing_table.empty()) {
        checked_access_ |= bit;
        // The same answer covers the other kinds of access it grants (apply_each checks read, then
        // append, after each lock: one query instead of two).
        if (is_true(r[1])) {
            checked_access_ |= 1u << static_cast<unsigned>(Access::read);
            if (is_true(r[2])) checked_access_ |= 1u << static_cast<unsigned>(Access::append);
            if (is_true(r[3])) checked_access_ |= 1u << static_cast<unsigned>(Access::update);
        }
        return;
    }
    std::string grants;
    if (!is_true(r[0])) grants = "GRANT USAGE ON SCHEMA " + quoted_schema_ + " TO " + role + ";";
    if (!missing_table.empty()) {
        std::string list;
        for (const auto& p : missing_table) list += (list.empty() ? "" : ", ") + p;
        grants += std::string(grants.empty() ? "" : " ") + "GRANT " + list + " ON " + quoted_ + " TO " + role + ";";
    }
    throw Error(ErrorKind::permission_denied,
                "permission denied for tracking table " + quoted_ + ": " + function_name(function_) + "() needs " +
                    needs + " on the table",
                {}, "As the table's owner or a superuser: " + grants);
}

void TrackingTable::lock(LockScope scope) {
    relation_.reset();  // what the lock protects is looked at again once it is held
    checked_access_ = 0;
    const bool session = scope == LockScope::session;
    const std::vector<SqlParam> key{SqlParam::of_int4(kLockClass), SqlParam::of(quoted_)};
    auto got = sql_.query(session ? "SELECT pg_catalog.pg_try_advisory_lock($1, pg_catalog.hashtext($2))"
                                  : "SELECT pg_catalog.pg_try_advisory_xact_lock($1, pg_catalog.hashtext($2))",
                          key);
    if (is_true(got.at(0).at(0))) return;

    // Someone else is migrating: say who, then wait (bounded by the lock_timeout option).
    const std::string holder = lock_holder();
    sql_.notice("waiting for the migration lock on " + quoted_ + ", held by " + holder);
    std::exception_ptr failure;
    try {
        sql_.query(session ? "SELECT pg_catalog.pg_advisory_lock($1, pg_catalog.hashtext($2))"
                           : "SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))",
                   key);
    } catch (...) {
        failure = std::current_exception();  // lock_timeout, cancel: say who held it
    }
    if (!failure) return;
    annotate_failure(failure, FailureNote{"The migration lock on " + quoted_ + " is held by " + holder + ".", {}, {}, {}},
                     [this](const std::exception_ptr& f, const FailureNote& note) { sql_.annotate(f, note); });
    std::rethrow_exception(failure);
}

void TrackingTable::unlock_session() {
    sql_.query("SELECT pg_catalog.pg_advisory_unlock($1, pg_catalog.hashtext($2))",
               {SqlParam::of_int4(kLockClass), SqlParam::of(quoted_)});
}

std::string TrackingTable::lock_holder() {
    auto rows = sql_.query(
        "SELECT a.pid, a.application_name, a.usename, a.client_addr, "
        "pg_catalog.to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ'), "
        "pg_catalog.round(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) "
        "a.xact_start)::pg_catalog.numeric, 1), pg_catalog.left(a.query, 120) "
        "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) l.pid "
        "WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory' AND l.granted AND l.objsubid OPERATOR(pg_catalog.=) 2 "
        "AND l.database OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database "
        "WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database()) "
        "AND l.classid::pg_catalog.int8 OPERATOR(pg_catalog.=) $1 "
        "AND l.objid::pg_catalog.int8 OPERATOR(pg_catalog.=) "
        "(pg_catalog.hashtext($2)::pg_catalog.int8 OPERATOR(pg_catalog.&) 4294967295)",
        {SqlParam::of(static_cast<std::int64_t>(kLockClass)), SqlParam::of(quoted_)});
    if (rows.empty()) return "another session (it may have just finished)";
    const auto& r = rows.front();
    auto field = [&](std::size_t i) { return r[i].value_or(""); };
    std::string out = "pid " + field(0) + " (application_name \"" + field(1) + "\", user " + field(2);
    if (r[3]) out += ", client " + field(3);
    out += ", transaction started " + field(4) + ", " + field(5) + " s ago";
    if (r[6]) out += ", running: " + field(6);
    return out + ")";
}

std::vector<SqlRow> TrackingTable::as_owner(const std::string& sql, const std::vector<SqlParam>& params) {
    const Relation rel = relation();
    std::vector<SqlRow> rows;
    sql_.as_table_owner(rel.owner, rel.oid, [&] { rows = sql_.query(sql, params); });
    return rows;
}

TrackingState TrackingTable::read_state() {
    if (!exists()) return {};
    require_access(Access::read);
    const bool named = relation_->has_name;
    TrackingState state;
    state.version = named ? TableVersion::v1 : TableVersion::v0;
    const std::string sql = std::string("SELECT id, hash, created_at") + (named ? ", \"name\"::pg_catalog.text" : "") +
                            " FROM " + quoted_ + " ORDER BY id";
    const Relation rel = relation();
    // Room for the rows as the statistics count them (growing the vector a doubling at a time was
    // a tenth of the memory a first status() of 10,000 touched).
    if (rel.estimated_rows > 0)
        state.rows.reserve(static_cast<std::size_t>(std::min<std::int64_t>(rel.estimated_rows, 1 << 20)));
    sql_.as_table_owner(rel.owner, rel.oid, [&] {
        sql_.query_each(sql, {}, [&](const SqlRow& row) { state.rows.push_back(to_tracking_row(row)); });
    });
    return state;
}

TrackingCount TrackingTable::count_rows() {
    if (!exists()) return {};
    require_access(Access::read);
    // The highest id from the primary key's index; only the count reads every row.
    auto rows = as_owner("SELECT (SELECT pg_catalog.count(*) FROM " + quoted_ + "), coalesce((SELECT id FROM " + quoted_ +
                         " WHERE id IS NOT NULL ORDER BY id DESC LIMIT 1), 0)");
    return TrackingCount{static_cast<std::size_t>(to_int64(rows.at(0)[0])), to_int64(rows.at(0)[1])};
}

std::int64_t TrackingTable::insert(const std::string& hash, std::int64_t when, const std::string& name) {
    require_access(Access::append);
    const Relation& rel = relation();
    // The columns are those of the table now (read again after every lock): a table someone
    // upgraded meanwhile still gets its name.
    std::string columns = "hash, created_at", values = "$1, $2";
    std::vector<SqlParam> params{SqlParam::of(hash), SqlParam::of(when)};
    if (rel.has_name) {
        columns += ", \"name\"";
        values += ", $3";
        params.push_back(SqlParam::of(name));
    }
    if (rel.has_applied_at) {
        columns += ", applied_at";
        values += ", pg_catalog.now()";
    }
    auto rows = as_owner("INSERT INTO " + quoted_ + " (" + columns + ") VALUES (" + values + ") RETURNING id", params);
    return to_int64(rows.at(0).at(0));
}

void TrackingTable::set_names(const std::vector<RowName>& names, bool upgrading) {
    if (names.empty()) return;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& n : names) list.push_back({{"id", n.id}, {"name", n.name}});
    as_owner("UPDATE " + quoted_ + " t SET \"name\" = m.name" + (upgrading ? ", applied_at = NULL" : "") +
                 " FROM pg_catalog.jsonb_to_recordset($1::pg_catalog.jsonb) AS m(id pg_catalog.int8, name pg_catalog.text)"
                 " WHERE t.id OPERATOR(pg_catalog.=) m.id" + (upgrading ? "" : " AND t.\"name\" IS NULL"),
             {SqlParam::of(list.dump())});
}

void TrackingTable::upgrade(const std::vector<RowName>& names) {
    require_access(Access::alter);
    require_access(Access::update);
    // drizzle-orm 1.x's two statements (up-migrations/pg.js), types and now() schema-qualified; IF
    // NOT EXISTS as there, since a drizzle-orm run does not take this lock.
    as_owner("ALTER TABLE " + quoted_ + " ADD COLUMN IF NOT EXISTS \"name\" pg_catalog.text");
    as_owner("ALTER TABLE " + quoted_ +
             " ADD COLUMN IF NOT EXISTS applied_at pg_catalog.timestamptz DEFAULT pg_catalog.now()");
    set_names(names, true);
    exists();  // now version 1
}

void TrackingTable::name_rows(const std::vector<RowName>& names) {
    require_access(Access::update);
    set_names(names, false);
}

void TrackingTable::update_hash(std::int64_t id, const std::string& hash) {
    require_access(Access::update);
    as_owner("UPDATE " + quoted_ + " SET hash = $1 WHERE id OPERATOR(pg_catalog.=) $2",
             {SqlParam::of(hash), SqlParam::of(id)});
}

}  // namespace trovella::core
