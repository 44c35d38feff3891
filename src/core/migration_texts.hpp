// The `migrations` argument: a JSON object mapping each tag to the exact text of its .sql file.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/journal.hpp"

namespace trovella::core {

using MigrationTexts = std::map<std::string, std::string, std::less<>>;

// Throws Error(invalid_input) when the text is not a JSON object whose values are all strings.
MigrationTexts parse_migration_texts(std::string_view json_text);

// The errors of parse_migration_texts, for a host that reads the object itself (the extension
// walks its jsonb argument): `type` as JSON names it (object, array, string, number, boolean, null).
[[noreturn]] void throw_texts_not_an_object(const std::string& type);
[[noreturn]] void throw_text_not_a_string(const std::string& tag, const std::string& type);

// A Drizzle 1.x folder's migrations by name only (no texts: what status and verify need, as a
// journal alone is for drizzle-kit 0.x): a JSON array of folder names. Returns nothing when the
// text is not a JSON array (then it is the usual object of texts); throws Error(invalid_input) for
// an array holding anything but strings, or a name twice.
std::optional<std::vector<std::string>> parse_folder_names(std::string_view json_text);

// Journal entries whose text is missing: an error naming every such tag.
void require_texts(const Journal& journal, const MigrationTexts& texts);

// Texts whose tag the journal lacks (hand-written files never run), in tag order.
std::vector<std::string> orphan_tags(const Journal& journal, const MigrationTexts& texts);

}  // namespace trovella::core
