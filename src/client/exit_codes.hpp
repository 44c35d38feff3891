// The exit codes of trovella-migrate and the one function that maps a database error to one.
#pragma once

#include <string_view>

#include "client/server_message.hpp"

namespace trovella::client {

enum class ExitCode : int {
    ok = 0,
    verify_failed = 1,     // verification failed, or the history disagrees with the journal
    usage = 2,             // bad input or usage; extension not installed
    cannot_connect = 3,    // connection failed or lost
    migration_failed = 4,  // a migration statement failed, a refusal before anything ran, timeouts, cancels
    cannot_migrate = 5,    // this session cannot migrate: read-only, standby, isolation level, permission
};

inline int as_int(ExitCode code) { return static_cast<int>(code); }

// True when CONTEXT carries the extension's own marker `migration "<tag>", statement <i> of <n>`,
// i.e. a statement of a migration raised the error (the marker is the extension's text, never
// translated).
bool raised_by_migration_statement(std::string_view context);

// The exit code for an error the server (or libpq) reported, keyed on SQLSTATE:
//   class 08, 57P01-57P03 (connection failed or lost)                     -> 3
//   raised by a migration statement (CONTEXT marker)                      -> 4
//   class 25 (read-only, standby, transaction state), 42501 (permission)  -> 5
//   55000 (history disagrees), 22000 (verification failed)                -> 1
//   22023, 22P02, 22021, 22P05 (bad input), 3F000, 42883 (not installed),
//   42809 (the tracking table is not an ordinary table)                   -> 2
//   anything else (0A000 refusals, 55P03 lock timeout, 57014 cancel, ...) -> 4
ExitCode classify(const ServerMessage& error);

// One line per exit code, for --help and the README.
const char* exit_code_help();

}  // namespace trovella::client
