// core::SqlSession over libpq, for the client engine: the tracking table's and the history's SQL
// (written once in the core), queries with parameters, history events and migration statements
// queued in a pipeline and sent together with the next query that needs an answer.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "client/connection.hpp"
#include "client/pipeline.hpp"
#include "core/sql_session.hpp"

namespace trovella::client {

class LibpqSession : public core::SqlSession {
public:
    using NoticeSink = std::function<void(const std::string&)>;
    LibpqSession(Connection& connection, NoticeSink notice) : connection_(connection), pipeline_(connection),
                                                              notice_(std::move(notice)) {}

    std::vector<core::SqlRow> query(const std::string& sql, const std::vector<core::SqlParam>& params = {}) override;
    void execute_later(const std::string& sql, const std::vector<core::SqlParam>& params = {}) override;
    // The same for a statement this session PREPAREd (no parse and plan at each call).
    void execute_prepared_later(const std::string& name, const std::vector<core::SqlParam>& params);
    // A migration statement, queued; `context` names it in its error.
    void execute_statement(const std::string& sql, const std::string& context);
    // Sends what is queued and waits for it (before a commit, or when a run ends).
    void flush() { pipeline_.flush(); }
    // The next query() goes into the pipeline behind what is queued (a migration's statements)
    // and is read back with them: one round trip for both. Only inside a transaction block, where
    // a statement that fails makes the query fail too.
    void pipeline_next_query() { pipeline_next_ = true; }
    // What is queued between begin_unit() and end_unit() shares one sync point (Pipeline::hold_sync).
    void begin_unit() { pipeline_.hold_sync(); }
    void end_unit() { pipeline_.sync(); }

    void as_table_owner(const std::string& owner_oid, const std::string& table_oid,
                        const std::function<void()>& body) override;
    void as_history_keeper(const std::function<void()>& body) override { body(); }
    void notice(const std::string& message) override { notice_(message); }
    void annotate(const std::exception_ptr& failure, const core::FailureNote& note) override;

private:
    Connection& connection_;
    Pipeline pipeline_;
    bool pipeline_next_ = false;
    NoticeSink notice_;
    std::map<std::string, bool> table_checked_;  // table oid -> may be used as this role
};

}  // namespace trovella::client
