// Queries sent without waiting for their results (libpq pipeline mode), read back in order when
// flushed: a migration's statements, its tracking row and its history event cost about one
// network round trip instead of one each. Each query is its own sync point, so statement_timeout
// bounds each statement, not the batch; except in a unit (hold_sync): queries sent while it is
// held share the sync point sync() ends it with, so that when one fails the server skips the
// rest of the unit (a statement run outside a transaction and its progress record).
#pragma once

#include <string>
#include <vector>

#include "client/connection.hpp"
#include "core/sql_session.hpp"

namespace trovella::client {

class Pipeline {
public:
    explicit Pipeline(Connection& connection) : connection_(connection) {}
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    // Queues one single-statement query. `context` is added to its error (a statement's
    // "migration ..., statement i of n (line L): ..."), empty for none.
    void send(const std::string& sql, const std::vector<Param>& params, std::string context);
    // Queues the execution of the session's prepared statement `name` (PREPARE'd before).
    void send_prepared(const std::string& name, const std::vector<Param>& params, std::string context);
    bool empty() const { return queued_.empty(); }
    // Queries sent from hold_sync() until sync() form one unit with one sync point.
    void hold_sync() { holding_ = true; }
    void sync();

    // Sends what is queued, reads every result, leaves pipeline mode; throws the first error as
    // Failure (the later queries then fail as "current transaction is aborted" and are not
    // reported). Nothing is queued afterwards. `last_rows`, when given, receives the rows of the
    // last query queued (a query sent after a migration's statements: its tracking row's id).
    void flush(std::vector<core::SqlRow>* last_rows = nullptr);

private:
    PGconn* entered();  // the connection, in pipeline mode
    void queued(std::string context, bool sent);
    struct Queued {
        std::string context;
        bool synced = true;  // a sync point follows it
    };
    Connection& connection_;
    std::vector<Queued> queued_;
    bool active_ = false;
    bool holding_ = false;
};

}  // namespace trovella::client
