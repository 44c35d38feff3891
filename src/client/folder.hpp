// A Drizzle migrations folder read from disk: meta/_journal.json (checked with the core's journal
// parser) and every *.sql file in it, each read once, straight into the text[] sent to the server.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "client/text_array.hpp"
#include "core/journal.hpp"

namespace trovella::client {

struct MigrationFolder {
    std::string dir;  // as given, or the default found
    std::string journal_path;
    std::string journal_text;  // exact bytes
    core::Journal journal;

    // The files, as parallel text[] arrays of tags and texts: first the orphans (files the
    // journal lacks, by name), then one per journal entry in journal order, so the files of the
    // entries up to a given one (with the orphans) are a prefix of the arrays.
    TextArray tags;
    TextArray texts;
    std::size_t orphan_count = 0;

    std::size_t file_count() const { return tags.size(); }
    // Number of array elements to send for the journal entries up to and including `position`.
    std::size_t files_through(std::size_t position) const { return orphan_count + position + 1; }
};

// --dir, else the current directory if it has meta/_journal.json, else ./drizzle, else
// ./src/migrations, else ./drizzle (which then is reported missing).
std::string resolve_dir(const std::optional<std::string>& dir);

// Reads and checks the folder. Throws Failure (exit 2) naming the folder or file: missing folder
// or journal, unreadable file, NUL byte or invalid UTF-8 (with the line), a journal entry without
// its file; an invalid journal is the core's error (SQLSTATE 22023, as the extension reports it).
MigrationFolder read_folder(const std::string& dir);

}  // namespace trovella::client
