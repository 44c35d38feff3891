// The lock_timeout and statement_timeout options, in force only while a run holds them: they
// are set at a new GUC nesting level (as a function's SET clause is) and undone when the run
// ends, however it ends (RunSettings is RAII: an error caught by the caller's own EXCEPTION
// handler must not leave them, or a timer, behind). statement_timeout is armed for each migration
// statement (StatementTimer), since a SET made during a statement does not re-arm the running
// timer, and the caller's own statement timer is put back afterwards.
#pragma once

#include <cstdint>

#include "core/options.hpp"

namespace trovella::pg {

class RunSettings {
public:
    explicit RunSettings(const core::Options& options);
    ~RunSettings();  // undoes the settings if finish() was not reached
    RunSettings(const RunSettings&) = delete;
    RunSettings& operator=(const RunSettings&) = delete;

    // Undoes the settings at the end of a successful run (may raise, unlike the destructor).
    void finish();

    int statement_timeout_ms() const { return statement_timeout_ms_; }

private:
    int nest_level_ = -1;
    int statement_timeout_ms_ = 0;
};

// Around one migration statement: arms statement_timeout for it, and when destroyed (however the
// statement ended) re-arms the caller's own statement timer, if one was running, for its
// original deadline.
class StatementTimer {
public:
    // statement_timeout_ms: the run's statement_timeout (0: none, and the timer is left alone).
    explicit StatementTimer(int statement_timeout_ms);
    ~StatementTimer();
    StatementTimer(const StatementTimer&) = delete;
    StatementTimer& operator=(const StatementTimer&) = delete;

private:
    bool armed_ = false;
    bool caller_timer_active_ = false;
    std::int64_t caller_deadline_ = 0;  // TimestampTz
};

}  // namespace trovella::pg
