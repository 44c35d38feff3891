// Drizzle's migration hash: lowercase hex SHA-256 of the file's bytes, via PostgreSQL's cryptohash.
#pragma once
#include <string>
#include <string_view>

namespace trovella::pg {

std::string sha256_hex(std::string_view bytes);

// The hash Drizzle computes for a migration file, from its text as the server holds it. Drizzle
// hashes the file's UTF-8 bytes; in a database whose encoding is not UTF-8 (LATIN1, say) the text
// arrived converted to that encoding, so it is converted back to UTF-8 first (SQL_ASCII keeps the
// bytes as sent).
std::string migration_hash(std::string_view server_text);

// A file's UTF-8 bytes as text in the database encoding; `file` names it in errors (invalid
// UTF-8, or a character the database encoding cannot hold).
std::string utf8_to_server(const std::string& bytes, const std::string& file);

}  // namespace trovella::pg
