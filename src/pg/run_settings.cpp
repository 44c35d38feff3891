#include "pg/run_settings.hpp"

#include "pg/guard.hpp"


namespace trovella::pg {

RunSettings::RunSettings(const core::Options& options) {
    if (!options.lock_timeout && !options.statement_timeout) return;
    nest_level_ = pg_call([] { return NewGUCNestLevel(); });
    auto set = [](const char* name, const std::string& value) {
        pg_call([&] {
            (void)set_config_option(name, value.c_str(), PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        });
    };
    try {
        if (options.lock_timeout) set("lock_timeout", *options.lock_timeout);
        if (options.statement_timeout) {
            set("statement_timeout", *options.statement_timeout);
            statement_timeout_ms_ = StatementTimeout;
        }
    } catch (...) {
        int level = nest_level_;
        nest_level_ = -1;
        pg_cleanup([level] { AtEOXact_GUC(false, level); });
        throw;
    }
}

RunSettings::~RunSettings() {
    if (nest_level_ < 0) return;
    int level = nest_level_;
    pg_cleanup([level] { AtEOXact_GUC(false, level); });
}

void RunSettings::finish() {
    if (nest_level_ < 0) return;
    int level = nest_level_;
    nest_level_ = -1;
    pg_call([&] { AtEOXact_GUC(true, level); });
}

StatementTimer::StatementTimer(int ms) {
    if (ms <= 0) return;
    pg_call([&] {
        caller_timer_active_ = get_timeout_active(STATEMENT_TIMEOUT);
        TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);
        if (caller_timer_active_) {
            caller_deadline_ = get_timeout_finish_time(STATEMENT_TIMEOUT);
            if (caller_deadline_ < deadline) deadline = caller_deadline_;  // the earlier one wins
        }
        enable_timeout_at(STATEMENT_TIMEOUT, deadline);
    });
    armed_ = true;
}

StatementTimer::~StatementTimer() {
    if (!armed_) return;
    const bool restore = caller_timer_active_;
    const TimestampTz deadline = caller_deadline_;
    pg_cleanup([restore, deadline] {
        disable_timeout(STATEMENT_TIMEOUT, false);
        if (restore) enable_timeout_at(STATEMENT_TIMEOUT, deadline);
    });
}

}  // namespace trovella::pg
