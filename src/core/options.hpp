// The `options` argument: each function accepts only the keys that mean something to it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace trovella::core {

enum class Function { apply, apply_each, status, verify, plan, baseline, repair };

const char* function_name(Function fn);

// True when `fn` accepts the option `key` (the client uses it to refuse a flag up front).
bool accepts_option(Function fn, std::string_view key);

struct Options {
    std::string migrations_schema = "drizzle";
    std::string migrations_table = "__drizzle_migrations";
    bool allow_out_of_order = false;
    bool allow_modified = false;
    bool raise = true;
    // plan: as one transaction would run them (apply(), migrate --single-transaction): a migration
    // that cannot run in a transaction is refused as apply() refuses it, instead of listed.
    bool single_transaction = false;
    std::optional<std::string> lock_timeout;       // PostgreSQL interval text, checked by the server
    std::optional<std::string> statement_timeout;
};

// Throws Error(invalid_input) naming the key for an unknown key, a wrong type or a bad value.
Options parse_options(std::string_view json_text, Function fn);

}  // namespace trovella::core
