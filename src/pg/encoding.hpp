// Drizzle's journal and migration files are UTF-8, and Drizzle hashes the files' UTF-8 bytes. The
// extension therefore works in databases whose encoding is UTF8 (or SQL_ASCII, which keeps the
// bytes as sent): converting the texts to another encoding would change what is hashed and what
// the JSON parser reads. Other databases get a clear error before anything is read.
#pragma once

#include <string>

namespace trovella::pg {

// Throws core::Error(unsupported) naming the database's encoding when it is not UTF8 or SQL_ASCII.
void require_utf8_database();

// Throws core::Error(invalid_input) naming `file` when `bytes` are not valid UTF-8.
void require_utf8_file(const std::string& bytes, const std::string& file);

}  // namespace trovella::pg
