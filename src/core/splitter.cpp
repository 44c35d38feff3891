#include "core/splitter.hpp"

#include <algorithm>

#include "core/interrupts.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Skips one comment starting at `pos`; returns the position after it, or npos when `pos` does
// not start a complete comment. Block comments nest, as in PostgreSQL.
std::size_t skip_comment(std::string_view s, std::size_t pos) {
    if (s.compare(pos, 2, "--") == 0) {
        auto end = s.find('\n', pos);
        return end == std::string_view::npos ? s.size() : end + 1;
    }
    if (s.compare(pos, 2, "/*") == 0) {
        int depth = 0;
        std::size_t i = pos;
        while (i + 1 < s.size()) {
            if (s[i] == '/' && s[i + 1] == '*') {
                ++depth;
                i += 2;
            } else if (s[i] == '*' && s[i + 1] == '/') {
                i += 2;
                if (--depth == 0) return i;
            } else {
                ++i;
            }
        }
        return std::string_view::npos;  // unterminated: let the server report it
    }
    return std::string_view::npos;
}

}  // namespace

bool is_blank_or_comment(std::string_view piece) {
    std::size_t pos = 0;
    while (pos < piece.size()) {
        if (is_space(piece[pos])) {
            ++pos;
            continue;
        }
        auto after = skip_comment(piece, pos);
        if (after == std::string_view::npos) return false;
        pos = after;
    }
    return true;
}

std::vector<Statement> split_statements(std::string_view text) {
    std::vector<Statement> statements;
    std::size_t start = text.compare(0, kUtf8Bom.size(), kUtf8Bom) == 0 ? kUtf8Bom.size() : 0;
    // Lines are counted incrementally: `line` is the line number at byte `counted`.
    int line = 1;
    std::size_t counted = 0;
    auto line_at = [&](std::size_t pos) {
        for (; counted < pos; ++counted)
            if (text[counted] == '\n') ++line;
        return line;
    };
    while (true) {
        check_interrupts();
        auto marker = text.find(kBreakpoint, start);
        auto end = marker == std::string_view::npos ? text.size() : marker;
        std::string_view piece = text.substr(start, end - start);
        if (!is_blank_or_comment(piece)) {
            std::size_t first = 0;
            while (first < piece.size() && is_space(piece[first])) ++first;
            Statement statement;
            statement.number = static_cast<int>(statements.size()) + 1;
            statement.line = line_at(start + first);
            statement.offset = start;
            statement.sql = piece;
            statements.push_back(statement);
        }
        if (marker == std::string_view::npos) break;
        start = marker + kBreakpoint.size();
    }
    return statements;
}

int line_of_code(const Statement& statement, std::ptrdiff_t offset) {
    std::string_view sql = statement.sql;
    std::size_t pos = offset < 0 ? 0 : std::min(static_cast<std::size_t>(offset), sql.size());
    while (pos < sql.size()) {
        if (is_space(sql[pos])) {
            ++pos;
            continue;
        }
        auto after = skip_comment(sql, pos);
        if (after == std::string_view::npos) break;
        pos = after;
    }
    // statement.line is the line of the piece's first non-whitespace byte.
    std::size_t first = 0;
    while (first < sql.size() && is_space(sql[first])) ++first;
    int line = statement.line;
    if (pos > first)
        for (std::size_t i = first; i < pos; ++i)
            if (sql[i] == '\n') ++line;
    return line;
}

std::string statement_preview(std::string_view sql, std::size_t max_chars) {
    std::string out;
    std::size_t pos = 0;
    bool pending_space = false;
    while (pos < sql.size() && out.size() < max_chars) {
        char c = sql[pos];
        if (is_space(c)) {
            pending_space = !out.empty();
            ++pos;
            continue;
        }
        if (c == '-' || c == '/') {
            auto after = skip_comment(sql, pos);
            if (after != std::string_view::npos) {
                pending_space = !out.empty();
                pos = after;
                continue;
            }
        }
        if (pending_space) {
            if (out.size() + 1 >= max_chars) break;  // the space and `c` would pass max_chars
            out += ' ';
        }
        pending_space = false;
        out += c;
        ++pos;
    }
    // Do not cut a UTF-8 sequence in half: drop a last sequence shorter than its lead byte says.
    std::size_t lead = out.size();
    while (lead > 0 && out.size() - lead < 3 && (static_cast<unsigned char>(out[lead - 1]) & 0xC0) == 0x80)
        --lead;
    if (lead > 0) {
        auto byte = static_cast<unsigned char>(out[lead - 1]);
        std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
        if (out.size() - (lead - 1) < length) out.resize(lead - 1);
    }
    bool cut = false;
    while (pos < sql.size()) {
        if (!is_space(sql[pos])) {
            cut = true;
            break;
        }
        ++pos;
    }
    if (cut) out += "...";
    return out;
}

}  // namespace trovella::core
