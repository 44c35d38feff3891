#include "core/json_input.hpp"

#include "core/interrupts.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

nlohmann::json parse_json_input(std::string_view text) {
    InterruptPacer pacer;
    return nlohmann::json::parse(text.begin(), text.end(),
                                 [&pacer](int, nlohmann::json::parse_event_t, nlohmann::json&) {
                                     pacer.tick();
                                     return true;
                                 });
}

}  // namespace trovella::core
