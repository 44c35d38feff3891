// The command line (CLI11) -> Invocation. Usage errors are thrown as Failure (exit code 2).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "client/invocation.hpp"

namespace trovella::client {

struct ParsedCommandLine {
    Invocation invocation;
    bool help_printed = false;  // --help was given: the help is printed, exit 0
};

// `args` excludes the program name. Help goes to `out`.
ParsedCommandLine parse_command_line(const std::vector<std::string>& args, std::ostream& out);

// --engine's values: auto, extension, client (anything else: nothing).
std::optional<EngineChoice> parse_engine(const std::string& value);

// The engine to use: --engine, else the TROVELLA_ENGINE variable (for CI jobs that set it once),
// else auto. A bad TROVELLA_ENGINE is a usage error naming it.
class Environment;
EngineChoice engine_choice_of(const Invocation& invocation, const Environment& env);

// --json changes how errors are reported, so it is looked for before anything can fail.
bool wants_json(const std::vector<std::string>& args);

}  // namespace trovella::client
