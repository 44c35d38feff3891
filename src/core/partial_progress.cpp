#include "core/partial_progress.hpp"

#include <cstdint>

#include "core/no_postgres.hpp"

namespace trovella::core {

void PartialProgress::add(std::int64_t created_at, const std::string& tag, const Progress& progress) {
    by_when_[created_at] = progress;
    by_tag_[tag] = progress;
    tags_by_when_.emplace(created_at, tag);
}

const Progress* PartialProgress::find(const Journal& journal, const JournalEntry& entry,
                                      const std::string* hash) const {
    if (journal.layout == Layout::journal) {
        auto it = by_when_.find(entry.when);
        return it == by_when_.end() ? nullptr : &it->second;
    }
    if (auto it = by_tag_.find(entry.tag); it != by_tag_.end()) return &it->second;
    // Renamed since it ran: a record of this second (a 0.x entry's created_at has milliseconds,
    // its folder's name only the second) under a name that no folder has.
    const Progress* renamed = nullptr;
    const std::int64_t second_ends = entry.when > INT64_MAX - 1000 ? INT64_MAX : entry.when + 1000;
    for (auto it = tags_by_when_.lower_bound({entry.when, std::string()});
         it != tags_by_when_.end() && it->first < second_ends; ++it) {
        if (journal.find(it->second) != nullptr) continue;
        const Progress& p = by_tag_.find(it->second)->second;
        if (hash != nullptr && p.hash != *hash) continue;
        if (renamed != nullptr) return nullptr;  // two of them: which one is not known, none is taken
        renamed = &p;
    }
    return renamed;
}

}  // namespace trovella::core
