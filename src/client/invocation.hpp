// What the user asked for, as the command line gave it (filled by cli.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/options.hpp"

namespace trovella::client {

enum class Command { none, migrate, status, verify, plan, baseline, repair };

// --engine: the extension's SQL functions where it is installed (auto picks it then), else the
// same core run by the client over libpq.
enum class EngineChoice { auto_pick, extension, client };

const char* command_name(Command command);

// The extension function behind a command (migrate: apply; with --commit-each apply_each).
core::Function function_of(Command command);

struct Invocation {
    Command command = Command::none;
    bool json = false;
    bool version = false;

    // Where: the folder and the database.
    std::optional<std::string> dir;
    std::optional<std::string> database_url;
    std::vector<std::string> env_files;  // --env-file-if-exists, in order
    std::optional<EngineChoice> engine;  // --engine; else TROVELLA_ENGINE; else auto

    // Fleets (client/fleet.hpp): more than one target, from --database-url repeated and --targets.
    std::vector<std::string> database_urls;  // every --database-url, in order
    std::vector<std::string> targets_files;  // --targets FILE, in order
    int parallel = 4;                        // --parallel N: targets in flight at once
    bool fail_fast = false;                  // --fail-fast: no new target starts after one fails

    // Options passed on to the extension (each command accepts only those its function takes).
    std::optional<std::string> migrations_schema;
    std::optional<std::string> migrations_table;
    std::optional<std::string> lock_timeout;
    std::optional<std::string> statement_timeout;
    bool allow_out_of_order = false;
    bool allow_modified = false;

    // migrate
    bool commit_each = false;
    bool single_transaction = false;
    bool rebuild_invalid_indexes = false;
    std::optional<std::string> to_tag;
    // baseline --through TAG, repair TAG
    std::string through_tag;
    std::string repair_tag;
};

}  // namespace trovella::client
