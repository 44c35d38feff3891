// libpq, wrapped: one connection (RAII), queries with parameters (text or binary), results, and
// errors and notices read from libpq's fields (PQresultErrorField) through a notice receiver.
#pragma once

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/conninfo.hpp"
#include "client/server_message.hpp"

namespace trovella::client {

// One query parameter. Text parameters must stay alive (and NUL-terminated) until the query is
// sent; binary ones are sent as they are, length-prefixed by libpq: no escaping, any bytes.
struct Param {
    const char* data = nullptr;  // nullptr: SQL NULL
    int length = 0;
    bool binary = false;
    Oid type = 0;  // 0: let the server infer it from the query's cast

    static Param text(const std::string& value) { return {value.c_str(), 0, false, 0}; }
    static Param null() { return {}; }
    static Param bytes(std::string_view value, Oid type) {
        return {value.data(), static_cast<int>(value.size()), true, type};
    }
};

// The fields of an error or notice result.
ServerMessage message_of(const PGresult* result);

class Result {
public:
    explicit Result(PGresult* result) : result_(result, &PQclear) {}
    int rows() const { return PQntuples(result_.get()); }
    bool has_column(const char* name) const { return PQfnumber(result_.get(), name) >= 0; }
    // The value in text form; nothing for SQL NULL or a column the result lacks.
    std::optional<std::string> get(int row, const char* column) const;
    std::string text(int row, const char* column) const { return get(row, column).value_or(""); }
    long long integer(int row, const char* column) const;
    bool boolean(int row, const char* column) const { return text(row, column) == "t"; }
    int columns() const { return PQnfields(result_.get()); }
    std::optional<std::string> at(int row, int column) const;

private:
    std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

class Connection {
public:
    using NoticeHandler = std::function<void(const ServerMessage&)>;

    // Connects (client_encoding UTF8, application_name trovella-migrate unless PGAPPNAME says
    // otherwise). Throws Failure: exit 3, SQLSTATE 08001 and libpq's reason.
    Connection(const ConnectionSource& source, NoticeHandler on_notice);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one statement; a database error (or a lost connection, 08006) is thrown as Failure.
    // While it runs, SIGINT cancels it (see install_cancel_on_interrupt).
    Result exec(const std::string& sql, const std::vector<Param>& params = {});

    void set_notice_handler(NoticeHandler on_notice) { on_notice_ = std::move(on_notice); }

    // The target as connected: user@host:port/dbname.
    std::string described() const;

    // For pipeline mode (client/pipeline.hpp), which drives libpq directly: the connection, and
    // `wait` run so that Ctrl-C cancels what the server is doing meanwhile.
    PGconn* raw() const { return conn_; }
    void cancellable(const std::function<void()>& wait);

private:
    static void receive_notice(void* self, const PGresult* result);
    PGconn* conn_ = nullptr;
    NoticeHandler on_notice_;
};

// Ctrl-C while a query runs sends PostgreSQL a cancel request (the transaction rolls back and the
// error is reported as usual); otherwise it ends the program as usual.
void install_cancel_on_interrupt();

// A fleet runs targets on several threads: each thread keeps the cancel handle of the query it is
// running in a slot of its own, which the fleet's signal thread reads to cancel them all
// (client/fleet.cpp). A thread without a slot uses the process-wide one that Ctrl-C reads.
struct RunningQuerySlot {
    std::mutex mutex;
    PGcancel* cancel = nullptr;  // while a query runs
};
void use_running_query_slot(RunningQuerySlot* slot);  // for the calling thread; nullptr: none

}  // namespace trovella::client
