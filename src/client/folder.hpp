// A Drizzle migrations folder read from disk, each file read once, straight into the text[] sent to
// the server: drizzle-kit 0.x's layout (meta/_journal.json, checked with the core's journal parser,
// and every *.sql file in it) or Drizzle 1.x's (<YYYYMMDDHHMMSS>_<name>/migration.sql, no journal:
// the list of migrations is made from the folder names, core/folders.hpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "client/text_array.hpp"
#include "core/journal.hpp"

namespace trovella::client {

struct MigrationFolder {
    std::string dir;  // as given, or the default found
    core::Layout layout = core::Layout::journal;
    std::string journal_path;  // 0.x only
    std::string journal_text;  // 0.x: its exact bytes; Drizzle 1.x: none (journal NULL is sent)
    core::Journal journal;     // 1.x: made from the folder names (tags = folder names)
    // What the folder holds that is no migration (1.x: a sub-folder named like one without its
    // migration.sql, a .sql file outside any sub-folder): drizzle-orm 1.x skips them silently.
    std::vector<std::string> warnings;

    // The files, as parallel text[] arrays of tags and texts: first the orphans (files the
    // journal lacks, by name), then one per journal entry in journal order, so the files of the
    // entries up to a given one (with the orphans) are a prefix of the arrays. Drizzle 1.x: one per
    // migration folder (its name, its migration.sql), in folder order; no orphans.
    TextArray tags;
    TextArray texts;
    std::size_t orphan_count = 0;

    std::size_t file_count() const { return tags.size(); }
    // Number of array elements to send for the journal entries up to and including `position`.
    std::size_t files_through(std::size_t position) const { return orphan_count + position + 1; }
    // Where a tag is looked for, for messages: the journal's path, or "the migration folders of DIR".
    std::string tag_source() const;
};

// --dir, else the current directory if it is a migrations folder (meta/_journal.json, or a
// Drizzle 1.x <YYYYMMDDHHMMSS>_<name>/migration.sql), else ./drizzle, else ./src/migrations, else
// ./drizzle (which then is reported missing).
std::string resolve_dir(const std::optional<std::string>& dir);

// Reads and checks the folder. Throws Failure (exit 2) naming the folder or file: missing folder,
// neither layout (or both: drizzle-orm 1.x refuses a folder that still has meta/_journal.json),
// unreadable file, NUL byte or invalid UTF-8 (with the line), a journal entry without its file; an
// invalid journal or migration folder name is the core's error (SQLSTATE 22023, as the extension
// reports it).
MigrationFolder read_folder(const std::string& dir);

}  // namespace trovella::client
