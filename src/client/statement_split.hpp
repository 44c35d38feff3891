// A piece between two statement-breakpoints can hold several statements ("A; B;"). Over SPI or
// psql's simple protocol they run as one string; in libpq's pipeline mode (the extended
// protocol) a query holds one statement, so the client engine sends them one by one, cut where
// PostgreSQL's own parser (libpg_query) says each begins and ends. Same statements, same order,
// same transaction.
#pragma once

#include <string_view>
#include <vector>

namespace trovella::client {

// The statements of `piece` as views into it; the whole piece when it holds one (or when the
// parser cannot read it: the pre-flight check has reported that already).
std::vector<std::string_view> single_statements(std::string_view piece);

}  // namespace trovella::client
