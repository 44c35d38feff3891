// What is applied, pending, modified, out of order or unknown (DESIGN section 4): identity, not a
// high-water mark. A journal entry (drizzle-kit 0.x) is the row with created_at = its `when`; a
// Drizzle 1.x migration folder is the row with name = the folder name (doc/drizzle-v1.md 2.4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/journal.hpp"
#include "core/options.hpp"

namespace trovella::core {

struct TrackingRow {
    std::int64_t id = 0;
    std::string hash;
    std::optional<std::int64_t> created_at;
    std::optional<std::string> name = std::nullopt;  // version-1 tables (or the name an upgrade gives the row)
};

// Drizzle's tracking table: version 0 (id, hash, created_at), as drizzle-orm 0.x creates it, or
// version 1 (also name and applied_at), as drizzle-orm 1.x does. Drizzle's own rule: version 1 when
// the table has a column called `name`, whatever else it has.
enum class TableVersion { missing, v0, v1 };

enum class State { applied, pending, modified, out_of_order, unknown, orphan };

const char* state_name(State state);

struct EntryState {
    const JournalEntry* entry = nullptr;
    State state = State::pending;
    const std::string* file_hash = nullptr;  // into the hashes given to assess(); none without the text
    const TrackingRow* row = nullptr;      // the tracking row that records it, if any
};

// Tag -> SHA-256 of the text, for the entries whose text was given.
using FileHashes = std::map<std::string, std::string, std::less<>>;

struct Assessment {
    Layout layout = Layout::journal;             // identity by created_at (journal) or by name (folders)
    std::vector<EntryState> entries;             // journal order
    std::vector<const TrackingRow*> unknown;     // rows that match no entry, id order
    std::size_t expected = 0;                    // journal entries
    std::size_t recorded = 0;                    // rows of the tracking table (the wiki's count)
    std::optional<std::int64_t> newest_recorded; // journal: max(created_at) before the run
    const JournalEntry* newest_applied = nullptr;  // folders: the last applied folder in folder order

    std::size_t count(State state) const;
    std::size_t pending() const { return count(State::pending) + count(State::out_of_order); }
    std::vector<const EntryState*> with_state(State state) const;
};

// `rows` must outlive the result (it points into them). For a Drizzle 1.x folder the rows must carry
// their names (those a version-0 table's rows will get: core/upgrade.hpp); a row without one
// matches nothing. Out of order there means: pending, and before the last applied folder in folder
// order (an upgraded 0.x row keeps its milliseconds, new rows have whole seconds: created_at cannot
// compare them).
// `own_rows`: ids of rows the current apply_each call wrote itself. They count as recorded, but
// not for what is out of order: the call decided its order against the state before it began,
// and only rows committed by others since can make its remaining entries out of order.
Assessment assess(const Journal& journal, const std::vector<TrackingRow>& rows,
                  const FileHashes* hashes, const std::set<std::int64_t>* own_rows = nullptr);

// Entries `apply` runs, in journal order: pending, plus out of order when allowed.
std::vector<const EntryState*> entries_to_apply(const Assessment& assessment);

// Throws Error(refused) naming every offending tag when apply may not proceed: the database is
// ahead, unknown rows, modified entries (unless allowed), out-of-order entries (unless allowed).
void check_can_apply(const Assessment& assessment, const Options& options);

// What a verification found.
struct Verification {
    std::vector<std::string> problems;  // empty when verified
    bool count_differs = false;         // then the first problem is the wiki's count line
    bool ok() const { return problems.empty(); }
    // The error's first line: the wiki's own line when the counts differ ("Migration count
    // mismatch: ...", "Database has N migrations but ..."), else "<prefix>: <first problem>".
    std::string headline(const std::string& prefix) const;
};

// Layer 1 after apply: every entry has its row with the right hash and the count matches.
// Modified entries let through by allow_modified are exempt from the hash comparison.
Verification after_apply_verification(const Assessment& after, const Options& options);

// Layer 2: what `verify` reports.
Verification layer2_verification(const Assessment& assessment);

// The problems alone (empty when verified).
inline std::vector<std::string> after_apply_problems(const Assessment& after, const Options& options) {
    return after_apply_verification(after, options).problems;
}
inline std::vector<std::string> verify_problems(const Assessment& assessment) {
    return layer2_verification(assessment).problems;
}

}  // namespace trovella::core
