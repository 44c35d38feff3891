// The read-only functions, the same for every host: status (one row per journal entry, unknown
// tracking row and orphan file), verify (layer 2), plan (the statements apply would run, after
// the same checks). The database is only read; they work on a hot standby.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/database.hpp"
#include "core/inputs.hpp"
#include "core/run.hpp"

namespace trovella::core {

struct StatusRow {
    std::optional<std::int64_t> idx;
    std::optional<std::string> tag;
    std::optional<std::int64_t> created_at;
    State state = State::pending;
    std::optional<std::string> hash;           // of the file, when the text was given
    std::optional<std::string> recorded_hash;  // of the tracking row
    std::optional<std::string> applied_at;     // when the extension applied (baselined, repaired) it
    // A pending migration run outside a transaction and interrupted: "<completed>/<statements>"
    // ("<completed>" alone when its text was not given); its state then reads "partial".
    std::optional<std::string> progress;
    std::string state_name() const { return progress ? "partial" : core::state_name(state); }
};

std::vector<StatusRow> status(Database& db, const Inputs& in);
// The same rows handed to `each` one at a time, in the same order, none of them kept: the
// extension writes each into its result as it comes.
void status(Database& db, const Inputs& in, const std::function<void(const StatusRow&)>& each);

struct VerifyReport {
    std::size_t expected = 0;
    std::size_t actual = 0;
    std::vector<std::string> problems;
    bool ok() const { return problems.empty(); }
};

// Layer 2. With the option raise (the default) a difference is an Error(verify_failed) whose
// first line is the wiki's; when ok, says so (the wiki's "Verified: ..." line).
VerifyReport verify(Database& db, const Inputs& in);

// One statement apply would run (the text is a view into the inputs' migration text).
struct PlannedStatement {
    std::int64_t idx = 0;
    std::string tag;
    int number = 0;
    int line = 0;
    std::string_view sql;
    bool in_transaction = true;  // false: its migration runs statement by statement outside one
};

// The same decisions and checks as apply, without running or recording anything.
std::vector<PlannedStatement> plan(Database& db, const Inputs& in);

}  // namespace trovella::core
