// Splitting a migration exactly as Drizzle does: on the literal marker, nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trovella::core {

inline constexpr std::string_view kBreakpoint = "--> statement-breakpoint";
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

struct Statement {
    int number = 0;          // 1-based among the statements sent
    int line = 0;            // line of the file holding the statement's first non-whitespace byte
    std::size_t offset = 0;  // byte offset of the piece in the file text
    std::string_view sql;    // the piece exactly as Drizzle sends it (a view into the file text)
};

// Pieces between markers, untrimmed, skipping those that are only whitespace or comments.
// A leading UTF-8 byte order mark is not part of the first piece (PostgreSQL rejects it).
std::vector<Statement> split_statements(std::string_view text);

// True when `piece` holds nothing but whitespace, `--` comments and complete `/* */` comments.
bool is_blank_or_comment(std::string_view piece);

// The line of the first byte that is neither whitespace nor comment at or after byte `offset` of
// `statement.sql` (for a second statement inside one piece).
int line_of_code(const Statement& statement, std::ptrdiff_t offset);

// The start of a statement for messages: comments and whitespace runs folded, cut at `max_chars`.
std::string statement_preview(std::string_view sql, std::size_t max_chars = 60);

}  // namespace trovella::core
