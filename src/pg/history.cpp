#include "pg/history.hpp"

namespace trovella::pg {

namespace {

// Runs the extension's bookkeeping as the extension owner; restores the caller on every path.
class AsOwner {
public:
    explicit AsOwner(Oid owner) {
        GetUserIdAndSecContext(&saved_user_, &saved_context_);
        SetUserIdAndSecContext(owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
    }
    ~AsOwner() { SetUserIdAndSecContext(saved_user_, saved_context_); }
    AsOwner(const AsOwner&) = delete;
    AsOwner& operator=(const AsOwner&) = delete;

private:
    Oid saved_user_ = InvalidOid;
    int saved_context_ = 0;
};

Param optional_int(const std::optional<std::int64_t>& v) { return v ? Param::of(*v) : Param::null(INT8OID); }

}  // namespace

History::History(SpiConnection& spi, const TrackingTable& tracking) : spi_(spi), tracking_(tracking) {
    auto owner = spi_.query_value(
        "SELECT e.extowner::pg_catalog.int8 FROM pg_catalog.pg_extension e "
        "WHERE e.extname OPERATOR(pg_catalog.=) 'trovella_migrate'",
        {}, true);
    owner_ = static_cast<Oid>(to_int64(owner));
    const char* name = pg_call([] { return GetUserNameFromId(GetUserId(), false); });
    caller_ = name;
}

std::int64_t History::run_id(const char* function) {
    if (run_id_) return *run_id_;
    AsOwner as_owner(owner_);
    run_id_ = to_int64(spi_.query_value(
        "INSERT INTO trovella_migrate.run (function, run_by, tracking_schema, tracking_table) "
        "VALUES ($1, $2, $3, $4) RETURNING run_id",
        {Param::of(std::string(function)), Param::of(caller_), Param::of(tracking_.schema()),
         Param::of(tracking_.table())}));
    return *run_id_;
}

void History::record(const char* function, const Event& e) {
    std::int64_t run = run_id(function);
    AsOwner as_owner(owner_);
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

void History::finish_run() {
    if (!run_id_) return;
    AsOwner as_owner(owner_);
    spi_.query("UPDATE trovella_migrate.run SET finished_at = pg_catalog.clock_timestamp() "
               "WHERE run_id OPERATOR(pg_catalog.=) $1",
               {Param::of(*run_id_)});
}

std::map<std::int64_t, std::string> History::applied_at(bool read_only) {
    AsOwner as_owner(owner_);
    auto rows = spi_.query(
        "SELECT DISTINCT ON (tracking_id) tracking_id, applied_at FROM trovella_migrate.migration_event "
        "WHERE tracking_schema OPERATOR(pg_catalog.=) $1 AND tracking_table OPERATOR(pg_catalog.=) $2 "
        "AND tracking_id IS NOT NULL AND action OPERATOR(pg_catalog.<>) 'adopted' "
        "ORDER BY tracking_id, event_id DESC",
        {Param::of(tracking_.schema()), Param::of(tracking_.table())}, read_only);
    std::map<std::int64_t, std::string> out;
    for (auto& row : rows)
        if (row[1]) out.emplace(to_int64(row[0]), *row[1]);
    return out;
}

std::map<std::int64_t, bool> History::known_rows() {
    AsOwner as_owner(owner_);
    auto rows = spi_.query(
        "SELECT DISTINCT tracking_id FROM trovella_migrate.migration_event "
        "WHERE tracking_schema OPERATOR(pg_catalog.=) $1 AND tracking_table OPERATOR(pg_catalog.=) $2 "
        "AND tracking_id IS NOT NULL",
        {Param::of(tracking_.schema()), Param::of(tracking_.table())});
    std::map<std::int64_t, bool> out;
    for (auto& row : rows) out.emplace(to_int64(row[0]), true);
    return out;
}

}  // namespace trovella::pg
