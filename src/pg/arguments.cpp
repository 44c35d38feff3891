#include "pg/arguments.hpp"

#include "core/error.hpp"
#include "pg/encoding.hpp"
#include "pg/notices.hpp"
#include "pg/sha256.hpp"

namespace trovella::pg {

namespace {

core::Inputs checked(const std::optional<std::string>& journal_text, std::optional<core::MigrationTexts> texts,
                     core::Options options, core::Function fn, core::Texts required) {
    std::optional<std::string_view> journal;
    if (journal_text) journal = *journal_text;
    core::Inputs in = core::make_inputs(journal, std::move(texts), std::move(options), fn, required, &sha256_hex);
    for (const auto& warning : in.warnings) warn(warning);
    return in;
}

}  // namespace

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

std::string required_text_arg(FunctionCallInfo fcinfo, int n, const char* name) {
    auto value = text_arg(fcinfo, n, false);
    if (!value) throw core::invalid_input(std::string(name) + " must not be NULL");
    return *value;
}

core::Inputs read_inputs(FunctionCallInfo fcinfo, core::Function fn, core::Texts texts, int options_arg) {
    require_utf8_database();
    auto options_text = text_arg(fcinfo, options_arg, true);
    core::Options options = core::parse_options(options_text ? *options_text : "{}", fn);
    auto journal = text_arg(fcinfo, 0, false);  // NULL: a Drizzle 1.x folder (core/folders.hpp)
    auto migrations = text_arg(fcinfo, 1, true);
    if (!journal && migrations) {  // a Drizzle 1.x folder's migrations by name only (status, verify)
        if (auto names = core::parse_folder_names(*migrations)) {
            core::Inputs in = core::make_inputs(std::nullopt, std::nullopt, std::move(options), fn, texts, &sha256_hex,
                                                &*names);
            for (const auto& warning : in.warnings) warn(warning);
            return in;
        }
    }
    std::optional<core::MigrationTexts> parsed;
    if (migrations) {
        parsed = core::parse_migration_texts(*migrations);
        migrations.reset();  // a large history should not stay in memory twice
    }
    return checked(journal, std::move(parsed), std::move(options), fn, texts);
}

core::Inputs inputs_of(const std::optional<std::string>& journal_text, std::optional<core::MigrationTexts> texts,
                       core::Options options, core::Function fn) {
    return checked(journal_text, std::move(texts), std::move(options), fn, core::Texts::required);
}

}  // namespace trovella::pg
