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
