#include "pg/history.hpp"

#include "pg/last_run.hpp"
#include "pg/switch_user.hpp"

namespace trovella::pg {

namespace {

Param optional_int(const std::optional<std::int64_t>& v) { return v ? Param::of(*v) : Param::null(INT8OID); }

}  // namespace

History::History(SpiConnection& spi, const TrackingTable& tracking, core::Function function)
    : spi_(spi), tracking_(tracking), function_(function) {
    auto owner = spi_.query_value(
        "SELECT e.extowner::pg_catalog.int8 FROM pg_catalog.pg_extension e "
        "WHERE e.extname OPERATOR(pg_catalog.=) 'trovella_migrate'",
        {}, true);
    owner_ = static_cast<Oid>(to_int64(owner));
    const char* name = pg_call([] { return GetUserNameFromId(GetUserId(), false); });
    caller_ = name;
}

std::int64_t History::run_id() {
    if (run_id_) return *run_id_;
    SwitchUser as_owner(owner_, SwitchUser::Mode::bookkeeping);
    run_id_ = to_int64(spi_.query_value(
        "INSERT INTO trovella_migrate.run (function, run_by, tracking_schema, tracking_table) "
        "VALUES ($1, $2, $3, $4) RETURNING run_id",
        {Param::of(std::string(core::function_name(function_))), Param::of(caller_), Param::of(tracking_.schema()),
         Param::of(tracking_.table())}));
    last_run().run_id = run_id_;
    return *run_id_;
}

void History::record(const core::HistoryEvent& e) {
    std::int64_t run = run_id();
    {
        SwitchUser as_owner(owner_, SwitchUser::Mode::bookkeeping);
        spi_.query(
            "INSERT INTO trovella_migrate.migration_event (run_id, action, tracking_schema, tracking_table, "
            "tracking_id, tag, idx, hash, previous_hash, created_at, statements, applied_by, duration_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            {Param::of(run), Param::of(std::string(e.action)), Param::of(tracking_.schema()),
             Param::of(tracking_.table()), optional_int(e.tracking_id), Param::of(e.tag), optional_int(e.idx),
             Param::of(e.hash), e.previous_hash ? Param::of(*e.previous_hash) : Param::null(TEXTOID),
             Param::of(e.created_at), optional_int(e.statements), Param::of(caller_),
             e.duration_ms ? Param::of_real(*e.duration_ms) : Param::null(FLOAT8OID)});
    }
    last_run().entries.push_back({e.action, e.tag, e.idx, e.statements, e.duration_ms, std::nullopt});
}

void History::finish_run() {
    if (!run_id_) return;
    SwitchUser as_owner(owner_, SwitchUser::Mode::bookkeeping);
    spi_.query("UPDATE trovella_migrate.run SET finished_at = pg_catalog.clock_timestamp() "
               "WHERE run_id OPERATOR(pg_catalog.=) $1",
               {Param::of(*run_id_)});
}

std::map<std::int64_t, core::KnownRow> History::known_rows(bool read_only) {
    std::vector<Row> rows;
    {
        SwitchUser as_owner(owner_, SwitchUser::Mode::bookkeeping);
        rows = spi_.query(
            "SELECT DISTINCT ON (tracking_id) tracking_id, tag, idx, hash, created_at, action, applied_at "
            "FROM trovella_migrate.migration_event "
            "WHERE tracking_schema OPERATOR(pg_catalog.=) $1 AND tracking_table OPERATOR(pg_catalog.=) $2 "
            "AND tracking_id IS NOT NULL ORDER BY tracking_id, event_id DESC",
            {Param::of(tracking_.schema()), Param::of(tracking_.table())}, read_only);
    }
    std::map<std::int64_t, core::KnownRow> out;
    for (auto& row : rows) {
        core::KnownRow known{row[1].value_or(""), std::nullopt, row[3].value_or(""), to_int64(row[4]), row[5].value_or(""),
                       row[6].value_or("")};
        if (row[2]) known.idx = to_int64(row[2]);
        out.emplace(to_int64(row[0]), std::move(known));
    }
    return out;
}

}  // namespace trovella::pg
