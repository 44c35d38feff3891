// The inputs of every function, read and checked before anything runs: the journal (or, for a
// Drizzle 1.x folder, the list made from the folder names), the migration texts with their hashes,
// the orphan files, the options. The host reads the arguments
// (SQL arguments in the extension, files in the client) and computes the hashes its own way
// (PostgreSQL's cryptohash, libcrypto): both are SHA-256 of the same bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/journal.hpp"
#include "core/migration_texts.hpp"
#include "core/options.hpp"
#include "core/planner.hpp"

namespace trovella::core {

struct Inputs {
    Journal journal;
    std::optional<MigrationTexts> texts;  // absent when not given
    FileHashes hashes;                    // tag -> SHA-256 of every text given
    std::vector<std::string> orphans;     // texts whose tag the journal lacks
    Options options;
    std::vector<std::string> warnings;    // the journal's, and the orphan files: the host shows them

    const std::string& text_of(const JournalEntry& entry) const { return texts->find(entry.tag)->second; }
    const std::string& hash_of(const JournalEntry& entry) const { return hashes.find(entry.tag)->second; }
    bool has_text(const JournalEntry& entry) const { return texts && texts->count(entry.tag) > 0; }
};

enum class Texts { required, optional };

using HashFunction = std::string (*)(std::string_view bytes);

// Throws Error(invalid_input) naming what is wrong; `texts` required: every journal entry has one.
// Without a journal (SQL NULL) the texts are a Drizzle 1.x folder's, keyed by folder name
// (core/folders.hpp), and required whatever `required` says: they are the list of migrations.
// `folder_names`: a Drizzle 1.x folder's migrations by name only (journal and texts absent), which
// status and verify accept; the other functions need the texts.
Inputs make_inputs(std::optional<std::string_view> journal_text, std::optional<MigrationTexts> texts,
                   Options options, Function fn, Texts required, HashFunction hash,
                   const std::vector<std::string>* folder_names = nullptr);

}  // namespace trovella::core
