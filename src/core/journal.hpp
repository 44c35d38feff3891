// The list of migrations and their order. drizzle-kit 0.x writes it as meta/_journal.json (parsing
// and the checks of DESIGN section 1 are here); Drizzle 1.x has no journal, and the same list is
// made from the folder names (core/folders.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trovella::core {

// Where the list of migrations comes from.
//  - journal: drizzle-kit 0.x, meta/_journal.json and <tag>.sql files; a migration is identified
//    in the tracking table by created_at = its `when`.
//  - folders: Drizzle 1.x, one <YYYYMMDDHHMMSS>_<name>/migration.sql per migration and no journal;
//    the tag is the folder name, `when` its UTC time in ms, and a migration is identified in the
//    tracking table by name = the folder name.
enum class Layout { journal, folders };

struct JournalEntry {
    std::size_t position = 0;          // index in the entries array: the order of application
    std::optional<std::int64_t> idx;   // as written; only checked for warnings
    std::string version;               // entry version as written ("5", "6", "7"), may be empty
    std::int64_t when = 0;             // created_at of its tracking row (0.x: its identity)
    std::string tag;                   // file name without .sql; Drizzle 1.x: the folder name
    bool breakpoints = true;           // informative only: Drizzle splits regardless on PostgreSQL
};

struct Journal;
Journal parse_journal(std::string_view text);

struct Journal {
    Layout layout = Layout::journal;
    std::string version;               // header version, empty when absent
    std::string dialect;               // header dialect, empty when absent
    std::vector<JournalEntry> entries;
    std::vector<std::string> warnings; // idx gaps or mismatches, `when` not increasing, odd headers

    // The entry with this tag, or nullptr; O(log n).
    const JournalEntry* find(std::string_view tag) const;

    // Appends an entry at the end (its position is set here); false, and nothing added, when an
    // entry has its tag already. For lists not parsed from a journal (core/folders.hpp).
    bool append(JournalEntry entry);

    // "journal entry" or "migration folder": how messages name an entry.
    const char* entry_word() const { return layout == Layout::journal ? "journal entry" : "migration folder"; }
    // "in the journal" or "among the migration folders": where a tag was looked for.
    const char* where() const { return layout == Layout::journal ? "in the journal" : "among the migration folders"; }

private:
    friend Journal parse_journal(std::string_view text);
    std::map<std::string, std::size_t, std::less<>> position_of_tag_;
};

// idx is shown as a PostgreSQL integer: larger values are refused, naming the entry.
inline constexpr std::int64_t kMaxIdx = 2147483647;

// Longest tag accepted: a tag names the file `<tag>.sql`, and a file name has at most 255 bytes.
inline constexpr std::size_t kMaxTagBytes = 251;

// Parses and checks the journal text; throws Error(invalid_input) naming the entry at fault.
Journal parse_journal(std::string_view text);

// What makes `tag` unfit as a migration file name ("tag is empty", ...), or nothing.
std::optional<std::string> tag_problem(std::string_view tag);
// Throws Error(invalid_input) "<where>: <tag_problem>" when there is one; `where` names the input.
void check_tag(std::string_view tag, const std::string& where);

// A tag as shown in messages: quoted, and cut short when it is very long.
std::string quote_tag(std::string_view tag);

}  // namespace trovella::core
