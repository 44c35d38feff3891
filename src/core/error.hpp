// The one exception type of the core. The glue turns it into a PostgreSQL ERROR; `kind` picks
// the SQLSTATE there, so the core never needs PostgreSQL's error codes.
#pragma once

#include <stdexcept>
#include <string>

namespace trovella::core {

// Distinct causes, distinct SQLSTATEs (DESIGN section 8): a client decides what to tell the user
// from the SQLSTATE alone.
enum class ErrorKind {
    invalid_input,      // a bad argument: journal, migration texts, options (22023)
    refused,            // the history disagrees with the journal: apply may not proceed (55000)
    unsupported,        // a statement that cannot run through SPI (0A000)
    verify_failed,      // layer 1 or layer 2 verification found a difference (22000)
    read_only,          // this session cannot write: read-only transaction, hot standby (25006)
    transaction_state,  // this session cannot migrate at its isolation level (25000)
    transaction_block,  // a committing call inside a transaction block (25001)
    permission_denied,  // the caller lacks a privilege; the hint gives the GRANT (42501)
    wrong_object_type,  // the tracking table is not an ordinary permanent table (42809)
};

// The SQLSTATE of each kind, as text (the extension's guard raises the same codes; the client
// reports an input error it finds itself with the code the extension would give it).
inline const char* sqlstate_of(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid_input: return "22023";  // invalid_parameter_value
        case ErrorKind::refused: return "55000";        // object_not_in_prerequisite_state
        case ErrorKind::unsupported: return "0A000";    // feature_not_supported
        case ErrorKind::verify_failed: return "22000";  // data_exception
        case ErrorKind::read_only: return "25006";      // read_only_sql_transaction
        case ErrorKind::transaction_state: return "25000";  // invalid_transaction_state
        case ErrorKind::transaction_block: return "25001";  // active_sql_transaction
        case ErrorKind::permission_denied: return "42501";  // insufficient_privilege
        case ErrorKind::wrong_object_type: return "42809";  // wrong_object_type
    }
    return "XX000";
}

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, std::string message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(message), kind_(kind), detail_(std::move(detail)), hint_(std::move(hint)) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& hint() const noexcept { return hint_; }

    // The CONTEXT line of an error about one statement of a migration (statement_context()).
    const std::string& context() const noexcept { return context_; }
    Error& with_context(std::string context) {
        context_ = std::move(context);
        return *this;
    }

    // A line more of DETAIL or HINT, added as the error passes through a run (empty: nothing).
    void add_detail(const std::string& line) { append(detail_, line); }
    void add_hint(const std::string& line) { append(hint_, line); }

private:
    static void append(std::string& field, const std::string& line) {
        if (line.empty()) return;
        field += (field.empty() ? "" : "\n") + line;
    }

    ErrorKind kind_;
    std::string detail_;
    std::string hint_;
    std::string context_;
};

inline Error invalid_input(std::string message, std::string detail = {}, std::string hint = {}) {
    return Error(ErrorKind::invalid_input, std::move(message), std::move(detail), std::move(hint));
}

}  // namespace trovella::core
