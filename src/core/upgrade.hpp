// Names for tracking rows (doc/drizzle-v1.md sections 3 and 5). drizzle-orm 1.x decides what is
// pending by the `name` column of a version-1 tracking table, so every row there must carry one:
//  - a version-0 table given a Drizzle 1.x folder is upgraded exactly as drizzle-orm 1.x upgrades it
//    (upToV1): each row is matched to a migration folder by its created_at cut to the second, then
//    by its hash; the upgrade is refused, before any change, when a row matches none;
//  - a version-1 table may hold rows without a name (drizzle-orm 0.x writes them, and so did a
//    drizzle-orm 1.x upgrade that raced an insert): drizzle-orm 1.x would run their migrations
//    again. They get the name the same matching gives them (a 0.x journal entry: the folder name
//    `drizzle-kit up` will give it) whenever trovella_migrate writes to the table.
// Read-only functions compute the same names in memory and change nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/journal.hpp"
#include "core/planner.hpp"

namespace trovella::core {

struct RowName {
    std::int64_t id = 0;
    std::string name;
};

// A row no migration matches, and why.
struct UnmatchedRow {
    TrackingRow row;
    std::string why;
};

struct Naming {
    TableVersion version = TableVersion::missing;
    // A version-0 table and a Drizzle 1.x folder: add name and applied_at, and name every row
    // (applied_at NULL, as drizzle-orm 1.x leaves the rows it upgrades).
    bool upgrade = false;
    std::vector<RowName> names;           // what to write: every row (upgrade), or rows whose name is NULL
    std::vector<UnmatchedRow> unmatched;  // rows the matching names nothing (an upgrade refuses them)
    std::vector<TrackingRow> rows;        // the rows, each with the name it has or will get; id order
    bool changes_table() const { return upgrade || !names.empty(); }
};

// The names the rows have or get (see above). `rows` in id order, as read from a table of
// `version`. A 0.x journal never upgrades a version-0 table (drizzle-orm 0.x writes no names); in
// a version-1 table its rows without a name get the up name of the entry with their created_at.
// A Drizzle 1.x folder: drizzle-orm 1.x's matching (upToV1). The folder's migrations are taken in
// (created_at, name) order; a row's created_at is cut to the second (toward zero, as drizzle-orm
// cuts the digits); when exactly one migration is from that second, it is the match whatever its
// hash; when several are, the first of them with the row's hash; when none is, the last migration
// with the row's hash.
Naming name_rows(const Journal& journal, TableVersion version, std::vector<TrackingRow> rows, const FileHashes& hashes);

// The refusal of an upgrade with unmatched rows (drizzle-orm 1.x: "While upgrading your database
// migrations table we found N migrations (ids: ...) in the database that do not match any local
// migration"), in trovella's words: Error(refused), naming every row and why.
Error upgrade_refusal(const Naming& naming, const std::string& table);

// What the rows' names are, for messages: "name \"x\", " or nothing.
std::string describe_name(const TrackingRow& row);

// What is said when the names are written, or would be.
std::string upgraded_notice(const std::string& table, std::size_t rows);
std::string named_rows_warning(const Naming& naming);         // rows of a version-1 table that had no name
std::string still_version0_notice(const std::string& table);  // read-only functions on a version-0 table
// The problems verification finds in the names (rows of a version-1 table without a name).
std::vector<std::string> naming_problems(const Naming& naming);

}  // namespace trovella::core
