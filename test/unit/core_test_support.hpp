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

// True when `s` is well-formed UTF-8 (no truncated sequence, no stray continuation byte).
inline bool is_valid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto byte = static_cast<unsigned char>(s[i]);
        std::size_t length = byte < 0x80           ? 1
                             : (byte >> 5) == 0x6  ? 2
                             : (byte >> 4) == 0xE  ? 3
                             : (byte >> 3) == 0x1E ? 4
                                                   : 0;
        if (length == 0 || i + length > s.size()) return false;
        for (std::size_t k = 1; k < length; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += length;
    }
    return true;
}

}  // namespace trovella::test
