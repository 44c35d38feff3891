// Every way a command stops early: an exception carrying the exit code, the error fields (from
// the server, or filled in by the client) and the client's own summary and hint.
#pragma once

#include <stdexcept>
#include <string>

#include "client/exit_codes.hpp"
#include "client/server_message.hpp"

namespace trovella::client {

class Failure : public std::runtime_error {
public:
    // A database error: the exit code comes from classify().
    explicit Failure(ServerMessage error)
        : std::runtime_error(error.message), code_(classify(error)), error_(std::move(error)), from_server_(true) {}

    // A problem the client found itself (no SQLSTATE): the caller picks the exit code.
    Failure(ExitCode code, std::string message, std::string hint = {})
        : std::runtime_error(message), code_(code), from_server_(false) {
        error_.message = std::move(message);
        error_.hint = std::move(hint);
    }

    // A condition the client detected itself, given the SQLSTATE the server would use for it
    // (a read-only session: 25006): classified like a database error, printed as the client's.
    static Failure client_found(ServerMessage error) {
        Failure failure(std::move(error));
        failure.from_server_ = false;
        return failure;
    }

    ExitCode code() const noexcept { return code_; }
    const ServerMessage& error() const noexcept { return error_; }
    bool from_server() const noexcept { return from_server_; }

    // The client's one-line explanation (printed as "trovella-migrate: <summary>") and hint.
    const std::string& summary() const noexcept { return summary_; }
    const std::string& client_hint() const noexcept { return client_hint_; }
    Failure& explain(std::string summary, std::string hint = {}) {
        summary_ = std::move(summary);
        if (!hint.empty()) client_hint_ = std::move(hint);
        return *this;
    }
    Failure& add_hint(const std::string& hint) {
        client_hint_ += (client_hint_.empty() ? "" : "\n") + hint;
        return *this;
    }
    // A line more of the error's own DETAIL, HINT or CONTEXT (the core adds what it knows as the
    // error passes: who holds the lock, what committed, which statement).
    Failure& add_error_detail(const std::string& line) { return append(error_.detail, line); }
    Failure& add_error_hint(const std::string& line) { return append(error_.hint, line); }
    Failure& add_error_context(const std::string& line) { return append(error_.context, line); }
    // The run had committed part of its work when it failed (it left its transaction to run a
    // migration that cannot run in one): "nothing was applied" would be wrong.
    bool partly_committed() const noexcept { return partly_committed_; }
    Failure& set_partly_committed() {
        partly_committed_ = true;
        return *this;
    }

private:
    Failure& append(std::string& field, const std::string& line) {
        if (!line.empty()) field += (field.empty() ? "" : "\n") + line;
        code_ = from_server_ ? classify(error_) : code_;
        return *this;
    }

    ExitCode code_;
    ServerMessage error_;
    bool from_server_;
    std::string summary_;
    std::string client_hint_;
    bool partly_committed_ = false;
};

inline Failure usage_error(std::string message) {
    return Failure(ExitCode::usage, std::move(message),
                   "Run 'trovella-migrate --help' for the commands, options and exit codes.");
}

}  // namespace trovella::client
