// Drizzle's migration hash on the client side: lowercase hex SHA-256 of the file's bytes, with
// OpenSSL's libcrypto; the same bytes give the server's pg_cryptohash result (BOM and CRLF kept).
#pragma once

#include <string>
#include <string_view>

namespace trovella::client {

std::string sha256_hex(std::string_view bytes);

}  // namespace trovella::client
