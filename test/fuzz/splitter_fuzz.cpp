// libFuzzer target for the splitter: for any bytes, split_statements must return views into the
// input that, with the markers and the skipped (blank or comment-only) pieces between them, give
// back the input after a leading BOM; numbered 1..n, lines non-decreasing and right. The preview of
// each statement stays within its limit and never cuts a UTF-8 sequence of valid input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/splitter.hpp"
#include "support/fuzz_check.hpp"
#include "support/utf8.hpp"

namespace {

using namespace trovella::core;

using trovella::test::is_valid_utf8;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// The reference: Drizzle's `sql.split("--> statement-breakpoint")`, after the BOM.
std::vector<std::string_view> naive_pieces(std::string_view text, std::size_t start) {
    std::vector<std::string_view> pieces;
    while (true) {
        auto marker = text.find(kBreakpoint, start);
        if (marker == std::string_view::npos) {
            pieces.push_back(text.substr(start));
            return pieces;
        }
        pieces.push_back(text.substr(start, marker - start));
        start = marker + kBreakpoint.size();
    }
}

void check_preview(std::string_view sql, bool valid_utf8) {
    for (std::size_t max : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{60}}) {
        const std::string preview = statement_preview(sql, max);
        FUZZ_CHECK(preview.size() <= max + 3);
        if (valid_utf8) FUZZ_CHECK(is_valid_utf8(preview));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const bool has_bom = text.substr(0, kUtf8Bom.size()) == kUtf8Bom;
    const std::size_t start = has_bom ? kUtf8Bom.size() : 0;
    const bool valid_utf8 = is_valid_utf8(std::string(text));

    const std::vector<Statement> statements = split_statements(text);
    const std::vector<std::string_view> pieces = naive_pieces(text, start);

    // Pieces joined with the markers give back the input after the BOM.
    std::string joined;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        if (i > 0) joined += kBreakpoint;
        joined += pieces[i];
    }
    FUZZ_CHECK(joined == text.substr(start));

    // The statements are exactly the pieces that are not blank or comments, in order, as views.
    std::size_t next = 0;
    int previous_line = 0;
    for (std::string_view piece : pieces) {
        if (is_blank_or_comment(piece)) continue;
        FUZZ_CHECK(next < statements.size());
        const Statement& s = statements[next++];
        FUZZ_CHECK(s.number == static_cast<int>(next));
        FUZZ_CHECK(s.sql.data() == piece.data() && s.sql.size() == piece.size());
        FUZZ_CHECK(s.offset == static_cast<std::size_t>(piece.data() - text.data()));
        FUZZ_CHECK(s.offset >= start && s.offset + s.sql.size() <= text.size());

        std::size_t first = 0;
        while (first < piece.size() && is_space(piece[first])) ++first;
        FUZZ_CHECK(first < piece.size());
        int line = 1;
        for (std::size_t i = 0; i < s.offset + first; ++i)
            if (text[i] == '\n') ++line;
        FUZZ_CHECK(s.line == line);
        FUZZ_CHECK(s.line >= previous_line);
        previous_line = s.line;

        check_preview(s.sql, valid_utf8);
    }
    FUZZ_CHECK(next == statements.size());

    // Without its BOM the text splits the same, only shifted (unless a second BOM follows).
    if (has_bom && text.substr(start, kUtf8Bom.size()) != kUtf8Bom) {
        const std::vector<Statement> bare = split_statements(text.substr(start));
        FUZZ_CHECK(bare.size() == statements.size());
        for (std::size_t i = 0; i < bare.size(); ++i) {
            FUZZ_CHECK(bare[i].sql == statements[i].sql && bare[i].line == statements[i].line);
            FUZZ_CHECK(bare[i].offset + start == statements[i].offset);
        }
    }
    check_preview(text, valid_utf8);
    return 0;
}
