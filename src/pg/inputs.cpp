#include "pg/inputs.hpp"

#include "core/error.hpp"
#include "core/messages.hpp"
#include "pg/encoding.hpp"
#include "pg/sha256.hpp"

namespace trovella::pg {

std::optional<std::string> text_arg(FunctionCallInfo fcinfo, int n, bool jsonb) {
    if (PG_NARGS() <= n || PG_ARGISNULL(n)) return std::nullopt;
    Datum datum = PG_GETARG_DATUM(n);
    char* value_text = pg_call([&]() -> char* {
        if (jsonb) {
            Jsonb* value = DatumGetJsonbP(datum);
            return JsonbToCString(nullptr, &value->root, VARSIZE(value));
        }
        return text_to_cstring(DatumGetTextPP(datum));
    });
    std::string copy(value_text);
    pg_call([&] { pfree(value_text); });  // a 50 MB migration should not stay in memory twice
    return copy;
}

void warn(const std::string& message) {
    pg_call([&] { ereport(WARNING, (errmsg("%s", message.c_str()))); });
}

void notice(const std::string& message) {
    pg_call([&] { ereport(NOTICE, (errmsg("%s", message.c_str()))); });
}

Inputs read_inputs(FunctionCallInfo fcinfo, core::Function fn, Texts texts, int options_arg) {
    require_utf8_database();
    const std::string function = core::function_name(fn);
    auto options_text = text_arg(fcinfo, options_arg, true);
    core::Options options = core::parse_options(options_text ? *options_text : "{}", fn);

    auto journal = text_arg(fcinfo, 0, false);
    if (!journal)
        throw core::invalid_input("journal must not be NULL", {}, "Pass the text of meta/_journal.json.");
    auto migrations = text_arg(fcinfo, 1, true);
    if (!migrations && texts == Texts::required)
        throw core::invalid_input("migrations must not be NULL for " + function + "()", {},
                                  "Pass a jsonb object mapping each tag to the text of its .sql file.");
    std::optional<core::MigrationTexts> parsed;
    if (migrations) {
        parsed = core::parse_migration_texts(*migrations);
        migrations.reset();  // a large history should not stay in memory twice
    }
    return make_inputs(*journal, std::move(parsed), std::move(options), fn, texts);
}

Inputs make_inputs(const std::string& journal_text, std::optional<core::MigrationTexts> texts, core::Options options,
                   core::Function, Texts required) {
    Inputs in;
    in.options = std::move(options);
    in.journal = core::parse_journal(journal_text);
    if (texts) {
        in.texts = std::move(texts);
        for (const auto& [tag, text] : *in.texts) in.hashes.emplace(tag, sha256_hex(text));
        if (required == Texts::required) core::require_texts(in.journal, *in.texts);
        in.orphans = core::orphan_tags(in.journal, *in.texts);
    }

    for (const auto& warning : in.journal.warnings) warn(warning);
    if (!in.orphans.empty()) {
        std::vector<std::string> quoted;
        for (const auto& tag : in.orphans) quoted.push_back(core::quote_tag(tag));
        warn(core::messages::plural(in.orphans.size(), "migration file is", "migration files are") +
             " not in the journal and will never run: " + core::messages::join(quoted, ", "));
    }
    return in;
}

}  // namespace trovella::pg
