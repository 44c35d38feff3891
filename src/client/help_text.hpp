// The words of --help: the program's description and footer, and each command's.
#pragma once

#include "client/invocation.hpp"

namespace trovella::client {

extern const char* const kDescription;  // what the program does
extern const char* const kFooter;       // connection, output, --json

struct CommandHelp {
    const char* summary;  // one line, in the list of commands
    const char* details;  // the paragraph of COMMAND --help
};

CommandHelp help_for(Command command);

}  // namespace trovella::client
