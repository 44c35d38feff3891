// libFuzzer target for the JSON inputs of the core: the journal, the migrations object and the
// options. Whatever the bytes, each parser either returns or throws trovella::core::Error; any
// other exception, a crash or a sanitizer report is a bug. A journal that parses is also checked
// for the promises of DESIGN section 1 and fed to the planner with tracking rows made from it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/folders.hpp"
#include "core/journal.hpp"
#include "core/migration_texts.hpp"
#include "core/options.hpp"
#include "core/planner.hpp"
#include "core/upgrade.hpp"
#include "support/fuzz_check.hpp"
#include "support/utf8.hpp"

namespace {

using namespace trovella::core;

using trovella::test::is_valid_utf8;

// What a journal that parsed guarantees to the rest of the extension.
void check_journal(const Journal& journal) {
    std::set<std::string> tags;
    std::set<std::int64_t> whens;
    for (std::size_t i = 0; i < journal.entries.size(); ++i) {
        const JournalEntry& e = journal.entries[i];
        FUZZ_CHECK(e.position == i);
        FUZZ_CHECK(!e.tag.empty() && e.tag.size() <= kMaxTagBytes);
        FUZZ_CHECK(e.tag.find('/') == std::string::npos && e.tag.find('\\') == std::string::npos);
        FUZZ_CHECK(e.tag.find('\0') == std::string::npos && e.tag.find("..") == std::string::npos);
        FUZZ_CHECK(e.when >= 0);
        FUZZ_CHECK(tags.insert(e.tag).second);
        FUZZ_CHECK(whens.insert(e.when).second);
        FUZZ_CHECK(journal.find(e.tag) == &e);
        // Tags come from JSON strings, so they are UTF-8; the way messages show them must stay so.
        FUZZ_CHECK(is_valid_utf8(quote_tag(e.tag)));
    }
    FUZZ_CHECK(journal.dialect.empty() || journal.dialect == "postgresql" || journal.dialect == "pg");
}

// The planner's promises for one set of tracking rows, with or without the texts' hashes.
void check_assessment(const Journal& journal, const std::vector<TrackingRow>& rows, const FileHashes* given) {
    Assessment a = assess(journal, rows, given);
    FUZZ_CHECK(a.expected == journal.entries.size());
    FUZZ_CHECK(a.recorded == rows.size());
    FUZZ_CHECK(a.entries.size() == journal.entries.size());
    std::size_t matched = 0;
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
        const EntryState& e = a.entries[i];
        FUZZ_CHECK(e.entry == &journal.entries[i]);
        switch (e.state) {
            case State::applied:
            case State::modified:
                FUZZ_CHECK(e.row != nullptr && e.row->created_at == e.entry->when);
                FUZZ_CHECK(e.state == State::applied ||
                           (given != nullptr && e.file_hash && *e.file_hash != e.row->hash));
                ++matched;
                break;
            case State::pending:
                FUZZ_CHECK(e.row == nullptr);
                break;
            case State::out_of_order:
                FUZZ_CHECK(e.row == nullptr && a.newest_recorded && e.entry->when < *a.newest_recorded);
                break;
            default:
                FUZZ_CHECK(false && "an entry is never unknown or orphan");
        }
    }
    FUZZ_CHECK(matched + a.unknown.size() == rows.size());
    FUZZ_CHECK(a.count(State::applied) + a.count(State::modified) + a.pending() == a.expected);

    auto to_apply = entries_to_apply(a);
    FUZZ_CHECK(to_apply.size() == a.pending());
    for (std::size_t i = 1; i < to_apply.size(); ++i)
        FUZZ_CHECK(to_apply[i - 1]->entry->position < to_apply[i]->entry->position);

    Options lenient;
    lenient.allow_modified = true;
    lenient.allow_out_of_order = true;
    for (const Options& options : {Options{}, lenient}) {
        try {
            check_can_apply(a, options);
            FUZZ_CHECK(a.unknown.empty() && a.recorded <= a.expected);
            FUZZ_CHECK(options.allow_modified || a.count(State::modified) == 0);
            FUZZ_CHECK(options.allow_out_of_order || a.count(State::out_of_order) == 0);
        } catch (const Error& e) {
            FUZZ_CHECK(e.kind() == ErrorKind::refused);
        }
        after_apply_problems(a, options);
    }
    const bool clean = a.unknown.empty() && a.count(State::applied) == a.expected;
    FUZZ_CHECK(verify_problems(a).empty() == clean);
}

// Tracking rows for some of the entries (some with a stale hash), a row no entry matches, a row
// with NULL created_at and a duplicate: every state the planner knows.
void check_planner(const Journal& journal) {
    std::vector<TrackingRow> known_rows;
    FileHashes hashes;
    std::int64_t id = 1;
    for (std::size_t i = 0; i < journal.entries.size(); ++i) {
        const JournalEntry& e = journal.entries[i];
        hashes.emplace(e.tag, e.tag);
        if (i % 3 == 1) known_rows.push_back(TrackingRow{id++, i % 5 == 1 ? "stale" : e.tag, e.when});
    }
    std::vector<TrackingRow> all_rows = known_rows;
    if (!journal.entries.empty()) {
        all_rows.push_back(TrackingRow{id++, "unknown", -1});
        all_rows.push_back(TrackingRow{id++, "null", std::nullopt});
        all_rows.push_back(TrackingRow{id++, "duplicate", journal.entries.back().when});
    }

    for (const auto* row_set : {&known_rows, &all_rows}) {
        for (const FileHashes* given :
             {static_cast<const FileHashes*>(nullptr), static_cast<const FileHashes*>(&hashes)}) {
            check_assessment(journal, *row_set, given);
        }
    }
}

// A Drizzle 1.x folder (the texts' keys as folder names): its list in time order, and the names
// the upgrade of a version-0 table gives rows made from it (some by second, some by hash, some
// matching nothing): every row is named after a folder or unmatched, never both.
void check_folders(const MigrationTexts& texts) {
    Journal folders;
    try {
        folders = journal_of_folders(texts);
    } catch (const Error& e) {
        FUZZ_CHECK(e.kind() == ErrorKind::invalid_input);
        return;
    }
    FUZZ_CHECK(folders.layout == Layout::folders && folders.entries.size() == texts.size());
    FileHashes hashes;
    std::vector<TrackingRow> rows;
    std::int64_t id = 1;
    for (std::size_t i = 0; i < folders.entries.size(); ++i) {
        const JournalEntry& e = folders.entries[i];
        FUZZ_CHECK(e.position == i && e.when == folder_millis(e.tag) && e.when % 1000 == 0);
        if (i > 0) FUZZ_CHECK(folders.entries[i - 1].when <= e.when && folders.entries[i - 1].tag < e.tag);
        hashes.emplace(e.tag, texts.at(e.tag));
        rows.push_back(TrackingRow{id++, texts.at(e.tag), e.when + static_cast<std::int64_t>(i % 1000)});
        if (i % 2 == 0) rows.push_back(TrackingRow{id++, texts.at(e.tag), std::nullopt});
    }
    rows.push_back(TrackingRow{id++, "no such hash", -1});
    const Naming naming = name_rows(folders, TableVersion::v0, rows, hashes);
    FUZZ_CHECK(naming.upgrade && naming.names.size() + naming.unmatched.size() == rows.size());
    for (const auto& n : naming.names) FUZZ_CHECK(folders.find(n.name) != nullptr);
    if (!naming.unmatched.empty()) FUZZ_CHECK(upgrade_refusal(naming, "t").kind() == ErrorKind::refused);
    const Assessment a = assess(folders, naming.rows, &hashes);
    FUZZ_CHECK(a.entries.size() == folders.entries.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    std::optional<Journal> journal;
    try {
        journal = parse_journal(text);
    } catch (const Error& e) {
        FUZZ_CHECK(e.kind() == ErrorKind::invalid_input);
    }
    if (journal) {
        check_journal(*journal);
        check_planner(*journal);
    }

    try {
        if (auto names = parse_folder_names(text)) {
            MigrationTexts named;
            for (const auto& name : *names) named.emplace(name, name);
            FUZZ_CHECK(named.size() == names->size());
            check_folders(named);
        }
    } catch (const Error& e) {
        FUZZ_CHECK(e.kind() == ErrorKind::invalid_input);
    }

    try {
        MigrationTexts texts = parse_migration_texts(text);
        check_folders(texts);
        if (journal) {
            auto orphans = orphan_tags(*journal, texts);
            for (const auto& tag : orphans) FUZZ_CHECK(journal->find(tag) == nullptr && texts.count(tag) == 1);
            try {
                require_texts(*journal, texts);
                for (const auto& e : journal->entries) FUZZ_CHECK(texts.count(e.tag) == 1);
            } catch (const Error& e) {
                FUZZ_CHECK(e.kind() == ErrorKind::invalid_input);
            }
        }
    } catch (const Error& e) {
        FUZZ_CHECK(e.kind() == ErrorKind::invalid_input);
    }

    for (Function fn : {Function::apply, Function::apply_each, Function::status, Function::verify, Function::plan,
                        Function::baseline, Function::repair}) {
        try {
            Options options = parse_options(text, fn);
            FUZZ_CHECK(!options.migrations_schema.empty() && options.migrations_schema.size() <= 63);
            FUZZ_CHECK(!options.migrations_table.empty() && options.migrations_table.size() <= 63);
        } catch (const Error& e) {
            FUZZ_CHECK(e.kind() == ErrorKind::invalid_input);
        }
    }
    return 0;
}
