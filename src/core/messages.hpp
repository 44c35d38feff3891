// The wiki's messages, verbatim: users and their CI scripts grep for these texts.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace trovella::core::messages {

std::string migration_state(std::size_t applied, std::size_t expected, std::size_t pending);
std::string database_ahead(std::size_t database, std::size_t journal);
inline const char* running() { return "Running migrations..."; }
inline const char* nothing_pending() { return "No pending migrations: the database is up to date."; }
std::string complete(std::size_t applied_now);
std::string verified(std::size_t total);
std::string count_mismatch(std::size_t database, std::size_t expected);

std::string qualified_table(const std::string& schema, const std::string& table);
std::string join(const std::vector<std::string>& lines, const char* separator);
std::string plural(std::size_t n, const char* one, const char* many);
// nlohmann's exception texts start with "[json.exception.parse_error.101] "; users need the rest.
std::string json_error(const std::string& what);

}  // namespace trovella::core::messages
