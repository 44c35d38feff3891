#include "core/upgrade.hpp"

#include <map>

#include "core/folders.hpp"
#include "core/interrupts.hpp"
#include "core/messages.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {

const std::string* hash_of(const FileHashes& hashes, const JournalEntry& entry) {
    auto it = hashes.find(entry.tag);
    return it == hashes.end() ? nullptr : &it->second;
}

std::string short_hash(const std::string& hash) { return hash.size() > 12 ? hash.substr(0, 12) + "..." : hash; }

// The folder's migrations grouped by second, in journal order (which is (created_at, name) order:
// core/folders.hpp), each second with the first of its migrations of each hash; and the last
// migration of each hash. Every lookup is O(log n), whatever the folder.
struct Second {
    std::vector<const JournalEntry*> entries;
    std::map<std::string, const JournalEntry*, std::less<>> first_by_hash;
};

struct Index {
    std::map<std::int64_t, Second> by_second;
    std::map<std::string, const JournalEntry*, std::less<>> last_by_hash;
};

Index index_of(const Journal& journal, const FileHashes& hashes) {
    Index index;
    for (const auto& entry : journal.entries) {
        check_interrupts();
        Second& second = index.by_second[entry.when];
        second.entries.push_back(&entry);
        if (const std::string* hash = hash_of(hashes, entry)) {
            second.first_by_hash.emplace(*hash, &entry);
            index.last_by_hash[*hash] = &entry;
        }
    }
    return index;
}

// At most a few names, for a message.
std::string some_tags(const std::vector<const JournalEntry*>& entries) {
    constexpr std::size_t kShown = 5;
    std::vector<std::string> tags;
    for (std::size_t i = 0; i < entries.size() && i < kShown; ++i) tags.push_back(quote_tag(entries[i]->tag));
    std::string out = messages::join(tags, ", ");
    if (entries.size() > kShown) out += " and " + std::to_string(entries.size() - kShown) + " more";
    return out;
}

const JournalEntry* match(const TrackingRow& row, const Index& index, std::string& why) {
    const Second* second = nullptr;
    if (row.created_at) {
        auto it = index.by_second.find(*row.created_at / 1000 * 1000);
        if (it != index.by_second.end()) second = &it->second;
    }
    if (second != nullptr && second->entries.size() == 1) return second->entries.front();
    if (second != nullptr) {
        auto same = second->first_by_hash.find(row.hash);
        if (same != second->first_by_hash.end()) return same->second;
        why = std::to_string(second->entries.size()) + " migration folders are from its second (" +
              some_tags(second->entries) + ") and none of them has its hash";
        return nullptr;
    }
    auto by_hash = index.last_by_hash.find(row.hash);
    if (by_hash != index.last_by_hash.end()) return by_hash->second;
    why = row.created_at ? "no migration folder is from its second (" + utc_time(*row.created_at / 1000 * 1000) +
                               ") and none has its hash"
                         : "its created_at is NULL and no migration folder has its hash";
    return nullptr;
}

}  // namespace

Naming name_rows(const Journal& journal, TableVersion version, std::vector<TrackingRow> rows,
                 const FileHashes& hashes) {
    Naming naming;
    naming.version = version;
    naming.rows = std::move(rows);
    if (version == TableVersion::missing) return naming;
    if (journal.layout == Layout::journal) {
        // drizzle-kit 0.x: the table is never upgraded; in a version-1 table (upgraded by someone
        // on Drizzle 1.x) a row without a name gets the up name of its journal entry.
        if (version != TableVersion::v1) return naming;
        std::map<std::int64_t, const JournalEntry*> by_when;
        for (const auto& entry : journal.entries) by_when.emplace(entry.when, &entry);
        for (auto& row : naming.rows) {
            check_interrupts();
            if (row.name || !row.created_at) continue;
            auto it = by_when.find(*row.created_at);
            if (it == by_when.end()) continue;  // unknown: refused as such
            row.name = up_name(it->second->tag, it->second->when);
            naming.names.push_back({row.id, *row.name});
        }
        return naming;
    }
    naming.upgrade = version == TableVersion::v0;
    const Index index = index_of(journal, hashes);
    for (auto& row : naming.rows) {
        check_interrupts();
        if (!naming.upgrade && row.name) continue;
        row.name.reset();  // a version-0 row has none; a NULL one is named here
        std::string why;
        if (const JournalEntry* entry = match(row, index, why)) {
            row.name = entry->tag;
            naming.names.push_back({row.id, entry->tag});
        } else {
            naming.unmatched.push_back({row, why});
        }
    }
    return naming;
}

Error upgrade_refusal(const Naming& naming, const std::string& table) {
    std::vector<std::string> ids;
    std::vector<std::string> detail;
    for (const auto& u : naming.unmatched) {
        ids.push_back(std::to_string(u.row.id));
        detail.push_back("tracking row id " + std::to_string(u.row.id) + " (created_at " +
                         (u.row.created_at ? std::to_string(*u.row.created_at) : std::string("NULL")) + ", hash " +
                         short_hash(u.row.hash) + "): " + u.why);
    }
    return Error(ErrorKind::refused,
                 "cannot upgrade tracking table " + table +
                     " to Drizzle 1.x's version 1: " + messages::plural(naming.unmatched.size(), "row", "rows") + " (" +
                     (ids.size() == 1 ? "id " : "ids ") + messages::join(ids, ", ") +
                     (ids.size() == 1 ? ") matches" : ") match") + " no migration folder",
                 messages::join(detail, "\n"),
                 "These migrations were applied to the database but are missing from the migrations folder (it was "
                 "migrated from another branch, or folders were removed): pull the latest main, or restore the "
                 "missing folders, and run again. drizzle-orm 1.x refuses to upgrade this table too. Nothing was "
                 "changed.");
}

std::string describe_name(const TrackingRow& row) { return row.name ? "name " + quote_tag(*row.name) + ", " : ""; }

std::string upgraded_notice(const std::string& table, std::size_t rows) {
    return "Upgraded tracking table " + table +
           " to Drizzle 1.x's version 1 as drizzle-orm 1.x does: added the columns name and applied_at and named " +
           messages::plural(rows, "row", "rows") + " after their migration folders.";
}

namespace {

std::vector<std::string> named(const Naming& naming) {
    std::vector<std::string> out;
    for (const auto& n : naming.names) out.push_back("id " + std::to_string(n.id) + " " + quote_tag(n.name));
    return out;
}

}  // namespace

std::string named_rows_warning(const Naming& naming) {
    return "named " + messages::plural(naming.names.size(), "tracking row", "tracking rows") + " that had no name (" +
           messages::join(named(naming), ", ") +
           "): drizzle-orm 1.x would have run their migrations again (drizzle-orm 0.x writes rows without a name)";
}

std::string still_version0_notice(const std::string& table) {
    return "tracking table " + table +
           " is Drizzle's version 0 (it has no column name): the first apply of this Drizzle 1.x folder upgrades it "
           "as drizzle-orm 1.x does, giving each row the name of its migration folder as shown here";
}

std::vector<std::string> naming_problems(const Naming& naming) {
    std::vector<std::string> out;
    if (naming.version != TableVersion::v1) return out;
    for (const auto& n : naming.names)
        out.push_back("no name: tracking row id " + std::to_string(n.id) +
                      " has no name, so drizzle-orm 1.x would run " + quote_tag(n.name) +
                      " again; the next apply names it");
    return out;
}

}  // namespace trovella::core
