// The few things the tracking table and the history need from a connection to PostgreSQL: run a
// parameterized query of the project's own, run a scope as another role, say something. The
// extension implements it with SPI (src/pg/spi_session), the client engine with libpq
// (src/client/libpq_session), so the SQL, the checks and the messages around the tracking table and
// the history are written once, here.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/failure_note.hpp"

namespace trovella::core {

// One query parameter.
struct SqlParam {
    enum class Type { text, int4, int8, float8 };
    Type type = Type::text;
    std::optional<std::string> text;
    std::optional<std::int64_t> number;
    std::optional<double> real;

    static SqlParam of(std::string value) { return {Type::text, std::move(value), std::nullopt, std::nullopt}; }
    static SqlParam of(std::int64_t value) { return {Type::int8, std::nullopt, value, std::nullopt}; }
    static SqlParam of_int4(std::int32_t value) { return {Type::int4, std::nullopt, value, std::nullopt}; }
    static SqlParam of_real(double value) { return {Type::float8, std::nullopt, std::nullopt, value}; }
    static SqlParam null(Type type) { return {type, std::nullopt, std::nullopt, std::nullopt}; }
    static SqlParam of(const std::optional<std::int64_t>& value) { return value ? of(*value) : null(Type::int8); }
    static SqlParam of(const std::optional<std::string>& value) { return value ? of(*value) : null(Type::text); }
};

// A value in text form; absent = SQL NULL.
using SqlValue = std::optional<std::string>;
using SqlRow = std::vector<SqlValue>;

class SqlSession {
public:
    virtual ~SqlSession() = default;

    // Runs one query; throws the host's error. A read-only session uses the caller's snapshot
    // (status, verify: a hot standby); otherwise a query sees this run's own earlier changes.
    virtual std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlParam>& params = {}) = 0;

    // The same for a query of many rows, handed to `each` one at a time (the row is reused: copy
    // what is kept; `each` runs no query). The extension fetches them through a cursor a batch at
    // a time, so that no copy of the whole result is ever held (a status() of a long history).
    virtual void query_each(const std::string& sql, const std::vector<SqlParam>& params,
                            const std::function<void(const SqlRow&)>& each) {
        for (const SqlRow& row : query(sql, params)) each(row);
    }

    // Runs a statement whose result nobody reads (a history event): a host may send it with the
    // next query instead of now, saving a round trip; its error, if any, surfaces then.
    virtual void execute_later(const std::string& sql, const std::vector<SqlParam>& params = {}) { query(sql, params); }

    // Runs `body`, which reads or writes the table `table_oid` owned by `owner_oid`, so that code
    // attached to that table (triggers, defaults, row security) never runs with this session's
    // privileges: the extension switches to the owner under a security-restricted operation, as
    // PostgreSQL runs VACUUM on another role's table; a host that cannot switch user refuses a table
    // of another role's that has such code.
    virtual void as_table_owner(const std::string& owner_oid, const std::string& table_oid,
                                const std::function<void()>& body) = 0;

    // Runs `body` with the rights of whoever keeps the history (the extension's owner, so that a
    // role that may call apply() cannot write it directly; the client engine: itself).
    virtual void as_history_keeper(const std::function<void()>& body) = 0;

    virtual void notice(const std::string& message) = 0;

    // Adds `note` to `failure`, an error this session threw (see core/failure_note.hpp).
    virtual void annotate(const std::exception_ptr& failure, const FailureNote& note) = 0;
};

std::int64_t to_int64(const SqlValue& value);

}  // namespace trovella::core
