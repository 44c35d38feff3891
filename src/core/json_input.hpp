// Parsing a JSON argument (journal, migration texts, options) so that a large one can be
// cancelled: the parser calls the host's interrupt check as it goes.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace trovella::core {

// Throws nlohmann::json::exception for invalid JSON, as nlohmann::json::parse does.
nlohmann::json parse_json_input(std::string_view text);

}  // namespace trovella::core
