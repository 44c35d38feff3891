#include "pg/arguments.hpp"

#include "core/error.hpp"
#include "pg/encoding.hpp"
#include "pg/notices.hpp"
#include "core/sha256.hpp"

namespace trovella::pg {

namespace {

core::Inputs checked(std::optional<std::string_view> journal, std::optional<core::MigrationTexts> texts,
                     core::Options options, core::Function fn, core::Texts required) {
    core::Inputs in = core::make_inputs(journal, std::move(texts), std::move(options), fn, required, &core::sha256_hex);
    for (const auto& warning : in.warnings) warn(warning);
    return in;
}

// A text or json argument's bytes where they lie (detoasted when stored compressed or out of
// line), parsed from there: no copy of a journal of 10,000 entries (1.4 MB, each page of a copy
// a first-touch fault on a session's first call). `detoasted` is set to the copy to free, if any.
std::optional<std::string_view> text_in_place(FunctionCallInfo fcinfo, int n, text** detoasted) {
    *detoasted = nullptr;
    if (PG_NARGS() <= n || PG_ARGISNULL(n)) return std::nullopt;
    Datum datum = PG_GETARG_DATUM(n);
    text* value = pg_call([&] { return DatumGetTextPP(datum); });
    if (reinterpret_cast<Pointer>(value) != DatumGetPointer(datum)) *detoasted = value;
    return std::string_view(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

// A jsonb value's type as JSON names it (nlohmann's type_name(), what parse_migration_texts says).
const char* json_type_name(const JsonbValue& v) {
    switch (v.type) {
        case jbvNull: return "null";
        case jbvString: return "string";
        case jbvNumeric: return "number";
        case jbvBool: return "boolean";
        case jbvBinary: return JsonContainerIsObject(v.val.binary.data) ? "object" : "array";
        default: return "object";
    }
}

// A jsonb argument, detoasted (NULL when absent or SQL NULL).
Jsonb* jsonb_arg(FunctionCallInfo fcinfo, int n) {
    if (PG_NARGS() <= n || PG_ARGISNULL(n)) return nullptr;
    Datum datum = PG_GETARG_DATUM(n);
    return pg_call([&] { return DatumGetJsonbP(datum); });
}

// A jsonb value as JSON text.
std::string jsonb_text(Jsonb* value) {
    char* text = pg_call([&] { return JsonbToCString(nullptr, &value->root, VARSIZE(value)); });
    std::string copy(text);
    pg_call([&] { pfree(text); });
    return copy;
}

// The `migrations` argument (`value`, argument n) read straight from its jsonb: each key and
// string value copied once, without printing the object as JSON text and parsing that again
// (which cost a third of a no-op apply() or a status() call, and twice the size of a large
// migration in memory). The same result and the same errors as core::parse_migration_texts on its
// text.
std::optional<core::MigrationTexts> migration_texts_of(FunctionCallInfo fcinfo, int n, Jsonb* value) {
    if (value == nullptr) return std::nullopt;
    if (!JB_ROOT_IS_OBJECT(value)) {
        if (!JB_ROOT_IS_SCALAR(value)) core::throw_texts_not_an_object("array");
        JsonbValue scalar;
        pg_call([&] { (void)JsonbExtractScalar(&value->root, &scalar); });
        core::throw_texts_not_an_object(json_type_name(scalar));
    }
    core::MigrationTexts texts;
    JsonbIterator* it = pg_call([&] { return JsonbIteratorInit(&value->root); });
    JsonbValue v;
    std::string tag;
    for (;;) {
        JsonbIteratorToken token = pg_call([&] { return JsonbIteratorNext(&it, &v, true); });
        if (token == WJB_DONE) break;
        if (token == WJB_KEY) {
            check_for_interrupts();
            tag.assign(v.val.string.val, static_cast<std::size_t>(v.val.string.len));
        } else if (token == WJB_VALUE) {
            if (v.type != jbvString) core::throw_text_not_a_string(tag, json_type_name(v));
            texts.emplace(tag, std::string(v.val.string.val, static_cast<std::size_t>(v.val.string.len)));
        }
    }
    if (reinterpret_cast<Pointer>(value) != DatumGetPointer(PG_GETARG_DATUM(n)))
        pg_call([&] { pfree(value); });  // the detoasted copy
    return texts;
}

}  // namespace

std::optional<std::string> text_arg(FunctionCallInfo fcinfo, int n, bool jsonb) {
    if (!jsonb) {  // the text's bytes straight from the (detoasted) value: no C string between
        text* detoasted = nullptr;
        const auto value = text_in_place(fcinfo, n, &detoasted);
        if (!value) return std::nullopt;
        std::string copy(*value);
        if (detoasted != nullptr) pg_call([&] { pfree(detoasted); });
        return copy;
    }
    if (PG_NARGS() <= n || PG_ARGISNULL(n)) return std::nullopt;
    Datum datum = PG_GETARG_DATUM(n);
    char* value_text = pg_call([&]() -> char* {
        Jsonb* value = DatumGetJsonbP(datum);
        return JsonbToCString(nullptr, &value->root, VARSIZE(value));
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
    text* detoasted = nullptr;
    const auto journal = text_in_place(fcinfo, 0, &detoasted);  // NULL: a Drizzle 1.x folder (core/folders.hpp)
    Jsonb* migrations = jsonb_arg(fcinfo, 1);
    if (!journal && migrations != nullptr && !JB_ROOT_IS_OBJECT(migrations) && !JB_ROOT_IS_SCALAR(migrations)) {
        // A Drizzle 1.x folder's migrations by name only (status, verify): a JSON array.
        const std::string text = jsonb_text(migrations);
        if (auto names = core::parse_folder_names(text)) {
            core::Inputs in = core::make_inputs(std::nullopt, std::nullopt, std::move(options), fn, texts, &core::sha256_hex,
                                                &*names);
            for (const auto& warning : in.warnings) warn(warning);
            return in;
        }
    }
    core::Inputs in = checked(journal, migration_texts_of(fcinfo, 1, migrations), std::move(options), fn, texts);
    // Inputs keeps no view of the journal's text: its detoasted copy goes now (on an error, with
    // the call's memory).
    if (detoasted != nullptr) pg_call([&] { pfree(detoasted); });
    return in;
}

core::Inputs inputs_of(const std::optional<std::string>& journal_text, std::optional<core::MigrationTexts> texts,
                       core::Options options, core::Function fn) {
    std::optional<std::string_view> journal;
    if (journal_text) journal = *journal_text;
    return checked(journal, std::move(texts), std::move(options), fn, core::Texts::required);
}

}  // namespace trovella::pg
