// Queries sent without waiting for their results (libpq pipeline mode), read back in order when
// flushed: a migration's statements, its tracking row and its history event cost about one
// network round trip instead of one each. Each query is its own sync point, so statement_timeout
// bounds each statement, not the batch.
#pragma once

#include <string>
#include <vector>

#include "client/connection.hpp"

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
    bool empty() const { return queued_.empty(); }

    // Sends what is queued, reads every result, leaves pipeline mode; throws the first error as
    // Failure (the later queries then fail as "current transaction is aborted" and are not
    // reported). Nothing is queued afterwards.
    void flush();

private:
    struct Queued {
        std::string context;
    };
    Connection& connection_;
    std::vector<Queued> queued_;
    bool active_ = false;
};

}  // namespace trovella::client
