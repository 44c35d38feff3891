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
    // Added only when the host recognizes its lock table as exhausted (SQLSTATE 53200).
    std::string hint_if_lock_table_full;
    // Added only for "unsafe use of new value" of an enum (SQLSTATE 55P04): ALTER TYPE ... ADD
    // VALUE and a use of the value in one transaction.
    std::string hint_if_new_enum_value_used;
};

using HostAnnotator = std::function<void(const std::exception_ptr& failure, const FailureNote& note)>;

// Adds `note` to `failure` (call it outside any catch handler, then rethrow `failure`).
void annotate_failure(const std::exception_ptr& failure, const FailureNote& note, const HostAnnotator& host);

}  // namespace trovella::core
