// What this session's last apply(), apply_each(), baseline() or repair() call did, migration by
// migration, for trovella_migrate.last_run(): a client reads per-migration durations there, and
// after an apply_each() failure, which migrations committed. Backend-local: it shows only what
// this session itself ran, whether or not its transaction later committed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace trovella::pg {

struct LastRunEntry {
    std::string action;  // applied | adopted | baselined | repaired
    std::string tag;
    std::optional<std::int64_t> idx;
    std::optional<std::int64_t> statements;
    std::optional<double> duration_ms;
    std::optional<bool> committed;  // apply_each only: committed on its own
};

struct LastRun {
    std::string function;
    std::optional<std::int64_t> run_id;
    std::vector<LastRunEntry> entries;
};

// This backend's record; begin_last_run() starts a new one.
LastRun& last_run();
void begin_last_run(const char* function);
// apply_each committed: what this call recorded so far counts as committed.
void mark_committed();

}  // namespace trovella::pg
