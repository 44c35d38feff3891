// --env-file-if-exists: the .env format of Node's --env-file (and tsx, which passes it on), as
// the wiki's scripts use it (`--env-file-if-exists=../../.env`).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/environment.hpp"

namespace trovella::client {

// KEY=VALUE lines: "export " prefixes, '#' comment lines, an unquoted value ends at '#'; single,
// double or backtick quotes, a quoted value may span lines up to its closing quote (without one,
// the line is taken as written); "\n" in a double-quoted value is a newline; CRLF line ends.
// Lines that are not assignments, or whose key is not a shell name, are skipped.
std::vector<std::pair<std::string, std::string>> parse_env_text(std::string_view text);

// Which env file set which variable (for messages: "DATABASE_URL from ../../.env").
struct LoadedEnv {
    std::map<std::string, std::string> origin;  // variable -> the file it came from
};

// Loads each file that exists, in order. A variable already in the environment is not
// overridden; a later line or file may override one set from an earlier file. A file that exists
// but cannot be read is an error (Failure, exit 2) naming it; a missing file is not.
LoadedEnv load_env_files(const std::vector<std::string>& paths, Environment& env);

}  // namespace trovella::client
