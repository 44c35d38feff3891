#include "client/status_table.hpp"

#include <ctime>

#include "client/text_table.hpp"
#include "core/messages.hpp"

namespace trovella::client {

namespace {

std::string utc(long long milliseconds) {
    std::time_t seconds = static_cast<std::time_t>(milliseconds / 1000);
    std::tm tm{};
    if (gmtime_r(&seconds, &tm) == nullptr) return {};
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    return text;
}

std::string short_hash(const std::optional<std::string>& hash) { return hash ? hash->substr(0, 12) + "..." : "?"; }

std::string note(const StatusRow& row, core::Layout layout) {
    if (row.state == "modified")
        return "file sha256 " + short_hash(row.hash) + " but recorded " + short_hash(row.recorded_hash);
    if (row.state == "out_of_order") return "older than the newest applied migration";
    if (row.state == "unknown")
        return "tracking row (hash " + short_hash(row.recorded_hash) + ") that the " +
               (layout == core::Layout::journal ? "journal" : "migrations folder") + " lacks";
    if (row.state == "orphan") return "file not in the journal: never run";
    if (row.state == "pending" && row.hash) return "sha256 " + short_hash(row.hash);
    if (row.state == "partial")
        return "run outside a transaction and interrupted: " + row.progress.value_or("?") +
               " statements completed; migrate resumes it";
    return {};
}

std::string printable_tag(const std::optional<std::string>& tag) {
    if (!tag) return "?";
    std::string out = *tag;
    for (char& c : out)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    return out;
}

}  // namespace

StatusCounts count_states(const std::vector<StatusRow>& rows) {
    StatusCounts c;
    for (const auto& row : rows) {
        if (row.recorded_hash) ++c.recorded;
        const std::string& s = row.state;
        if (s == "applied") ++c.applied;
        if (s == "pending") ++c.pending_in_order;
        if (s == "partial") ++c.partial, ++c.pending_in_order;
        if (s == "modified") ++c.modified;
        if (s == "out_of_order") ++c.out_of_order;
        if (s == "unknown") ++c.unknown;
        if (s == "orphan") ++c.orphan;
    }
    c.expected = c.applied + c.pending_in_order + c.modified + c.out_of_order;
    c.pending = c.pending_in_order + c.out_of_order;
    return c;
}

std::string status_table(const std::vector<StatusRow>& rows, core::Layout layout) {
    std::vector<std::vector<std::string>> cells{{"IDX", "TAG", "STATE", "GENERATED (UTC)", "APPLIED AT", "NOTE"}};
    for (const auto& row : rows)
        cells.push_back({row.idx ? std::to_string(*row.idx) : "", printable_tag(row.tag),
                         row.state + (row.progress ? " " + *row.progress : ""),
                         row.created_at ? utc(*row.created_at) : "", row.applied_at_shown.value_or(""), note(row, layout)});
    return text_table(cells);
}

std::string status_summary(const std::vector<StatusRow>& rows) {
    StatusCounts c = count_states(rows);
    std::string line = core::messages::migration_state(c.recorded, c.expected, c.pending);
    std::vector<std::string> others;
    if (c.partial > 0) others.push_back(std::to_string(c.partial) + " partly applied");
    if (c.out_of_order > 0) others.push_back(std::to_string(c.out_of_order) + " out of order");
    if (c.modified > 0) others.push_back(std::to_string(c.modified) + " modified");
    if (c.unknown > 0) others.push_back(std::to_string(c.unknown) + " unknown");
    if (c.orphan > 0) others.push_back(std::to_string(c.orphan) + " orphan");
    if (!others.empty()) line += " (" + core::messages::join(others, ", ") + ")";
    return line;
}

}  // namespace trovella::client
