// Where the connection string comes from, whether libpq can parse it, and how the target is
// described in messages: from libpq's parsed fields, never from the string (which may hold a
// password).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "client/env_file.hpp"
#include "client/environment.hpp"

namespace trovella::client {

enum class SourceKind { flag, database_url, libpq_environment, targets_file };

struct ConnectionSource {
    SourceKind kind = SourceKind::libpq_environment;
    std::string conninfo;  // URL or key=value string; secret, never printed; empty for libpq_environment
    std::string env_file;  // the env file DATABASE_URL came from, if it did

    std::string targets_file;  // the --targets file the line came from (client/targets.hpp)
    std::size_t position = 0;  // that line's number; or which --database-url, when it was repeated

    // "--database-url", "--database-url #2", "DATABASE_URL", "DATABASE_URL from ../../.env",
    // "PG* variables", "fleet.txt:3"
    std::string label() const;
};

// --database-url, else DATABASE_URL when set and not empty, else libpq's own PG* variables.
ConnectionSource resolve_source(const std::optional<std::string>& flag, const Environment& env,
                                const LoadedEnv& loaded);

struct Target {
    std::string user, host, port, dbname, service;
    std::vector<std::string> secrets;  // passwords in play, to redact from every output; never printed

    std::string text() const;  // user@host:port/dbname (service NAME)
};

// Checks the connection string (libpq's PQconninfoParse) before connecting and describes the
// target from its fields, completed with libpq's defaults (PQconndefaults: the PG* variables).
// A malformed string is a Failure (exit 2) that never quotes it: libpq's own parse errors can.
Target describe_target(const ConnectionSource& source);

// A postgresql:// URL whose user name or password holds an unencoded '@' or '/' parses, but not
// as meant: pieces of the password become the host or the database name (and then appear in
// messages). Returns the reason such a URL is refused, or nothing when it is not ambiguous.
std::optional<std::string> ambiguous_url(const std::string& conninfo);

}  // namespace trovella::client
