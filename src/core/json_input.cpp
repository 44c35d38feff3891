#include "core/json_input.hpp"

#include <cstdint>
#include <iterator>

#include "core/interrupts.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

nlohmann::json parse_json_input(std::string_view text) {
    return nlohmann::json::parse(PacedIterator(text.data()), PacedIterator(text.data() + text.size()));
}

}  // namespace trovella::core
