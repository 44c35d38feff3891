// The one exception type of the core. The glue turns it into a PostgreSQL ERROR; `kind` picks
// the SQLSTATE there, so the core never needs PostgreSQL's error codes.
#pragma once

#include <stdexcept>
#include <string>

namespace trovella::core {

enum class ErrorKind {
    invalid_input,   // a bad argument: journal, migration texts, options
    refused,         // the database is not in a state where apply may proceed
    unsupported,     // a statement that cannot run through SPI
    verify_failed,   // layer 1 or layer 2 verification found a difference
};

// The SQLSTATE each kind is raised with (the extension's guard and the client agree on these).
inline const char* sqlstate_of(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid_input: return "22023";  // invalid_parameter_value
        case ErrorKind::refused: return "55000";        // object_not_in_prerequisite_state
        case ErrorKind::unsupported: return "0A000";    // feature_not_supported
        case ErrorKind::verify_failed: return "22000";  // data_exception
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

private:
    ErrorKind kind_;
    std::string detail_;
    std::string hint_;
};

inline Error invalid_input(std::string message, std::string detail = {}, std::string hint = {}) {
    return Error(ErrorKind::invalid_input, std::move(message), std::move(detail), std::move(hint));
}

}  // namespace trovella::core
