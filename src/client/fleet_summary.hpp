// What a fleet reports once every target has ended: each target's state, counts and first error
// line, the summary table, for status the targets grouped by their last applied migration, the
// exit code (the worst target's) and the --json document. Pure: no connection, no thread.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/exit_codes.hpp"
#include "client/invocation.hpp"
#include "client/server_message.hpp"

namespace trovella::client {

// ok           the command succeeded (status: nothing pending)
// behind       status only: migrations are pending, nothing else is wrong (exit 1)
// refused      the history disagrees with the journal (exit 1: migrate and plan refused, verify
//              found a mismatch, status found modified, out-of-order or unknown migrations), or
//              the target cannot run the command (exit 2: extension missing, bad input; exit 5:
//              read-only, standby, permission)
// unreachable  cannot connect, or the connection was lost (exit 3)
// failed       a migration statement failed, a timeout, a cancel (exit 4)
// skipped      never started: --fail-fast after a failure, or Ctrl-C (no exit code of its own)
enum class TargetState { ok, behind, refused, unreachable, failed, skipped };

const char* state_name(TargetState state);

// The state for a target that ended with `code`; `only_pending`: status found nothing wrong but
// pending migrations.
TargetState state_of(ExitCode code, bool only_pending);

struct TargetSummary {
    std::string target;  // user@host:port/dbname (service S): never a password
    std::string source;  // where it was listed: "fleet.txt:3", "--database-url #2"
    std::string engine;  // extension or client; empty when it never connected
    std::optional<std::string> extension_version;
    TargetState state = TargetState::skipped;
    std::optional<int> exit_code;  // none when skipped
    // Tracking rows before the command, migrations applied by it, entries still pending after it
    // (none when not known: unreachable, or a failure that left the counts unread).
    std::optional<long long> applied_before, applied_now, pending;
    // status: the last journal entry applied (an empty string: none), and its position.
    std::optional<std::string> last_applied;
    std::optional<std::size_t> last_applied_position;
    double duration_ms = 0;
    std::string error;                        // the first line of the error, if any
    nlohmann::ordered_json report = nullptr;  // the document --json prints for this target alone
};

// The exit code of the fleet: the highest of its targets' (0 ok < 1 < 2 < 3 < 4 < 5); at least 4
// when Ctrl-C stopped it before every target had run or cancelled a running one (as Ctrl-C of
// one target exits 4). Skipped targets add nothing else.
int worst_exit_code(const std::vector<TargetSummary>& targets, bool interrupted);

// The first line of a message, without trailing spaces.
std::string first_line(const std::string& text);

// Every occurrence of a secret (3 bytes or longer) replaced by ***, as the Reporter does.
std::string redacted(std::string text, const std::vector<std::string>& secrets);
nlohmann::ordered_json redacted(nlohmann::ordered_json document, const std::vector<std::string>& secrets);

// The progress a fleet shows live, one line per migration: the core's "applied <tag> (n
// statements in t ms)" NOTICE (", outside a transaction)" for a migration that cannot run in
// one), whichever engine sent it.
bool is_migration_applied(const ServerMessage& message);

// "12 ms", "3.4 s".
std::string duration_text(double ms);

// The line printed as a target ends: "<state>: <engine>, 0 applied before, 3 applied now, 0
// pending, 41 ms" (status: "..., 3 applied, last 0002_x, 1 pending, ..."), and ": <error>".
std::string target_end_line(Command command, const TargetSummary& target);

// The summary table, one row per target in the order given:
// TARGET  ENGINE  APPLIED BEFORE  APPLIED NOW  PENDING  STATE  DURATION  ERROR
// (status: TARGET  ENGINE  LAST APPLIED  APPLIED  PENDING  STATE  DURATION  ERROR).
std::string summary_table(Command command, const std::vector<TargetSummary>& targets);

// status: the targets that were read, grouped by last applied migration and pending count,
// latest first; the names of the targets behind, up to 10 per group.
struct StatusGroup {
    std::string last_applied;  // empty: none applied
    long long pending = 0;
    std::vector<std::string> targets;
    std::optional<std::size_t> position;
};
std::vector<StatusGroup> status_groups(const std::vector<TargetSummary>& targets);
std::string status_groups_table(const std::vector<StatusGroup>& groups);

// "Fleet: 52 targets in 3.4 s: 50 ok, 1 refused, 1 unreachable; exit code 3 (the highest of the
// targets')", and what Ctrl-C or --fail-fast left undone.
struct FleetRun {
    Command command = Command::none;
    int parallel = 1;
    bool fail_fast = false;
    bool interrupted = false;  // Ctrl-C stopped it
    double duration_ms = 0;
    std::optional<std::string> dir;
};
std::string fleet_line(const FleetRun& run, const std::vector<TargetSummary>& targets);

// The --json document of a fleet: one entry per target in "targets" with the table's fields and
// the target's own document as "report".
nlohmann::ordered_json fleet_document(const FleetRun& run, const std::vector<TargetSummary>& targets);

}  // namespace trovella::client
