#include "core/migration_texts.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/json_input.hpp"
#include "core/messages.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

using json = nlohmann::json;

void throw_texts_not_an_object(const std::string& type) {
    throw invalid_input(std::string("migrations must be a JSON object mapping each tag to the text of its .sql file, not ") +
                        type);
}

void throw_text_not_a_string(const std::string& tag, const std::string& type) {
    throw invalid_input("migrations[" + quote_tag(tag) + "] must be a string (the text of " + quote_tag(tag + ".sql") +
                        "), not " + type);
}

MigrationTexts parse_migration_texts(std::string_view json_text) {
    json root;
    try {
        root = parse_json_input(json_text);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
        throw invalid_input(std::string("migrations is not valid JSON: ") + messages::json_error(e.what()));
    }
    if (!root.is_object()) throw_texts_not_an_object(root.type_name());
    MigrationTexts texts;
    for (auto& [tag, text] : root.items()) {
        check_interrupts();
        if (!text.is_string()) throw_text_not_a_string(tag, text.type_name());
        texts.emplace(tag, std::move(text.get_ref<std::string&>()));
    }
    return texts;
}

std::optional<std::vector<std::string>> parse_folder_names(std::string_view json_text) {
    // Only an array is read here (an object of texts can be large: it is parsed once, elsewhere).
    const auto first = json_text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || json_text[first] != '[') return std::nullopt;
    json root;
    try {
        root = parse_json_input(json_text);
    } catch (const json::exception& e) {
        throw invalid_input(std::string("migrations is not valid JSON: ") + messages::json_error(e.what()));
    }
    if (!root.is_array()) return std::nullopt;
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < root.size(); ++i) {
        check_interrupts();
        if (!root[i].is_string())
            throw invalid_input("migrations[" + std::to_string(i) + "] must be a string (a migration folder name), not " +
                                root[i].type_name());
        std::string name = root[i].get<std::string>();
        if (!seen.insert(name).second)
            throw invalid_input("migrations[" + std::to_string(i) + "]: migration folder " + quote_tag(name) +
                                " is named twice");
        names.push_back(std::move(name));
    }
    return names;
}

void require_texts(const Journal& journal, const MigrationTexts& texts) {
    std::vector<std::string> missing;
    for (const auto& entry : journal.entries) {
        check_interrupts();
        if (texts.find(entry.tag) == texts.end()) missing.push_back(quote_tag(entry.tag));
    }
    if (missing.empty()) return;
    throw invalid_input("no migration text for " + messages::plural(missing.size(), "journal entry", "journal entries") +
                            ": " + messages::join(missing, ", "),
                        {}, "Pass the text of every <tag>.sql named in the journal in the migrations object.");
}

std::vector<std::string> orphan_tags(const Journal& journal, const MigrationTexts& texts) {
    std::vector<std::string> orphans;
    for (const auto& [tag, text] : texts) {
        check_interrupts();
        if (journal.find(tag) == nullptr) orphans.push_back(tag);
    }
    return orphans;
}

}  // namespace trovella::core
