// apply_folder(): a migrations folder on the database server itself, read with the privileges of
// pg_read_server_files: drizzle-kit 0.x's (meta/_journal.json and the <tag>.sql files) or Drizzle
// 1.x's (<YYYYMMDDHHMMSS>_<name>/migration.sql, no journal).
#pragma once

#include <optional>
#include <string>

#include "core/migration_texts.hpp"

namespace trovella::pg {

struct FolderContents {
    std::optional<std::string> journal;  // none: a Drizzle 1.x folder
    core::MigrationTexts texts;          // every *.sql file of the folder by tag; 1.x: every migration.sql by folder name
};

// Throws when the caller may not read server files, the folder is missing or holds neither layout
// (or both), or a file is not valid in the database encoding.
FolderContents read_folder(const std::string& path);

}  // namespace trovella::pg
