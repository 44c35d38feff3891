#include "client/text_check.hpp"

#include <algorithm>

namespace trovella::client {

namespace {

bool between(unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; }

// Length of the well-formed UTF-8 sequence at `s[i]`, or 0.
std::size_t sequence_length(std::string_view s, std::size_t i) {
    auto at = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
    unsigned char b0 = at(0);
    if (b0 < 0x80) return 1;
    auto cont = [&](std::size_t k) { return between(at(k), 0x80, 0xBF); };
    if (between(b0, 0xC2, 0xDF)) return cont(1) ? 2 : 0;
    if (b0 == 0xE0) return between(at(1), 0xA0, 0xBF) && cont(2) ? 3 : 0;
    if (between(b0, 0xE1, 0xEC) || between(b0, 0xEE, 0xEF)) return cont(1) && cont(2) ? 3 : 0;
    if (b0 == 0xED) return between(at(1), 0x80, 0x9F) && cont(2) ? 3 : 0;
    if (b0 == 0xF0) return between(at(1), 0x90, 0xBF) && cont(2) && cont(3) ? 4 : 0;
    if (between(b0, 0xF1, 0xF3)) return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (b0 == 0xF4) return between(at(1), 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

}  // namespace

std::optional<TextProblem> check_text(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '\0' || static_cast<unsigned char>(text[i]) >= 0x80) {
            std::size_t n = text[i] == '\0' ? 0 : sequence_length(text, i);
            if (n == 0) {
                auto line = 1 + static_cast<std::size_t>(
                                    std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(i), '\n'));
                return TextProblem{i, line, text[i] == '\0' ? "contains a NUL byte" : "is not valid UTF-8"};
            }
            i += n;
        } else {
            ++i;
        }
    }
    return std::nullopt;
}

}  // namespace trovella::client
