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

}  // namespace trovella::pg
