// PostgreSQL text holds no NUL byte and, in a UTF8 database, only well-formed UTF-8 (the rules
// of PostgreSQL's pg_utf8_islegal: no overlong forms, no surrogates, nothing above U+10FFFF).
// Checked before sending, so the error names the file and the line.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace trovella::client {

struct TextProblem {
    std::size_t offset;  // of the first bad byte
    std::size_t line;    // 1-based
    std::string what;    // "contains a NUL byte", "is not valid UTF-8"
};

std::optional<TextProblem> check_text(std::string_view text);

}  // namespace trovella::client
