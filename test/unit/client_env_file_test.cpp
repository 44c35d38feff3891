// --env-file-if-exists: Node's .env format, and the rule that the environment wins.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "client/env_file.hpp"

namespace trovella::client {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(ClientEnvFile, PlainQuotedAndExported) {
    EXPECT_EQ(parse_env_text("# comment\n"
                             "A=plain value # a comment\n"
                             "export B=\"double # not a comment\"\n"
                             "C='single'\n"
                             "D=`backtick`\n"
                             "  E = spaced  \n"
                             "F=\n"),
              (Pairs{{"A", "plain value"},
                     {"B", "double # not a comment"},
                     {"C", "single"},
                     {"D", "backtick"},
                     {"E", "spaced"},
                     {"F", ""}}));
}

TEST(ClientEnvFile, MultiLineAndEscapes) {
    EXPECT_EQ(parse_env_text("MULTI=\"line one\nline two\"\nNEXT=1\n"),
              (Pairs{{"MULTI", "line one\nline two"}, {"NEXT", "1"}}));
    EXPECT_EQ(parse_env_text("N=\"a\\nb\"\nS='a\\nb'\n"), (Pairs{{"N", "a\nb"}, {"S", "a\\nb"}}));
    // No closing quote anywhere: the line is taken as written.
    EXPECT_EQ(parse_env_text("U=\"unclosed\nV=2\n"), (Pairs{{"U", "\"unclosed"}, {"V", "2"}}));
}

TEST(ClientEnvFile, CrlfAndJunk) {
    EXPECT_EQ(parse_env_text("A=1\r\nnot an assignment\r\n1BAD=x\r\nB-C=y\r\nexport\r\nD=\"q\"\r\n"),
              (Pairs{{"A", "1"}, {"D", "q"}}));
}

TEST(ClientEnvFile, UrlsWithSpecialCharactersSurvive) {
    EXPECT_EQ(parse_env_text("DATABASE_URL=postgresql://u:p%40ss@h:5432/db?sslmode=require\n"),
              (Pairs{{"DATABASE_URL", "postgresql://u:p%40ss@h:5432/db?sslmode=require"}}));
}

class TempFile {
public:
    explicit TempFile(const std::string& text) {
        char name[] = "/tmp/client_env_test.XXXXXX";
        int fd = mkstemp(name);
        path_ = name;
        ::close(fd);
        std::ofstream(path_) << text;
    }
    ~TempFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

TEST(ClientEnvFile, TheEnvironmentWinsAndLaterFilesOverrideEarlierOnes) {
    TempFile first("DATABASE_URL=from-first\nPGHOST=first-host\nSET=from-file\n");
    TempFile second("DATABASE_URL=from-second\n");
    MapEnvironment env(std::map<std::string, std::string>{{"SET", "from-environment"}});
    LoadedEnv loaded = load_env_files({first.path(), "/nonexistent/.env", second.path()}, env);
    EXPECT_EQ(env.get("SET"), "from-environment");
    EXPECT_EQ(env.get("PGHOST"), "first-host");
    EXPECT_EQ(env.get("DATABASE_URL"), "from-second");
    EXPECT_EQ(loaded.origin.at("DATABASE_URL"), second.path());
    EXPECT_EQ(loaded.origin.count("SET"), 0u);
}

TEST(ClientEnvFile, AnEmptyFileIsFine) {
    TempFile empty("");
    MapEnvironment env;
    EXPECT_TRUE(load_env_files({empty.path()}, env).origin.empty());
}

}  // namespace
}  // namespace trovella::client
