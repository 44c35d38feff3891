#include "client/pipeline.hpp"

#include <optional>

#include "client/failure.hpp"

namespace trovella::client {

namespace {

std::string libpq_error(PGconn* conn) {
    std::string text = PQerrorMessage(conn);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

Failure connection_failure(PGconn* conn, const char* what) {
    ServerMessage error;
    error.severity = "FATAL";
    error.sqlstate = PQstatus(conn) == CONNECTION_BAD ? "08006" : "08000";
    error.message = std::string(what) + ": " + libpq_error(conn);
    return Failure(std::move(error));
}

}  // namespace

Pipeline::~Pipeline() {
    if (!active_) return;
    // Left by an exception: drain what the server still sends, then leave pipeline mode, so the
    // connection can roll back.
    PGconn* conn = connection_.raw();
    while (PQpipelineStatus(conn) != PQ_PIPELINE_OFF) {
        PGresult* r = PQgetResult(conn);
        if (r == nullptr) {
            if (PQexitPipelineMode(conn) == 1 || PQstatus(conn) == CONNECTION_BAD) break;
            continue;
        }
        PQclear(r);
    }
}

namespace {

// libpq's parallel arrays of one query's parameters.
struct ParamArrays {
    explicit ParamArrays(const std::vector<Param>& params) {
        for (const auto& p : params) {
            values.push_back(p.data);
            lengths.push_back(p.length);
            formats.push_back(p.binary ? 1 : 0);
            types.push_back(p.type);
        }
    }
    int count() const { return static_cast<int>(values.size()); }
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    std::vector<Oid> types;
};

}  // namespace

PGconn* Pipeline::entered() {
    PGconn* conn = connection_.raw();
    if (!active_) {
        if (PQenterPipelineMode(conn) != 1) throw connection_failure(conn, "cannot enter pipeline mode");
        active_ = true;
    }
    return conn;
}

void Pipeline::send(const std::string& sql, const std::vector<Param>& params, std::string context) {
    PGconn* conn = entered();
    const ParamArrays p(params);
    queued(std::move(context), PQsendQueryParams(conn, sql.c_str(), p.count(), p.types.data(), p.values.data(),
                                                 p.lengths.data(), p.formats.data(), 0) == 1);
}

void Pipeline::send_prepared(const std::string& name, const std::vector<Param>& params, std::string context) {
    PGconn* conn = entered();
    const ParamArrays p(params);
    queued(std::move(context), PQsendQueryPrepared(conn, name.c_str(), p.count(), p.values.data(), p.lengths.data(),
                                                   p.formats.data(), 0) == 1);
}

void Pipeline::queued(std::string context, bool sent) {
    PGconn* conn = connection_.raw();
    if (!sent || (!holding_ && PQpipelineSync(conn) != 1)) throw connection_failure(conn, "cannot send a query");
    queued_.push_back({std::move(context), !holding_});
}

void Pipeline::sync() {
    holding_ = false;
    if (queued_.empty() || queued_.back().synced) return;
    if (PQpipelineSync(connection_.raw()) != 1) throw connection_failure(connection_.raw(), "cannot send a query");
    queued_.back().synced = true;
}

void Pipeline::flush(std::vector<core::SqlRow>* last_rows) {
    if (!active_) return;
    sync();
    PGconn* conn = connection_.raw();
    std::optional<Failure> first;
    connection_.cancellable([&] {
        for (std::size_t i = 0; i < queued_.size(); ++i) {
            const Queued& queued = queued_[i];
            // The query's results, then its sync point.
            for (PGresult* r = PQgetResult(conn); r != nullptr; r = PQgetResult(conn)) {
                const ExecStatusType status = PQresultStatus(r);
                if (status == PGRES_TUPLES_OK && last_rows != nullptr && i + 1 == queued_.size()) {
                    last_rows->assign(static_cast<std::size_t>(PQntuples(r)), core::SqlRow{});
                    for (int row = 0; row < PQntuples(r); ++row)
                        for (int c = 0; c < PQnfields(r); ++c)
                            (*last_rows)[static_cast<std::size_t>(row)].push_back(
                                PQgetisnull(r, row, c) ? core::SqlValue{} : core::SqlValue{PQgetvalue(r, row, c)});
                }
                if (status == PGRES_FATAL_ERROR && !first) {
                    Failure failure(message_of(r));
                    failure.add_error_context(queued.context);
                    first = std::move(failure);
                }
                PQclear(r);
                if (PQstatus(conn) == CONNECTION_BAD) break;
            }
            if (!queued.synced) continue;  // the next query of its unit follows
            PGresult* sync = PQgetResult(conn);
            if (sync == nullptr || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) {
                if (sync != nullptr) PQclear(sync);
                if (!first) first = connection_failure(conn, "the connection was lost while migrating");
                break;
            }
            PQclear(sync);
        }
    });
    queued_.clear();
    if (PQstatus(conn) != CONNECTION_BAD && PQexitPipelineMode(conn) == 1) active_ = false;
    if (first) throw *first;
    if (active_) throw connection_failure(conn, "cannot leave pipeline mode");
}

}  // namespace trovella::client
