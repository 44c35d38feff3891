#include "client/statement_split.hpp"

#include <pg_query.h>

#include <string>

namespace trovella::client {

std::vector<std::string_view> single_statements(std::string_view piece) {
    const std::string text(piece);
    PgQuerySplitResult result = pg_query_split_with_parser(text.c_str());
    std::vector<std::string_view> out;
    if (result.error == nullptr && result.n_stmts > 1) {
        for (int i = 0; i < result.n_stmts; ++i) {
            const auto location = static_cast<std::size_t>(result.stmts[i]->stmt_location);
            const auto length = static_cast<std::size_t>(result.stmts[i]->stmt_len);
            out.push_back(length == 0 ? piece.substr(location) : piece.substr(location, length));
        }
    }
    pg_query_free_split_result(result);
    if (out.empty()) out.push_back(piece);
    return out;
}

}  // namespace trovella::client
