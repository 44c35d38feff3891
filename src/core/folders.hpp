// Drizzle 1.x's folder layout (doc/drizzle-v1.md section 1): one folder per migration,
// <YYYYMMDDHHMMSS>_<name>/migration.sql, and no journal. The folder name is the migration's tag
// and its name in the tracking table; its first 14 digits, a UTC time, give created_at. Both hosts
// read the folders their own way (the extension on the server's disk, the client on its own) and
// hand the texts here, keyed by folder name, as the SQL functions take them (journal NULL).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/journal.hpp"
#include "core/migration_texts.hpp"

namespace trovella::core {

// The file of each migration in its folder.
inline constexpr std::string_view kFolderMigrationFile = "migration.sql";
// Longest folder name accepted (a file name has at most 255 bytes).
inline constexpr std::size_t kMaxFolderNameBytes = 255;

// True when `name` starts with 14 ASCII digits: a folder meant to be a migration.
bool starts_with_timestamp(std::string_view name);

// created_at of a folder, as drizzle-orm 1.x computes it (formatToMillis): Date.UTC of the name's
// first 14 characters read as YYYYMMDDHHMMSS, in milliseconds (always whole seconds). Throws
// Error(invalid_input) naming the folder when they are not 14 digits forming a real UTC time from
// 1970 on: drizzle-kit never writes such a name, and drizzle-orm would silently normalise an
// out-of-range field (month 13 is January of the next year) or fail at its INSERT (NaN).
// Also refuses what no folder name can hold: nothing, NUL, '/', '\', more than 255 bytes.
std::int64_t folder_millis(std::string_view name);

// The migrations of a Drizzle 1.x folder: the keys of `texts` are the folder names. Entries are in
// the byte order of the names, which is the order of their times (the first 14 characters are
// digits); `when` = folder_millis, idx = position. drizzle-orm 1.x sorts with localeCompare, which
// agrees for different seconds but can differ within one second (`_`, digits, case, accents, and
// with the user's locale): folders sharing a second are named in a warning. Throws
// Error(invalid_input) for a name folder_millis refuses.
Journal journal_of_folders(const MigrationTexts& texts);
// The same from the names alone.
Journal journal_of_folders(const std::vector<std::string>& names);

// The folder name `drizzle-kit up` gives a 0.x journal entry: the UTC YYYYMMDDHHMMSS of `when`,
// "_", and the tag after its first "_" ("0003_add_users", when 1796180630209 ->
// "20261202030350_add_users"). A row recorded for the entry in a version-1 tracking table must
// carry this name, so that drizzle-orm 1.x finds it applied once the folder is converted.
std::string up_name(std::string_view tag, std::int64_t when);

// "2026-12-02 03:03:50 UTC" (milliseconds dropped), for messages.
std::string utc_time(std::int64_t millis);

// A folder that holds meta/_journal.json and Drizzle 1.x migration folders: every Drizzle 1.x tool
// refuses it (drizzle-orm: "We detected that you have old drizzle-kit migration folders. You must
// upgrade drizzle-kit and run \"drizzle-kit up\""). `where` names the folder, `v1_folders` the
// migration folders found beside the journal.
Error mixed_layout_error(const std::string& where, const std::vector<std::string>& v1_folders);

}  // namespace trovella::core
