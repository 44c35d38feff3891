// What a failure should say besides its own text, added as the error passes through the core on
// its way out (a core::Error is extended here; an error of the host's, such as PostgreSQL's, by
// the host, which alone knows its type).
#pragma once

#include <exception>
#include <functional>
#include <string>

namespace trovella::core {

struct FailureNote {
    std::string detail;
    std::string hint;
    // Added only when the host recognizes its lock table as exhausted.
    std::string hint_if_lock_table_full;
};

using HostAnnotator = std::function<void(const std::exception_ptr& failure, const FailureNote& note)>;

// Adds `note` to `failure` (call it outside any catch handler, then rethrow `failure`).
void annotate_failure(const std::exception_ptr& failure, const FailureNote& note, const HostAnnotator& host);

}  // namespace trovella::core
