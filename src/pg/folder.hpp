// apply_folder(): a migrations folder on the database server itself (meta/_journal.json and the
// <tag>.sql files), read with the privileges of pg_read_server_files.
#pragma once

#include <optional>
#include <string>

#include "core/migration_texts.hpp"

namespace trovella::pg {

struct FolderContents {
    std::string journal;
    core::MigrationTexts texts;  // every *.sql file of the folder, by tag
};

// Throws when the caller may not read server files, the folder or its journal is missing, or a
// file is not valid in the database encoding.
FolderContents read_folder(const std::string& path);

}  // namespace trovella::pg
