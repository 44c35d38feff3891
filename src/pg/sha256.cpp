#include "pg/sha256.hpp"

#include <stdexcept>

#include "core/error.hpp"
#include "pg/guard.hpp"

extern "C" {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wregister"
#include "mb/pg_wchar.h"
#pragma GCC diagnostic pop
}

namespace trovella::pg {

namespace {

bool converts_from_utf8() {
    const int encoding = GetDatabaseEncoding();
    return encoding != PG_UTF8 && encoding != PG_SQL_ASCII;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    uint8 digest[PG_SHA256_DIGEST_LENGTH];
    const char* failure = nullptr;
    pg_call([&] {
        pg_cryptohash_ctx* ctx = pg_cryptohash_create(PG_SHA256);
        if (pg_cryptohash_init(ctx) < 0 ||
            pg_cryptohash_update(ctx, reinterpret_cast<const uint8*>(bytes.data()), bytes.size()) < 0 ||
            pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
            failure = pg_cryptohash_error(ctx);
        pg_cryptohash_free(ctx);
    });
    if (failure != nullptr) throw std::runtime_error(std::string("could not compute SHA-256: ") + failure);
    static const char hex[] = "0123456789abcdef";
    std::string out(2 * PG_SHA256_DIGEST_LENGTH, '0');
    for (int i = 0; i < PG_SHA256_DIGEST_LENGTH; ++i) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0x0F];
    }
    return out;
}

std::string migration_hash(std::string_view server_text) {
    if (!converts_from_utf8()) return sha256_hex(server_text);
    char* utf8 = pg_call([&] {
        return pg_server_to_any(server_text.data(), static_cast<int>(server_text.size()), PG_UTF8);
    });
    std::string bytes(utf8);
    if (utf8 != server_text.data()) pg_call([&] { pfree(utf8); });
    return sha256_hex(bytes);
}

std::string utf8_to_server(const std::string& bytes, const std::string& file) {
    const bool valid = pg_call([&] {
        return pg_verify_mbstr(PG_UTF8, bytes.data(), static_cast<int>(bytes.size()), true);
    });
    if (!valid)
        throw core::invalid_input("\"" + file + "\" is not valid UTF-8 text", {},
                                  "drizzle-kit writes migration files in UTF-8; so must an edited file be.");
    if (!converts_from_utf8()) return bytes;
    char* converted = nullptr;
    try {
        converted = pg_call([&] { return pg_any_to_server(bytes.data(), static_cast<int>(bytes.size()), PG_UTF8); });
    } catch (const PgError& e) {
        throw core::invalid_input("\"" + file + "\" holds a character the database encoding (" +
                                  GetDatabaseEncodingName() + ") cannot hold: " + e.what());
    }
    std::string out(converted);
    if (converted != bytes.data()) pg_call([&] { pfree(converted); });
    return out;
}

}  // namespace trovella::pg
