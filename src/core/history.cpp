#include "core/history.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

History::History(SqlSession& sql, const TrackingTable& tracking, Function function, std::string schema)
    : sql_(sql), tracking_(tracking), function_(function), schema_(std::move(schema)) {
    caller_ = sql_.query("SELECT CURRENT_USER::pg_catalog.text").at(0).at(0).value_or("");
}

std::int64_t History::run_id() {
    if (run_id_) return *run_id_;
    sql_.as_history_keeper([&] {
        run_id_ = to_int64(sql_.query("INSERT INTO " + schema_ +
                                          ".run (function, run_by, tracking_schema, tracking_table) "
                                          "VALUES ($1, $2, $3, $4) RETURNING run_id",
                                      {SqlParam::of(std::string(function_name(function_))), SqlParam::of(caller_),
                                       SqlParam::of(tracking_.schema()), SqlParam::of(tracking_.table())})
                               .at(0)
                               .at(0));
    });
    return *run_id_;
}

namespace {

// The most events held back before they are written (one INSERT each batch).
constexpr std::size_t kHeldEventsMax = 250;

// Now, as timestamptz text in UTC with microseconds (the host's clock_timestamp() reads the same
// clock).
std::string now_utc() {
    const auto now = std::chrono::system_clock::now();
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros % 1000000));
    return out;
}

}  // namespace

void History::record(const HistoryEvent& e) {
    if (hold_) {
        run_id();
        held_.emplace_back(e, now_utc());
        if (held_.size() >= kHeldEventsMax) flush();  // a long history: in batches, not all at the end
        return;
    }
    const std::int64_t run = run_id();
    sql_.as_history_keeper([&] {
        sql_.execute_later("INSERT INTO " + schema_ +
                       ".migration_event (run_id, action, tracking_schema, tracking_table, tracking_id, tag, idx, hash, "
                       "previous_hash, created_at, statements, applied_by, duration_ms) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                   {SqlParam::of(run), SqlParam::of(std::string(e.action)), SqlParam::of(tracking_.schema()),
                    SqlParam::of(tracking_.table()), SqlParam::of(e.tracking_id), SqlParam::of(e.tag),
                    SqlParam::of(e.idx), SqlParam::of(e.hash), SqlParam::of(e.previous_hash), SqlParam::of(e.created_at),
                    SqlParam::of(e.statements), SqlParam::of(caller_),
                    e.duration_ms ? SqlParam::of_real(*e.duration_ms) : SqlParam::null(SqlParam::Type::float8)});
    });
}

void History::flush() {
    if (held_.empty()) return;
    if (held_.size() == 1) {  // apply_each: one event per commit, written as record() writes it
        const HistoryEvent e = std::move(held_.front().first);
        const std::string at = std::move(held_.front().second);
        held_.clear();
        sql_.as_history_keeper([&] {
            sql_.query("INSERT INTO " + schema_ +
                           ".migration_event (run_id, action, tracking_schema, tracking_table, tracking_id, tag, idx, "
                           "hash, previous_hash, created_at, statements, applied_by, duration_ms, applied_at) "
                           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::pg_catalog.timestamptz)",
                       {SqlParam::of(*run_id_), SqlParam::of(std::string(e.action)), SqlParam::of(tracking_.schema()),
                        SqlParam::of(tracking_.table()), SqlParam::of(e.tracking_id), SqlParam::of(e.tag),
                        SqlParam::of(e.idx), SqlParam::of(e.hash), SqlParam::of(e.previous_hash),
                        SqlParam::of(e.created_at), SqlParam::of(e.statements), SqlParam::of(caller_),
                        e.duration_ms ? SqlParam::of_real(*e.duration_ms) : SqlParam::null(SqlParam::Type::float8),
                        SqlParam::of(at)});
        });
        return;
    }
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& [e, at] : held_) {
        nlohmann::json row = {{"action", e.action}, {"tag", e.tag}, {"hash", e.hash}, {"created_at", e.created_at},
                              {"applied_at", at}};
        if (e.tracking_id) row["tracking_id"] = *e.tracking_id;
        if (e.idx) row["idx"] = *e.idx;
        if (e.previous_hash) row["previous_hash"] = *e.previous_hash;
        if (e.statements) row["statements"] = *e.statements;
        if (e.duration_ms) row["duration_ms"] = *e.duration_ms;
        rows.push_back(std::move(row));
    }
    std::string events = rows.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    held_.clear();
    sql_.as_history_keeper([&] {
        sql_.query("INSERT INTO " + schema_ +
                       ".migration_event (run_id, action, tracking_schema, tracking_table, tracking_id, tag, idx, hash, "
                       "previous_hash, created_at, statements, applied_by, duration_ms, applied_at) "
                       "SELECT $1, e.action, $2, $3, e.tracking_id, e.tag, e.idx, e.hash, e.previous_hash, e.created_at, "
                       "e.statements, $4, e.duration_ms, e.applied_at "
                       "FROM ROWS FROM (pg_catalog.jsonb_to_recordset($5::pg_catalog.jsonb) AS (action pg_catalog.text, "
                       "tracking_id pg_catalog.int8, tag pg_catalog.text, idx pg_catalog.int4, hash pg_catalog.text, "
                       "previous_hash pg_catalog.text, created_at pg_catalog.int8, statements pg_catalog.int4, "
                       "duration_ms pg_catalog.float8, applied_at pg_catalog.timestamptz)) WITH ORDINALITY "
                       "AS e(action, tracking_id, tag, idx, hash, previous_hash, created_at, statements, duration_ms, "
                       "applied_at, n) ORDER BY e.n",
                   {SqlParam::of(*run_id_), SqlParam::of(tracking_.schema()), SqlParam::of(tracking_.table()),
                    SqlParam::of(caller_), SqlParam::of(events)});
    });
}

void History::finish_run() {
    flush();
    if (!run_id_) return;
    sql_.as_history_keeper([&] {
        sql_.execute_later("UPDATE " + schema_ +
                       ".run SET finished_at = pg_catalog.clock_timestamp() WHERE run_id OPERATOR(pg_catalog.=) $1",
                   {SqlParam::of(*run_id_)});
    });
}

std::map<std::int64_t, KnownRow> History::known_rows() {
    flush();
    // Rows: tracking_id, tag, idx, hash, created_at, action, applied_at.
    auto known_row = [](const SqlRow& row) {
        KnownRow known{row[1].value_or(""), std::nullopt, row[3].value_or(""), to_int64(row[4]), row[5].value_or(""),
                       row[6].value_or("")};
        if (row[2]) known.idx = to_int64(row[2]);
        return known;
    };
    const std::string where = " FROM " + schema_ + ".migration_event WHERE tracking_schema OPERATOR(pg_catalog.=) $1 "
                              "AND tracking_table OPERATOR(pg_catalog.=) $2 AND tracking_id IS NOT NULL";
    std::map<std::int64_t, KnownRow> out;
    std::string repeated;  // ids with more than one event, comma separated
    sql_.as_history_keeper([&] {
        // Most rows have one event: read them unsorted (sorting every event by row and time was a
        // quarter of a status() of 10,000), and only the ids with several get the latest picked.
        sql_.query_each("SELECT tracking_id, tag, idx, hash, created_at, action, applied_at" + where,
                        {SqlParam::of(tracking_.schema()), SqlParam::of(tracking_.table())}, [&](const SqlRow& row) {
                            auto [it, added] = out.try_emplace(to_int64(row[0]));
                            if (added) {
                                it->second = known_row(row);
                                return;
                            }
                            if (!repeated.empty()) repeated += ',';
                            repeated += *row[0];
                        });
        if (repeated.empty()) return;
        sql_.query_each(
            "SELECT DISTINCT ON (tracking_id) tracking_id, tag, idx, hash, created_at, action, applied_at" + where +
                " AND tracking_id OPERATOR(pg_catalog.=) ANY (pg_catalog.string_to_array($3, ',')::pg_catalog.int8[]) "
                // The latest in time: events the extension adopts from the client engine come in after its own.
                "ORDER BY tracking_id, applied_at DESC, event_id DESC",
            {SqlParam::of(tracking_.schema()), SqlParam::of(tracking_.table()), SqlParam::of(repeated)},
            [&](const SqlRow& row) { out[to_int64(row[0])] = known_row(row); });
    });
    return out;
}

PartialProgress History::partial_migrations() {
    flush();
    PartialProgress out;
    sql_.as_history_keeper([&] {
        // The latest record of each migration (created_at and tag), oldest first.
        sql_.query_each(
            "SELECT created_at, tag, hash, statements FROM (SELECT DISTINCT ON (created_at, tag) created_at, tag, hash, "
            "statements, applied_at, event_id FROM " + schema_ + ".migration_event "
            "WHERE action OPERATOR(pg_catalog.=) 'partial' AND tracking_schema OPERATOR(pg_catalog.=) $1 "
            "AND tracking_table OPERATOR(pg_catalog.=) $2 AND statements IS NOT NULL "
            "ORDER BY created_at, tag, applied_at DESC, event_id DESC) p ORDER BY applied_at, event_id",
            {SqlParam::of(tracking_.schema()), SqlParam::of(tracking_.table())}, [&](const SqlRow& row) {
                out.add(to_int64(row[0]), row[1].value_or(""), Progress{row[2].value_or(""), to_int64(row[3])});
            });
    });
    return out;
}

}  // namespace trovella::core
