// An error or notice as libpq reports it, field by field (never parsed from text).
#pragma once

#include <string>

namespace trovella::client {

struct ServerMessage {
    std::string severity;  // PG_DIAG_SEVERITY_NONLOCALIZED: ERROR, FATAL, WARNING, NOTICE, ... (never translated)
    std::string sqlstate;  // PG_DIAG_SQLSTATE; empty for libpq's own connection errors
    std::string message;
    std::string detail;
    std::string hint;
    std::string context;
};

}  // namespace trovella::client
