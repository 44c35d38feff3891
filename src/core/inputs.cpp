#include "core/inputs.hpp"

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/messages.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

Inputs make_inputs(std::string_view journal_text, std::optional<MigrationTexts> texts, Options options,
                   Function fn, Texts required, HashFunction hash) {
    if (!texts && required == Texts::required)
        throw invalid_input(std::string("migrations must not be NULL for ") + function_name(fn) + "()", {},
                            "Pass a jsonb object mapping each tag to the text of its .sql file.");
    Inputs in;
    in.options = std::move(options);
    in.journal = parse_journal(journal_text);
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
