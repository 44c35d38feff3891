// What the client learns of its session once, for either engine: the extension's version (if
// installed), who it is, and whether this session may migrate at all. The refusals are the
// client's own, before anything runs, with the SQLSTATEs the extension uses (25006, 25000), so
// both engines say the same thing for a read-only session, a hot standby, or an isolation level at
// which a runner that waited for the lock could miss the previous runner's commit.
#pragma once

#include <optional>
#include <string>

#include "client/connection.hpp"
#include "core/options.hpp"

namespace trovella::client {

struct SessionFacts {
    std::optional<std::string> extension_version;
    std::string user, quoted_user, isolation;
    bool in_recovery = false, read_only = false;
};

// Reads them (and asks for every NOTICE: they are the progress the user wants to see).
SessionFacts read_session_facts(Connection& connection);

// For the functions that write: throws Failure (exit 5) naming what stops this session.
void check_session_can_write(const SessionFacts& session, core::Function fn);

}  // namespace trovella::client
