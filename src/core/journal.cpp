#include "core/journal.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/json_input.hpp"
#include "core/messages.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {

using json = nlohmann::json;

std::string describe_type(const json& value) { return value.type_name(); }

// A value as shown in messages. dump() recurses once per nesting level, so a deeply nested
// array or object would overflow the stack: those are named by their type only.
std::string describe_value(const json& value) {
    return value.is_structured() ? describe_type(value) : value.dump();
}

// "journal entries[3] (tag "0003_x")": how an entry is named in every message.
std::string entry_name(std::size_t position, const std::string* tag) {
    std::string name = "journal entries[" + std::to_string(position) + "]";
    if (tag != nullptr) name += " (tag " + quote_tag(*tag) + ")";
    return name;
}


std::optional<std::string> optional_string(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    return describe_value(*it);
}

}  // namespace

std::string quote_tag(std::string_view tag) {
    constexpr std::size_t kShown = 80;
    std::size_t cut = std::min(kShown, tag.size());
    while (cut > 0 && cut < tag.size() && (static_cast<unsigned char>(tag[cut]) & 0xC0) == 0x80)
        --cut;  // never cut a UTF-8 sequence in half
    std::string shown(tag.substr(0, cut));
    for (char& c : shown)
        if (c == '\0') c = '?';
    if (cut < tag.size()) shown += "...(" + std::to_string(tag.size()) + " bytes)";
    return "\"" + shown + "\"";
}

void check_tag(std::string_view tag, const std::string& where) {
    if (tag.empty()) throw invalid_input(where + ": tag is empty");
    if (tag.size() > kMaxTagBytes)
        throw invalid_input(where + ": tag is " + std::to_string(tag.size()) +
                            " bytes long; a migration file name allows at most " +
                            std::to_string(kMaxTagBytes) + " bytes before \".sql\"");
    if (tag.find('\0') != std::string_view::npos)
        throw invalid_input(where + ": tag contains a NUL byte");
    if (tag.find('/') != std::string_view::npos || tag.find('\\') != std::string_view::npos)
        throw invalid_input(where + ": tag contains a path separator; a tag is a file name without \".sql\"");
    if (tag.find("..") != std::string_view::npos)
        throw invalid_input(where + ": tag contains \"..\"; a tag is a file name without \".sql\"");
}

const JournalEntry* Journal::find(std::string_view tag) const {
    auto it = position_of_tag_.find(tag);
    return it == position_of_tag_.end() ? nullptr : &entries[it->second];
}

bool Journal::append(JournalEntry entry) {
    if (!position_of_tag_.emplace(entry.tag, entries.size()).second) return false;
    entry.position = entries.size();
    entries.push_back(std::move(entry));
    return true;
}

Journal parse_journal(std::string_view text) {
    json root;
    try {
        root = parse_json_input(text);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
        throw invalid_input("journal is not valid JSON: " + messages::json_error(e.what()),
                            {}, "Pass the exact text of meta/_journal.json.");
    }
    if (!root.is_object())
        throw invalid_input("journal must be a JSON object with an \"entries\" array, not " +
                            describe_type(root));

    Journal journal;
    if (auto version = optional_string(root, "version")) {
        journal.version = *version;
        if (journal.version != "5" && journal.version != "6" && journal.version != "7")
            journal.warnings.push_back("journal version \"" + journal.version +
                                       "\" is not one drizzle-kit writes for PostgreSQL (5, 6 or 7)");
    }
    if (auto dialect = optional_string(root, "dialect")) {
        journal.dialect = *dialect;
        if (journal.dialect != "postgresql" && journal.dialect != "pg")
            throw invalid_input("journal dialect is \"" + journal.dialect +
                                "\"; only \"postgresql\" (or the legacy \"pg\") journals can be applied to PostgreSQL");
    }

    auto entries = root.find("entries");
    if (entries == root.end())
        throw invalid_input("journal has no \"entries\" array");
    if (!entries->is_array())
        throw invalid_input("journal \"entries\" must be an array, not " + describe_type(*entries));

    std::map<std::string, std::size_t, std::less<>>& tag_at = journal.position_of_tag_;
    std::map<std::int64_t, std::size_t> when_at;
    journal.entries.reserve(entries->size());
    for (std::size_t position = 0; position < entries->size(); ++position) {
        check_interrupts();
        const json& item = (*entries)[position];
        if (!item.is_object())
            throw invalid_input(entry_name(position, nullptr) + " must be an object, not " +
                                describe_type(item));
        JournalEntry entry;
        entry.position = position;

        auto tag = item.find("tag");
        if (tag == item.end() || !tag->is_string())
            throw invalid_input(entry_name(position, nullptr) + " has no string \"tag\"");
        entry.tag = tag->get<std::string>();
        const std::string name = entry_name(position, &entry.tag);
        check_tag(entry.tag, name);

        auto when = item.find("when");
        if (when == item.end())
            throw invalid_input(name + " has no \"when\"");
        if (when->is_number_unsigned()) {
            if (when->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
                throw invalid_input(name + ": \"when\" is out of range for a bigint");
            entry.when = static_cast<std::int64_t>(when->get<std::uint64_t>());
        } else if (when->is_number_integer()) {
            entry.when = when->get<std::int64_t>();
            if (entry.when < 0)
                throw invalid_input(name + ": \"when\" must not be negative, got " + describe_value(*when));
        } else {
            throw invalid_input(name + ": \"when\" must be a non-negative integer (milliseconds), got " +
                                describe_value(*when));
        }

        if (auto seen = tag_at.find(entry.tag); seen != tag_at.end())
            throw invalid_input(name + ": duplicate tag, also at journal entries[" +
                                std::to_string(seen->second) + "]");
        if (auto seen = when_at.find(entry.when); seen != when_at.end())
            throw invalid_input(name + ": duplicate \"when\" " + std::to_string(entry.when) +
                                ", also at journal entries[" + std::to_string(seen->second) +
                                "]; the tracking table identifies a migration by its \"when\"");
        tag_at.emplace(entry.tag, position);
        when_at.emplace(entry.when, position);

        // idx is informative (entries apply in array order) but shown as an integer column.
        auto idx = item.find("idx");
        if (idx != item.end() && idx->is_number_integer()) {
            bool in_range = idx->is_number_unsigned() ? idx->get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxIdx)
                                                      : idx->get<std::int64_t>() >= -kMaxIdx - 1;
            if (!in_range)
                throw invalid_input(name + ": idx " + idx->dump() + " is out of range for an integer (" +
                                    std::to_string(-kMaxIdx - 1) + " to " + std::to_string(kMaxIdx) + ")");
            entry.idx = idx->get<std::int64_t>();
        }
        if (!entry.idx)
            journal.warnings.push_back(name + " has no integer \"idx\"");
        else if (*entry.idx != static_cast<std::int64_t>(position))
            journal.warnings.push_back(name + ": idx is " + std::to_string(*entry.idx) +
                                       " but the entry is number " + std::to_string(position) +
                                       " in the array (entries apply in array order)");

        if (auto version = optional_string(item, "version")) entry.version = *version;
        auto breakpoints = item.find("breakpoints");
        if (breakpoints != item.end() && breakpoints->is_boolean())
            entry.breakpoints = breakpoints->get<bool>();

        if (!journal.entries.empty() && entry.when <= journal.entries.back().when)
            journal.warnings.push_back(name + ": when " + std::to_string(entry.when) +
                                       " is not newer than the previous entry's " +
                                       std::to_string(journal.entries.back().when));
        journal.entries.push_back(std::move(entry));
    }
    return journal;
}

}  // namespace trovella::core
