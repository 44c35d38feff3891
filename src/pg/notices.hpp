// What the user sees as it happens: NOTICE and WARNING messages to the client.
#pragma once

#include <string>

namespace trovella::pg {

void notice(const std::string& message);
void warn(const std::string& message);

}  // namespace trovella::pg
