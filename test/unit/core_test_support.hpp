// Shared by the unit tests of the core: catching the core's Error so that a test can check its
// kind and text, and a readable name for ErrorKind in failure output.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "support/utf8.hpp"

namespace trovella::core {

inline void PrintTo(ErrorKind kind, std::ostream* os) {
    switch (kind) {
        case ErrorKind::invalid_input:
            *os << "invalid_input";
            return;
        case ErrorKind::refused:
            *os << "refused";
            return;
        case ErrorKind::unsupported:
            *os << "unsupported";
            return;
        case ErrorKind::verify_failed:
            *os << "verify_failed";
            return;
        case ErrorKind::read_only:
            *os << "read_only";
            return;
        case ErrorKind::transaction_state:
            *os << "transaction_state";
            return;
        case ErrorKind::transaction_block:
            *os << "transaction_block";
            return;
        case ErrorKind::permission_denied:
            *os << "permission_denied";
            return;
        case ErrorKind::wrong_object_type:
            *os << "wrong_object_type";
            return;
    }
    *os << "ErrorKind(" << static_cast<int>(kind) << ")";
}

}  // namespace trovella::core

namespace trovella::test {

// Runs `f` and returns the trovella::core::Error it throws. When `f` returns normally the test
// fails with a C++ exception naming the problem; any other exception type propagates and fails it
// too (the core must throw nothing but Error).
template <class F>
core::Error error_from(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const core::Error& e) {
        return e;
    }
    throw std::logic_error("expected a trovella::core::Error, but nothing was thrown");
}

}  // namespace trovella::test
