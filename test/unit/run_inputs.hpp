// Inputs of a run for the unit tests of the order of a run: migrations (tag, when, text) through
// the real journal and options parsers, hashed by a readable stand-in for SHA-256.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/inputs.hpp"
#include "core/options.hpp"

namespace trovella::test {

inline std::string fake_hash(std::string_view text) { return "sha-of(" + std::string(text) + ")"; }

inline core::Inputs inputs_of(const std::vector<std::tuple<std::string, std::int64_t, std::string>>& migrations,
                              const std::string& options = "{}", core::Function fn = core::Function::apply) {
    nlohmann::json entries = nlohmann::json::array();
    core::MigrationTexts texts;
    std::int64_t idx = 0;
    for (const auto& [tag, when, text] : migrations) {
        entries.push_back({{"idx", idx++}, {"when", when}, {"tag", tag}});
        texts.emplace(tag, text);
    }
    return core::make_inputs(nlohmann::json{{"entries", entries}}.dump(), texts, core::parse_options(options, fn), fn,
                             core::Texts::required, &fake_hash);
}

}  // namespace trovella::test
