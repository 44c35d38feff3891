#include "core/messages.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core::messages {

std::string migration_state(std::size_t applied, std::size_t expected, std::size_t pending) {
    return "Migration state: " + std::to_string(applied) + " applied, " + std::to_string(expected) +
           " expected, " + std::to_string(pending) + " pending";
}

std::string database_ahead(std::size_t database, std::size_t journal) {
    return "Database has " + std::to_string(database) + " migrations but local journal only has " +
           std::to_string(journal);
}

std::string complete(std::size_t applied_now) {
    return "Migrations complete. Applied " + std::to_string(applied_now) + " new migration(s).";
}

std::string verified(std::size_t total) {
    return "Verified: database has all " + std::to_string(total) + " migrations.";
}

std::string count_mismatch(std::size_t database, std::size_t expected) {
    return "Migration count mismatch: database has " + std::to_string(database) + " but expected " +
           std::to_string(expected);
}

std::string qualified_table(const std::string& schema, const std::string& table) {
    return schema + "." + table;
}

std::string join(const std::vector<std::string>& lines, const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) out += separator;
        out += lines[i];
    }
    return out;
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string json_error(const std::string& what) {
    if (!what.empty() && what[0] == '[') {
        auto close = what.find("] ");
        if (close != std::string::npos) return what.substr(close + 2);
    }
    return what;
}

}  // namespace trovella::core::messages
