// The lock_timeout and statement_timeout options, in force only while a run holds them: they
// are set at a new GUC nesting level (as a function's SET clause is) and undone at its end, so
// they never leak into the rest of the caller's transaction. statement_timeout is armed for each
// migration statement, since a SET made during a statement does not re-arm the running timer.
#pragma once

#include <cstdint>

#include "core/options.hpp"

namespace trovella::pg {

class RunSettings {
public:
    explicit RunSettings(const core::Options& options);
    RunSettings(const RunSettings&) = delete;
    RunSettings& operator=(const RunSettings&) = delete;

    // Around each migration statement: arms statement_timeout for it, and afterwards re-arms the
    // caller's own statement timer (if one was running) for its original deadline.
    void statement_started();
    void statement_finished();
    // Undoes the settings at the end of a successful run (an error's abort undoes them itself).
    void finish();

private:
    int nest_level_ = -1;
    int statement_timeout_ms_ = 0;
    bool caller_timer_active_ = false;
    std::int64_t caller_deadline_ = 0;  // TimestampTz
};

}  // namespace trovella::pg
