#include "pg/run_settings.hpp"

#include "pg/guard.hpp"

extern "C" {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wregister"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#pragma GCC diagnostic pop
}

namespace trovella::pg {

RunSettings::RunSettings(const core::Options& options) {
    if (!options.lock_timeout && !options.statement_timeout) return;
    nest_level_ = pg_call([] { return NewGUCNestLevel(); });
    auto set = [](const char* name, const std::string& value) {
        pg_call([&] {
            (void)set_config_option(name, value.c_str(), PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        });
    };
    if (options.lock_timeout) set("lock_timeout", *options.lock_timeout);
    if (options.statement_timeout) {
        set("statement_timeout", *options.statement_timeout);
        statement_timeout_ms_ = StatementTimeout;
    }
}

void RunSettings::finish() {
    if (nest_level_ < 0) return;
    int level = nest_level_;
    nest_level_ = -1;
    pg_call([&] { AtEOXact_GUC(true, level); });
}

void RunSettings::statement_started() {
    if (statement_timeout_ms_ <= 0) return;
    pg_call([&] {
        caller_timer_active_ = get_timeout_active(STATEMENT_TIMEOUT);
        TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), statement_timeout_ms_);
        if (caller_timer_active_) {
            caller_deadline_ = get_timeout_finish_time(STATEMENT_TIMEOUT);
            if (caller_deadline_ < deadline) deadline = caller_deadline_;  // the earlier one wins
        }
        enable_timeout_at(STATEMENT_TIMEOUT, deadline);
    });
}

void RunSettings::statement_finished() {
    if (statement_timeout_ms_ <= 0) return;
    pg_call([&] {
        disable_timeout(STATEMENT_TIMEOUT, false);
        if (caller_timer_active_) enable_timeout_at(STATEMENT_TIMEOUT, caller_deadline_);
    });
}

}  // namespace trovella::pg
