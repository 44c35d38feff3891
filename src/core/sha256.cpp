#include "core/sha256.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {

// One digest context per thread (a fleet's targets hash on several), reset for every text: a
// context made and freed per text was a tenth of a status() of 10,000 entries. OpenSSL 3 looks
// the algorithm up once (EVP_MD_fetch); EVP_sha256() would be looked up again on every init.
struct Digest {
    struct Free {
        void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
        void operator()(EVP_MD* md) const { EVP_MD_free(md); }
#endif
    };
    std::unique_ptr<EVP_MD_CTX, Free> ctx{EVP_MD_CTX_new()};
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    std::unique_ptr<EVP_MD, Free> fetched{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
    const EVP_MD* md() const { return fetched.get(); }
#else
    const EVP_MD* md() const { return EVP_sha256(); }
#endif
};

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    thread_local Digest digest;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (digest.ctx == nullptr || digest.md() == nullptr ||
        EVP_DigestInit_ex(digest.ctx.get(), digest.md(), nullptr) != 1 ||
        EVP_DigestUpdate(digest.ctx.get(), bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(digest.ctx.get(), out, &length) != 1)
        throw std::runtime_error("could not compute SHA-256 (OpenSSL)");
    static const char hex[] = "0123456789abcdef";
    std::string text(2 * length, '0');
    for (unsigned int i = 0; i < length; ++i) {
        text[2 * i] = hex[out[i] >> 4];
        text[2 * i + 1] = hex[out[i] & 0x0F];
    }
    return text;
}

}  // namespace trovella::core
