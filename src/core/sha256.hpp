// Drizzle's migration hash: lowercase hex SHA-256 of the file's bytes (a BOM and CRLF kept), with
// OpenSSL's libcrypto, for both hosts: the extension (libcrypto is PostgreSQL's own TLS and
// cryptohash library on Debian) and the client. Equal to the server's sha256() of the same bytes.
#pragma once

#include <string>
#include <string_view>

namespace trovella::core {

// Throws std::runtime_error when libcrypto fails (out of memory, a FIPS provider without SHA-256).
std::string sha256_hex(std::string_view bytes);

}  // namespace trovella::core
