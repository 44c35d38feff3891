#include "core/inputs.hpp"

#include "core/error.hpp"
#include "core/folders.hpp"
#include "core/interrupts.hpp"
#include "core/messages.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

Inputs make_inputs(std::optional<std::string_view> journal_text, std::optional<MigrationTexts> texts, Options options,
                   Function fn, Texts required, HashFunction hash, const std::vector<std::string>* folder_names) {
    if (folder_names != nullptr) {
        if (required == Texts::required)
            throw invalid_input(std::string(function_name(fn)) + "() needs the text of every migration, not only the "
                                "folder names",
                                {}, "Pass migrations as a jsonb object mapping each folder name to the text of its "
                                    "migration.sql.");
        Inputs in;
        in.options = std::move(options);
        in.journal = journal_of_folders(*folder_names);
        in.warnings = in.journal.warnings;
        return in;
    }
    if (!journal_text && !texts)
        throw invalid_input("journal and migrations are both NULL", {},
                            "Pass the text of meta/_journal.json as journal (drizzle-kit 0.x); for a Drizzle 1.x "
                            "folder, which has no journal, pass journal NULL and migrations mapping each folder name "
                            "to the text of its migration.sql.");
    if (!texts && required == Texts::required)
        throw invalid_input(std::string("migrations must not be NULL for ") + function_name(fn) + "()", {},
                            "Pass a jsonb object mapping each tag to the text of its .sql file.");
    Inputs in;
    in.options = std::move(options);
    // No journal: a Drizzle 1.x folder, whose migrations are the texts' keys (folder names).
    in.journal = journal_text ? parse_journal(*journal_text) : journal_of_folders(*texts);
    if (texts) {
        in.texts = std::move(texts);
        for (const auto& [tag, text] : *in.texts) {
            check_interrupts();
            in.hashes.emplace(tag, hash(text));
        }
        if (required == Texts::required) require_texts(in.journal, *in.texts);
        in.orphans = orphan_tags(in.journal, *in.texts);
    }
    in.warnings = in.journal.warnings;
    if (!in.orphans.empty()) {
        std::vector<std::string> quoted;
        for (const auto& tag : in.orphans) quoted.push_back(quote_tag(tag));
        in.warnings.push_back(messages::plural(in.orphans.size(), "migration file is", "migration files are") +
                              " not in the journal and will never run: " + messages::join(quoted, ", "));
    }
    return in;
}

}  // namespace trovella::core
