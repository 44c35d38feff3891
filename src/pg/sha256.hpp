// Drizzle's migration hash: lowercase hex SHA-256 of the file's bytes, via PostgreSQL's cryptohash.
#pragma once
#include <string>
#include <string_view>

namespace trovella::pg {

std::string sha256_hex(std::string_view bytes);

}  // namespace trovella::pg
