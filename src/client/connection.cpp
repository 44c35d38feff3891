#include "client/connection.hpp"

#include <atomic>
#include <csignal>
#include <cstring>

#include "client/failure.hpp"

namespace trovella::client {

namespace {

// The query that Ctrl-C cancels. A signal handler can only reach a global: one query at a time
// for the one target of a command. A fleet's threads each use a slot of their own instead.
std::atomic<PGcancel*> g_running_query{nullptr};
thread_local RunningQuerySlot* t_slot = nullptr;

void on_interrupt(int signal_number) {
    PGcancel* cancel = g_running_query.load();
    if (cancel == nullptr) {
        std::signal(signal_number, SIG_DFL);
        std::raise(signal_number);
        return;
    }
    char error[256];
    PQcancel(cancel, error, sizeof error);  // async-signal-safe
}

class CancelSlot {
public:
    explicit CancelSlot(PGconn* conn) : cancel_(PQgetCancel(conn)) {
        if (t_slot == nullptr) {
            g_running_query.store(cancel_);
            return;
        }
        std::lock_guard<std::mutex> hold(t_slot->mutex);
        t_slot->cancel = cancel_;
    }
    ~CancelSlot() {
        if (t_slot == nullptr) {
            g_running_query.store(nullptr);
        } else {
            std::lock_guard<std::mutex> hold(t_slot->mutex);
            t_slot->cancel = nullptr;
        }
        if (cancel_ != nullptr) PQfreeCancel(cancel_);
    }
    CancelSlot(const CancelSlot&) = delete;
    CancelSlot& operator=(const CancelSlot&) = delete;

private:
    PGcancel* cancel_;
};

std::string field(const PGresult* result, int code) {
    const char* value = PQresultErrorField(result, code);
    return value != nullptr ? value : "";
}

std::string trim_newlines(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

ServerMessage connection_lost(PGconn* conn) {
    ServerMessage lost;
    lost.severity = "FATAL";
    lost.sqlstate = "08006";  // connection_failure
    lost.message = trim_newlines(PQerrorMessage(conn));
    if (lost.message.empty()) lost.message = "the connection to the server was lost";
    return lost;
}

}  // namespace

ServerMessage message_of(const PGresult* result) {
    ServerMessage m;
    m.severity = field(result, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (m.severity.empty()) m.severity = field(result, PG_DIAG_SEVERITY);
    m.sqlstate = field(result, PG_DIAG_SQLSTATE);
    m.message = field(result, PG_DIAG_MESSAGE_PRIMARY);
    m.detail = field(result, PG_DIAG_MESSAGE_DETAIL);
    m.hint = field(result, PG_DIAG_MESSAGE_HINT);
    m.context = field(result, PG_DIAG_CONTEXT);
    return m;
}

std::optional<std::string> Result::get(int row, const char* column) const {
    int col = PQfnumber(result_.get(), column);
    if (col < 0 || row >= rows() || PQgetisnull(result_.get(), row, col)) return std::nullopt;
    return std::string(PQgetvalue(result_.get(), row, col),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row, col)));
}

std::optional<std::string> Result::at(int row, int column) const {
    if (row >= rows() || column >= columns() || PQgetisnull(result_.get(), row, column)) return std::nullopt;
    return std::string(PQgetvalue(result_.get(), row, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

long long Result::integer(int row, const char* column) const {
    auto value = get(row, column);
    return value ? std::stoll(*value) : 0;
}

Connection::Connection(const ConnectionSource& source, NoticeHandler on_notice) : on_notice_(std::move(on_notice)) {
    std::vector<const char*> keys, values;
    if (!source.conninfo.empty()) {
        keys.push_back("dbname");  // expanded: a URL or key=value string
        values.push_back(source.conninfo.c_str());
    }
    keys.push_back("client_encoding");
    values.push_back("UTF8");
    keys.push_back("fallback_application_name");
    values.push_back("trovella-migrate");
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keys.data(), values.data(), 1);
    if (conn_ == nullptr) throw Failure(ExitCode::cannot_connect, "out of memory allocating a libpq connection");
    if (PQstatus(conn_) != CONNECTION_OK) {
        ServerMessage error;
        error.severity = "FATAL";
        error.sqlstate = "08001";  // sqlclient_unable_to_establish_sqlconnection
        error.message = trim_newlines(PQerrorMessage(conn_));
        bool needs_password = PQconnectionNeedsPassword(conn_) != 0;
        PQfinish(conn_);
        conn_ = nullptr;
        Failure failure(std::move(error));
        if (needs_password)
            failure.add_hint(
                "The server asks for a password and none was given: put it in the URL, PGPASSWORD or ~/.pgpass.");
        throw failure;
    }
    PQsetNoticeReceiver(conn_, &Connection::receive_notice, this);
}

Connection::~Connection() {
    if (conn_ != nullptr) PQfinish(conn_);
}

void Connection::receive_notice(void* self, const PGresult* result) {
    auto* connection = static_cast<Connection*>(self);
    if (connection->on_notice_) connection->on_notice_(message_of(result));
}

Result Connection::exec(const std::string& sql, const std::vector<Param>& params) {
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    std::vector<Oid> types;
    for (const auto& p : params) {
        values.push_back(p.data);
        lengths.push_back(p.length);
        formats.push_back(p.binary ? 1 : 0);
        types.push_back(p.type);
    }
    PGresult* raw = nullptr;
    {
        CancelSlot cancel(conn_);
        raw = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), types.data(), values.data(),
                           lengths.data(), formats.data(), 0);
    }
    Result result(raw);
    auto status = raw != nullptr ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return result;
    ServerMessage error = raw != nullptr ? message_of(raw) : ServerMessage{};
    if (error.sqlstate.empty() && PQstatus(conn_) == CONNECTION_BAD) error = connection_lost(conn_);
    if (error.message.empty()) error.message = trim_newlines(PQerrorMessage(conn_));
    if (error.severity.empty()) error.severity = "ERROR";
    throw Failure(std::move(error));
}

void Connection::cancellable(const std::function<void()>& wait) {
    CancelSlot cancel(conn_);
    wait();
}

std::string Connection::described() const {
    std::string host = PQhost(conn_) != nullptr ? PQhost(conn_) : "";
    return std::string(PQuser(conn_)) + "@" + host + ":" + PQport(conn_) + "/" + PQdb(conn_);
}

void use_running_query_slot(RunningQuerySlot* slot) { t_slot = slot; }

void install_cancel_on_interrupt() {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
}

}  // namespace trovella::client
