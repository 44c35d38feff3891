#include "pg/sha256.hpp"

#include <stdexcept>

#include "pg/guard.hpp"

namespace trovella::pg {

std::string sha256_hex(std::string_view bytes) {
    uint8 digest[PG_SHA256_DIGEST_LENGTH];
    const char* failure = nullptr;
    pg_call([&] {
        pg_cryptohash_ctx* ctx = pg_cryptohash_create(PG_SHA256);
        if (pg_cryptohash_init(ctx) < 0 ||
            pg_cryptohash_update(ctx, reinterpret_cast<const uint8*>(bytes.data()), bytes.size()) < 0 ||
            cryptohash_final(ctx, digest, sizeof(digest)) < 0)
            failure = cryptohash_error(ctx);
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

}  // namespace trovella::pg
