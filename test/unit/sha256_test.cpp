// Drizzle's hash: SHA-256 of the exact bytes, lowercase hex, the same on every thread (a fleet's
// targets hash at once) and for any length, with the context kept between texts.
#include "core/sha256.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace trovella::core {
namespace {

TEST(Sha256, KnownDigests) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // NIST's two-block message: the context reset between texts must not carry state over.
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, HashesEveryByteIncludingBomCrlfAndNul) {
    const std::string bom_crlf = "\xEF\xBB\xBF" "CREATE TABLE t (a int);\r\n";
    EXPECT_NE(sha256_hex(bom_crlf), sha256_hex("CREATE TABLE t (a int);\r\n"));
    EXPECT_NE(sha256_hex(bom_crlf), sha256_hex("\xEF\xBB\xBF" "CREATE TABLE t (a int);\n"));
    // printf 'a\0b' | sha256sum: a NUL is a byte like any other
    EXPECT_EQ(sha256_hex(std::string("a\0b", 3)), "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138");
}

TEST(Sha256, SameDigestsOnConcurrentThreads) {
    std::vector<std::string> texts;
    for (int i = 0; i < 200; ++i) texts.push_back(std::string(static_cast<std::size_t>(i * 37), static_cast<char>('a' + i % 26)));
    std::vector<std::string> expected;
    for (const auto& t : texts) expected.push_back(sha256_hex(t));
    std::vector<std::vector<std::string>> got(4);
    std::vector<std::thread> threads;
    for (auto& out : got)
        threads.emplace_back([&texts, &out] {
            for (const auto& t : texts) out.push_back(sha256_hex(t));
        });
    for (auto& t : threads) t.join();
    for (const auto& out : got) EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace trovella::core
