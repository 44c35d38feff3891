// The options argument: defaults, the keys each function accepts, and an error naming the key
// for anything else (DESIGN section 0).
#include "core/options.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core_test_support.hpp"

namespace trovella::core {
namespace {

using test::error_from;
using ::testing::AllOf;
using ::testing::HasSubstr;

const std::vector<Function> kAllFunctions{Function::apply, Function::apply_each, Function::status, Function::verify,
                                          Function::plan,  Function::baseline,   Function::repair};

// A valid value for every option key.
const std::map<std::string, std::string> kValidValue{
    {"migrations_schema", R"("ops")"},
    {"migrations_table", R"("history")"},
    {"allow_out_of_order", "true"},
    {"allow_modified", "true"},
    {"lock_timeout", R"("5s")"},
    {"statement_timeout", R"("1min")"},
    {"raise", "false"},
};

// The contract: which keys mean something to which function.
const std::map<Function, std::set<std::string>> kAccepted{
    {Function::apply,
     {"migrations_schema", "migrations_table", "allow_out_of_order", "allow_modified", "lock_timeout",
      "statement_timeout"}},
    {Function::apply_each,
     {"migrations_schema", "migrations_table", "allow_out_of_order", "allow_modified", "lock_timeout",
      "statement_timeout"}},
    {Function::status, {"migrations_schema", "migrations_table"}},
    {Function::verify, {"migrations_schema", "migrations_table", "raise"}},
    {Function::plan, {"migrations_schema", "migrations_table", "allow_out_of_order", "allow_modified"}},
    {Function::baseline, {"migrations_schema", "migrations_table", "lock_timeout"}},
    {Function::repair, {"migrations_schema", "migrations_table", "lock_timeout"}},
};

std::string one_key(const std::string& key, const std::string& value) { return "{\"" + key + "\":" + value + "}"; }

void expect_defaults(const Options& options) {
    EXPECT_EQ(options.migrations_schema, "drizzle");
    EXPECT_EQ(options.migrations_table, "__drizzle_migrations");
    EXPECT_FALSE(options.allow_out_of_order);
    EXPECT_FALSE(options.allow_modified);
    EXPECT_TRUE(options.raise);
    EXPECT_FALSE(options.lock_timeout.has_value());
    EXPECT_FALSE(options.statement_timeout.has_value());
}

TEST(Options, DefaultsAreDrizzles) {
    expect_defaults(Options{});
    for (Function fn : kAllFunctions) {
        SCOPED_TRACE(function_name(fn));
        expect_defaults(parse_options("{}", fn));
        expect_defaults(parse_options(" { } ", fn));
    }
}

TEST(Options, JsonNullMeansDefaults) {
    for (Function fn : kAllFunctions) {
        SCOPED_TRACE(function_name(fn));
        expect_defaults(parse_options("null", fn));
    }
}

TEST(Options, FunctionNames) {
    EXPECT_STREQ(function_name(Function::apply), "apply");
    EXPECT_STREQ(function_name(Function::apply_each), "apply_each");
    EXPECT_STREQ(function_name(Function::status), "status");
    EXPECT_STREQ(function_name(Function::verify), "verify");
    EXPECT_STREQ(function_name(Function::plan), "plan");
    EXPECT_STREQ(function_name(Function::baseline), "baseline");
    EXPECT_STREQ(function_name(Function::repair), "repair");
}

TEST(Options, EachFunctionAcceptsExactlyItsKeys) {
    for (Function fn : kAllFunctions) {
        const auto& accepted = kAccepted.at(fn);
        for (const auto& [key, value] : kValidValue) {
            SCOPED_TRACE(std::string(function_name(fn)) + " " + key);
            const std::string text = one_key(key, value);
            if (accepted.count(key) != 0) {
                EXPECT_NO_THROW(parse_options(text, fn));
                continue;
            }
            Error e = error_from([&] { parse_options(text, fn); });
            EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
            EXPECT_THAT(e.what(), HasSubstr("unknown option \"" + key + "\" for " + function_name(fn) + "()"));
            for (const auto& ok : accepted) EXPECT_THAT(e.detail(), HasSubstr(ok));
        }
    }
}

TEST(Options, AcceptedValuesAreRead) {
    Options apply =
        parse_options(R"({"migrations_schema":"ops","migrations_table":"history","allow_out_of_order":true,)"
                      R"("allow_modified":true,"lock_timeout":"5s","statement_timeout":"1min"})",
                      Function::apply);
    EXPECT_EQ(apply.migrations_schema, "ops");
    EXPECT_EQ(apply.migrations_table, "history");
    EXPECT_TRUE(apply.allow_out_of_order);
    EXPECT_TRUE(apply.allow_modified);
    EXPECT_EQ(apply.lock_timeout, std::optional<std::string>("5s"));
    EXPECT_EQ(apply.statement_timeout, std::optional<std::string>("1min"));

    Options off = parse_options(R"({"allow_out_of_order":false,"allow_modified":false})", Function::plan);
    EXPECT_FALSE(off.allow_out_of_order);
    EXPECT_FALSE(off.allow_modified);

    EXPECT_FALSE(parse_options(R"({"raise":false})", Function::verify).raise);
    EXPECT_TRUE(parse_options(R"({"raise":true})", Function::verify).raise);
}

TEST(Options, TimeoutInMillisecondsIsKeptAsANumberString) {
    Options options = parse_options(R"({"lock_timeout":5000,"statement_timeout":0})", Function::apply_each);
    EXPECT_EQ(options.lock_timeout, std::optional<std::string>("5000"));
    EXPECT_EQ(options.statement_timeout, std::optional<std::string>("0"));
}

TEST(Options, IdentifierOf63BytesIsAcceptedAnd64IsNot) {
    const std::string name63(63, 'n');
    EXPECT_EQ(parse_options(one_key("migrations_table", "\"" + name63 + "\""), Function::status).migrations_table,
              name63);
    Error e = error_from(
        [] { parse_options(one_key("migrations_schema", "\"" + std::string(64, 'n') + "\""), Function::status); });
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_THAT(e.what(),
                HasSubstr("option \"migrations_schema\" is 64 bytes long; PostgreSQL names have at most 63 bytes"));
}

TEST(Options, IdentifiersNeedNotBeLowercaseOrPlain) {
    // They are quoted as identifiers by the glue, as Drizzle's config allows any name.
    Options options = parse_options(R"({"migrations_schema":"My Schema","migrations_table":"x\"y"})", Function::verify);
    EXPECT_EQ(options.migrations_schema, "My Schema");
    EXPECT_EQ(options.migrations_table, "x\"y");
}

struct BadOption {
    const char* name;
    Function fn;
    std::string text;
    std::string expected;
};

void PrintTo(const BadOption& bad, std::ostream* os) { *os << bad.name; }

class OptionsError : public ::testing::TestWithParam<BadOption> {};

TEST_P(OptionsError, IsInvalidInputNamingTheKey) {
    const BadOption& bad = GetParam();
    Error e = error_from([&] { parse_options(bad.text, bad.fn); });
    EXPECT_EQ(e.kind(), ErrorKind::invalid_input);
    EXPECT_THAT(e.what(), HasSubstr(bad.expected));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, OptionsError,
    ::testing::Values(
        BadOption{"UnknownKey", Function::apply, R"({"dry_run":true})", "unknown option \"dry_run\" for apply()"},
        BadOption{"MisspelledKey", Function::verify, R"({"rasie":false})", "unknown option \"rasie\" for verify()"},
        BadOption{"RaiseForApply", Function::apply, R"({"raise":false})", "unknown option \"raise\" for apply()"},
        BadOption{"AllowForStatus", Function::status, R"({"allow_modified":true})",
                  "unknown option \"allow_modified\" for status()"},
        BadOption{"SchemaNotString", Function::apply, R"({"migrations_schema":1})",
                  "option \"migrations_schema\" must be a string, not number"},
        BadOption{"TableNull", Function::apply, R"({"migrations_table":null})",
                  "option \"migrations_table\" must be a string, not null"},
        BadOption{"SchemaEmpty", Function::apply, R"({"migrations_schema":""})",
                  "option \"migrations_schema\" must not be empty"},
        BadOption{"TableWithNul", Function::status, R"({"migrations_table":"a\u0000b"})",
                  "option \"migrations_table\" contains a NUL byte"},
        BadOption{"BoolAsString", Function::apply, R"({"allow_modified":"true"})",
                  "option \"allow_modified\" must be true or false, not \"true\""},
        BadOption{"BoolAsNumber", Function::plan, R"({"allow_out_of_order":1})",
                  "option \"allow_out_of_order\" must be true or false, not 1"},
        BadOption{"RaiseNull", Function::verify, R"({"raise":null})",
                  "option \"raise\" must be true or false, not null"},
        BadOption{"BoolAsArray", Function::apply, R"({"allow_modified":[true]})",
                  "option \"allow_modified\" must be true or false, not array"},
        BadOption{"TimeoutEmpty", Function::apply, R"({"lock_timeout":""})",
                  "option \"lock_timeout\" must be a PostgreSQL duration"},
        BadOption{"TimeoutNegative", Function::apply, R"({"statement_timeout":-1})",
                  "option \"statement_timeout\" must be a PostgreSQL duration such as \"5s\" or a number of "
                  "milliseconds, not -1"},
        BadOption{"TimeoutFloat", Function::baseline, R"({"lock_timeout":1.5})",
                  "option \"lock_timeout\" must be a PostgreSQL duration"},
        BadOption{"TimeoutBool", Function::repair, R"({"lock_timeout":true})",
                  "option \"lock_timeout\" must be a PostgreSQL duration"},
        BadOption{"NotAnObjectArray", Function::apply, "[]", "options must be a JSON object, not array"},
        BadOption{"NotAnObjectString", Function::status, R"("raise")", "options must be a JSON object, not string"},
        BadOption{"NotAnObjectNumber", Function::verify, "0", "options must be a JSON object, not number"},
        BadOption{"NotJson", Function::apply, "{allow_modified: true}", "options is not valid JSON"},
        BadOption{"EmptyText", Function::apply, "", "options is not valid JSON"},
        BadOption{"NumberOverflow", Function::apply, R"({"lock_timeout":1e999})", "options is not valid JSON"}),
    [](const ::testing::TestParamInfo<BadOption>& info) { return std::string(info.param.name); });

TEST(Options, UnknownKeyDetailListsTheAcceptedOnes) {
    Error e = error_from([] { parse_options(R"({"migrations_schema":"ops","timeout":"5s"})", Function::baseline); });
    EXPECT_THAT(e.what(), HasSubstr("unknown option \"timeout\" for baseline()"));
    EXPECT_EQ(e.detail(), "Accepted options: lock_timeout, migrations_schema, migrations_table.");
}

TEST(Options, DeeplyNestedValueIsAnErrorNotACrash) {
    const int depth = 200000;
    const std::string nested = std::string(depth, '[') + std::string(depth, ']');
    Error e = error_from([&] { parse_options(R"({"allow_modified":)" + nested + "}", Function::apply); });
    EXPECT_THAT(e.what(), AllOf(HasSubstr("option \"allow_modified\" must be true or false"), HasSubstr("array")));
}

}  // namespace
}  // namespace trovella::core
