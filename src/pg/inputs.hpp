// The SQL arguments (journal, migrations, options), read and checked before anything runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/journal.hpp"
#include "core/migration_texts.hpp"
#include "core/options.hpp"
#include "core/planner.hpp"
#include "pg/guard.hpp"

namespace trovella::pg {

struct Inputs {
    core::Journal journal;
    std::optional<core::MigrationTexts> texts;  // absent when the argument was NULL
    core::FileHashes hashes;                    // tag -> SHA-256 of every text given
    std::vector<std::string> orphans;           // texts whose tag the journal lacks
    core::Options options;
};

enum class Texts { required, optional };

// Reads arguments 0 (journal json), 1 (migrations jsonb) and `options_arg` (options jsonb).
// Emits the journal's warnings and the orphan files as WARNINGs.
Inputs read_inputs(FunctionCallInfo fcinfo, core::Function fn, Texts texts, int options_arg = 2);

// The same from values already read (apply_folder reads them from the server's disk).
Inputs make_inputs(const std::string& journal_text, std::optional<core::MigrationTexts> texts, core::Options options,
                   core::Function fn, Texts required);

// Argument `n` as text (NULL -> nullopt); for text, json and jsonb arguments.
std::optional<std::string> text_arg(FunctionCallInfo fcinfo, int n, bool jsonb);

void warn(const std::string& message);
void notice(const std::string& message);

}  // namespace trovella::pg
