// Small pieces of the order of a run shared by core/run.cpp and core/outside_transaction.cpp:
// how a failure gets its note on the way out, and how an event and a duration are written.
#pragma once

#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include "core/database.hpp"
#include "core/failure_note.hpp"

namespace trovella::core::run_support {

// Adds `note` to a failure on its way out: to a core::Error here, to the database's own errors
// by the database.
inline void annotate(Database& db, const std::exception_ptr& failure, const FailureNote& note) {
    annotate_failure(failure, note, [&db](const std::exception_ptr& f, const FailureNote& n) { db.annotate(f, n); });
}

// Runs `body`; on a failure, adds what `note()` says and rethrows.
template <class Body, class Note>
void noting_failure(Database& db, Body&& body, Note&& note) {
    std::exception_ptr failure;
    try {
        body();
    } catch (...) {
        failure = std::current_exception();
    }
    if (!failure) return;
    annotate(db, failure, note());
    std::rethrow_exception(failure);
}

inline HistoryEvent event_for(const char* action, const JournalEntry& entry, const std::string& hash,
                              std::optional<std::int64_t> tracking_id) {
    HistoryEvent event;
    event.action = action;
    event.tracking_id = tracking_id;
    event.tag = entry.tag;
    event.idx = entry.idx;
    event.hash = hash;
    event.created_at = entry.when;
    return event;
}

inline std::string elapsed_ms(double ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", ms);
    return text;
}

// Milliseconds since `started`.
inline double ms_since(std::chrono::steady_clock::time_point started) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace trovella::core::run_support
