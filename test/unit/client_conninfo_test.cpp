// Where the connection string comes from, its check before connecting, and the description of
// the target that messages show: never the password.
#include <gtest/gtest.h>

#include "client/conninfo.hpp"
#include "client/failure.hpp"

namespace trovella::client {
namespace {

TEST(ClientConninfo, SourcePrecedence) {
    MapEnvironment env(std::map<std::string, std::string>{{"DATABASE_URL", "postgresql://env/db"}});
    LoadedEnv loaded;
    loaded.origin["DATABASE_URL"] = "../../.env";
    ConnectionSource flag = resolve_source(std::string("dbname=flag"), env, loaded);
    EXPECT_EQ(flag.kind, SourceKind::flag);
    EXPECT_EQ(flag.label(), "--database-url");
    ConnectionSource url = resolve_source(std::nullopt, env, loaded);
    EXPECT_EQ(url.conninfo, "postgresql://env/db");
    EXPECT_EQ(url.label(), "DATABASE_URL from ../../.env");
    EXPECT_EQ(resolve_source(std::nullopt, env, LoadedEnv{}).label(), "DATABASE_URL");
    MapEnvironment empty_url(std::map<std::string, std::string>{{"DATABASE_URL", ""}});
    ConnectionSource pg = resolve_source(std::string(), empty_url, loaded);
    EXPECT_EQ(pg.kind, SourceKind::libpq_environment);
    EXPECT_EQ(pg.label(), "PG* variables");
}

ConnectionSource url(const std::string& conninfo) {
    ConnectionSource s;
    s.kind = SourceKind::flag;
    s.conninfo = conninfo;
    return s;
}

TEST(ClientConninfo, DescribesFromTheParsedFieldsWithoutThePassword) {
    Target t = describe_target(url("postgresql://app:Pw%40With%2FSlash%3AColon@db.example:6543/shop"));
    EXPECT_EQ(t.text(), "app@db.example:6543/shop");
    EXPECT_EQ(t.secrets.front(), "Pw@With/Slash:Colon");
    Target kv = describe_target(url("host=h port=5 user=u dbname=d password='a b@c'"));
    EXPECT_EQ(kv.text(), "u@h:5/d");
    EXPECT_EQ(kv.secrets.front(), "a b@c");
    EXPECT_EQ(describe_target(url("postgresql://u:pa:ss@h/d")).secrets.front(), "pa:ss");
}

std::string refusal(const std::string& conninfo) {
    try {
        describe_target(url(conninfo));
    } catch (const Failure& f) {
        EXPECT_EQ(f.code(), ExitCode::usage);
        return f.error().message + "\n" + f.error().hint;
    }
    ADD_FAILURE() << "accepted";
    return {};
}

TEST(ClientConninfo, MalformedStringsAreRefusedWithoutQuotingThem) {
    for (const std::string bad : {"host=h password=Secret Word dbname=d", "postgresql://u:Se%zzcret@h/d",
                                  "host='Secret", "postgresql://u:Secret@[::1/d"}) {
        std::string message = refusal(bad);
        EXPECT_NE(message.find("is malformed: libpq cannot parse it"), std::string::npos) << bad;
        EXPECT_EQ(message.find("Secret"), std::string::npos) << message;
        EXPECT_EQ(message.find("Se%zz"), std::string::npos) << message;
    }
}

TEST(ClientConninfo, UnencodedAtOrSlashInThePasswordIsAmbiguous) {
    EXPECT_FALSE(ambiguous_url("postgresql://u:p%40ss@h/d"));
    EXPECT_FALSE(ambiguous_url("postgresql://u@h/d?options=-c%20x"));
    EXPECT_FALSE(ambiguous_url("postgresql:///d?host=/tmp&user=me"));
    EXPECT_FALSE(ambiguous_url("postgresql://u:pa?ss@h/d"));  // libpq reads this one as meant
    EXPECT_FALSE(ambiguous_url("host=h password=a@b/c"));     // key=value: not a URL
    EXPECT_TRUE(ambiguous_url("postgresql://u:p@ss@h/d"));
    EXPECT_TRUE(ambiguous_url("postgres://u:pa/ss@h/d"));
    std::string message = refusal("postgresql://u:Sec@ret@h/d");
    EXPECT_NE(message.find("%40"), std::string::npos);
    EXPECT_EQ(message.find("Sec"), std::string::npos);
    EXPECT_NE(refusal("postgresql://u:Sec/ret@h/d").find("%2F"), std::string::npos);
}

}  // namespace
}  // namespace trovella::client
