// The SQL arguments of the functions (journal, migrations, options, a tag), read and checked
// before anything runs, into the core's Inputs.
#pragma once

#include <optional>
#include <string>

#include "core/inputs.hpp"
#include "pg/guard.hpp"

namespace trovella::pg {

// Reads arguments 0 (journal json; NULL for a Drizzle 1.x folder, whose migrations are keyed by
// folder name), 1 (migrations jsonb) and `options_arg` (options jsonb). Emits the journal's
// warnings and the orphan files as WARNINGs.
core::Inputs read_inputs(FunctionCallInfo fcinfo, core::Function fn, core::Texts texts, int options_arg = 2);

// The same from texts already read (apply_folder reads them from the server's disk).
core::Inputs inputs_of(const std::optional<std::string>& journal_text, std::optional<core::MigrationTexts> texts,
                       core::Options options, core::Function fn);

// Argument `n` as text (NULL -> nullopt); for text, json and jsonb arguments.
std::optional<std::string> text_arg(FunctionCallInfo fcinfo, int n, bool jsonb);
// The same, NULL being an error naming the argument.
std::string required_text_arg(FunctionCallInfo fcinfo, int n, const char* name);

}  // namespace trovella::pg
