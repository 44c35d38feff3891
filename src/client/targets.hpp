// The targets of a command: --database-url (may repeat) and --targets FILE (one connection string
// or libpq service name per line), else DATABASE_URL or libpq's PG* variables, as for one target.
// More than one target is a fleet (client/fleet.hpp). Everything here is checked before anything
// connects, and no message quotes a connection string: it may hold a password.
#pragma once

#include <string>
#include <vector>

#include "client/conninfo.hpp"
#include "client/env_file.hpp"
#include "client/environment.hpp"
#include "client/invocation.hpp"

namespace CLI {
class App;
}

namespace trovella::client {

// --targets FILE, --parallel N, --fail-fast, for the command line (cli.cpp).
void add_fleet_options(CLI::App* app, std::vector<std::string>& targets_files, std::string& parallel, bool& fail_fast,
                       const std::string& group);

// --parallel's value: a whole number from 1 to kMaxParallel, else a usage error naming it.
constexpr int kMaxParallel = 256;
int parse_parallel(const std::string& text);

// The lines of a targets file: `#` comments and blank lines skipped, spaces around a line
// trimmed (and a CR before its LF); a postgresql:// URL or key=value string as it is; one word
// of letters, digits, '_', '.' and '-' as a libpq service name (service=NAME). Anything else is a
// usage error naming the file and line, never quoting it. `file` is the name as given.
std::vector<ConnectionSource> parse_targets(const std::string& text, const std::string& file);

// Reads and parses the file; an unreadable or empty one is a usage error naming it.
std::vector<ConnectionSource> read_targets_file(const std::string& file);

// Every target of the invocation, in order: the --database-url values, then each --targets
// file's lines; with none of them, the one target of resolve_source (DATABASE_URL, PG*).
std::vector<ConnectionSource> target_sources(const Invocation& invocation, const Environment& env,
                                             const LoadedEnv& loaded);

// Two targets that name the same database (same user, host, port, database and service) would
// run the same migrations twice at once: a usage error naming both sources.
void refuse_duplicates(const std::vector<ConnectionSource>& sources, const std::vector<Target>& targets);

}  // namespace trovella::client
