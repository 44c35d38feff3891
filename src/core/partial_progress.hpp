// The progress records of migrations run statement by statement outside a transaction
// (core/outside_transaction.hpp) that have not finished, as the history keeps them ("partial"
// events): where an interrupted run resumes, and what status shows as "partial i/n".
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "core/journal.hpp"

namespace trovella::core {

// What the history last recorded of a migration run statement by statement outside a transaction
// that has not finished: no tracking row records it yet.
struct Progress {
    std::string hash;            // of the file it ran from
    std::int64_t completed = 0;  // statements (pieces between breakpoints) completed
};

// A 0.x journal entry is found by its created_at (its identity in the tracking table); a Drizzle
// 1.x folder by its name, since folders of one second share a created_at and the records of a
// finished folder must not be taken for those of another folder of its second. A folder with no
// record under its name takes the one record of its second (created_at cut to the second) made
// under a name that no folder has any more, from the same text when its hash is known: the same
// migration renamed by `drizzle-kit up` after an interrupted 0.x run, which then resumes instead
// of running its completed statements again.
class PartialProgress {
public:
    // Records in the order they were made: a later one about the same migration replaces an earlier.
    void add(std::int64_t created_at, const std::string& tag, const Progress& progress);

    // The latest record about `entry`, or nullptr; `hash` (of its text, where known) only
    // narrows the records of a renamed folder. O(log n) plus the records of its second.
    const Progress* find(const Journal& journal, const JournalEntry& entry, const std::string* hash = nullptr) const;

    bool empty() const { return by_when_.empty(); }

private:
    std::map<std::int64_t, Progress> by_when_;
    std::map<std::string, Progress, std::less<>> by_tag_;
    std::set<std::pair<std::int64_t, std::string>> tags_by_when_;
};

}  // namespace trovella::core
