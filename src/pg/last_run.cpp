#include "pg/last_run.hpp"

namespace trovella::pg {

LastRun& last_run() {
    static LastRun run;
    return run;
}

void begin_last_run(const char* function) {
    LastRun& run = last_run();
    run.function = function;
    run.run_id.reset();
    run.entries.clear();
}

void mark_committed() {
    for (auto& entry : last_run().entries)
        if (!entry.committed) entry.committed = true;
}

}  // namespace trovella::pg
