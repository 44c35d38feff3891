#include "core/options.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "core/error.hpp"
#include "core/json_input.hpp"
#include "core/messages.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

using json = nlohmann::json;

namespace {

// PostgreSQL identifiers are at most 63 bytes; a longer name would be truncated silently.
constexpr std::size_t kMaxIdentifierBytes = 63;

std::set<std::string> accepted_keys(Function fn) {
    std::set<std::string> keys{"migrations_schema", "migrations_table"};
    switch (fn) {
        case Function::apply:
        case Function::apply_each:
            keys.insert({"allow_out_of_order", "allow_modified", "lock_timeout", "statement_timeout"});
            break;
        case Function::verify:
            keys.insert("raise");
            break;
        case Function::plan:
            keys.insert({"allow_out_of_order", "allow_modified", "single_transaction"});
            break;
        case Function::baseline:
        case Function::repair:
            keys.insert("lock_timeout");
            break;
        case Function::status:
            break;
    }
    return keys;
}

std::string key_list(const std::set<std::string>& keys) {
    std::string out;
    for (const auto& key : keys) out += (out.empty() ? "" : ", ") + key;
    return out;
}

std::string read_identifier(const json& value, const std::string& key) {
    if (!value.is_string())
        throw invalid_input("option \"" + key + "\" must be a string, not " + value.type_name());
    auto name = value.get<std::string>();
    if (name.empty()) throw invalid_input("option \"" + key + "\" must not be empty");
    if (name.size() > kMaxIdentifierBytes)
        throw invalid_input("option \"" + key + "\" is " + std::to_string(name.size()) +
                            " bytes long; PostgreSQL names have at most 63 bytes");
    if (name.find('\0') != std::string::npos)
        throw invalid_input("option \"" + key + "\" contains a NUL byte");
    return name;
}

// dump() recurses once per nesting level: structured values are named by their type only.
std::string describe_value(const json& value) {
    return value.is_structured() ? std::string(value.type_name()) : value.dump();
}

bool read_bool(const json& value, const std::string& key) {
    if (!value.is_boolean())
        throw invalid_input("option \"" + key + "\" must be true or false, not " + describe_value(value));
    return value.get<bool>();
}

std::string read_interval(const json& value, const std::string& key) {
    if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());  // milliseconds
    if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
    throw invalid_input("option \"" + key + "\" must be a PostgreSQL duration such as \"5s\" or a number of milliseconds, not " +
                        describe_value(value));
}

}  // namespace

bool accepts_option(Function fn, std::string_view key) {
    return accepted_keys(fn).count(std::string(key)) > 0;
}

const char* function_name(Function fn) {
    switch (fn) {
        case Function::apply: return "apply";
        case Function::apply_each: return "apply_each";
        case Function::status: return "status";
        case Function::verify: return "verify";
        case Function::plan: return "plan";
        case Function::baseline: return "baseline";
        case Function::repair: return "repair";
    }
    return "?";
}

Options parse_options(std::string_view json_text, Function fn) {
    json root;
    try {
        root = parse_json_input(json_text);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
        throw invalid_input(std::string("options is not valid JSON: ") + messages::json_error(e.what()));
    }
    if (root.is_null()) return Options{};
    if (!root.is_object())
        throw invalid_input(std::string("options must be a JSON object, not ") + root.type_name());
    const auto keys = accepted_keys(fn);
    Options options;
    for (const auto& [key, value] : root.items()) {
        if (keys.count(key) == 0)
            throw invalid_input("unknown option \"" + key + "\" for " + function_name(fn) + "()",
                                std::string("Accepted options: ") + key_list(keys) + ".");
        if (key == "migrations_schema") options.migrations_schema = read_identifier(value, key);
        else if (key == "migrations_table") options.migrations_table = read_identifier(value, key);
        else if (key == "allow_out_of_order") options.allow_out_of_order = read_bool(value, key);
        else if (key == "allow_modified") options.allow_modified = read_bool(value, key);
        else if (key == "raise") options.raise = read_bool(value, key);
        else if (key == "single_transaction") options.single_transaction = read_bool(value, key);
        else if (key == "lock_timeout") options.lock_timeout = read_interval(value, key);
        else if (key == "statement_timeout") options.statement_timeout = read_interval(value, key);
    }
    return options;
}

}  // namespace trovella::core
