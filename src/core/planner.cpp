#include "core/planner.hpp"

#include <algorithm>
#include <unordered_map>

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/messages.hpp"
#include "core/upgrade.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {

std::string short_hash(const std::string& hash) {
    return hash.size() > 12 ? hash.substr(0, 12) + "..." : hash;
}

std::string describe_row(const TrackingRow& row) {
    return "id " + std::to_string(row.id) + " (" + describe_name(row) + "created_at " +
           (row.created_at ? std::to_string(*row.created_at) : std::string("NULL")) + ", hash " +
           short_hash(row.hash) + ")";
}

std::string describe_modified(const EntryState& e) {
    return quote_tag(e.entry->tag) + " was applied with hash " + short_hash(e.row->hash) +
           " but its file now hashes to " + short_hash(*e.file_hash);
}

std::string describe_out_of_order(const EntryState& e, const Assessment& a) {
    if (a.newest_applied != nullptr)
        return quote_tag(e.entry->tag) + " sorts before " + quote_tag(a.newest_applied->tag) +
               ", the last applied migration folder";
    return quote_tag(e.entry->tag) + " (when " + std::to_string(e.entry->when) +
           ") is older than the newest applied migration (created_at " + std::to_string(*a.newest_recorded) + ")";
}

// "journal entry" or "migration folder".
const char* entry_word(const Assessment& a) { return a.layout == Layout::journal ? "journal entry" : "migration folder"; }

std::string unknown_problem(const TrackingRow& row, const Assessment& a) {
    return "unknown: tracking row " + describe_row(row) + " matches no " + entry_word(a);
}

}  // namespace

const char* state_name(State state) {
    switch (state) {
        case State::applied: return "applied";
        case State::pending: return "pending";
        case State::modified: return "modified";
        case State::out_of_order: return "out_of_order";
        case State::unknown: return "unknown";
        case State::orphan: return "orphan";
    }
    return "?";
}

std::size_t Assessment::count(State state) const {
    if (state == State::unknown) return unknown.size();
    return static_cast<std::size_t>(
        std::count_if(entries.begin(), entries.end(), [&](const EntryState& e) { return e.state == state; }));
}

std::vector<const EntryState*> Assessment::with_state(State state) const {
    std::vector<const EntryState*> out;
    for (const auto& e : entries)
        if (e.state == state) out.push_back(&e);
    return out;
}

Assessment assess(const Journal& journal, const std::vector<TrackingRow>& rows, const FileHashes* hashes,
                  const std::set<std::int64_t>* own_rows) {
    Assessment a;
    a.layout = journal.layout;
    a.expected = journal.entries.size();
    a.recorded = rows.size();
    const bool by_name = journal.layout == Layout::folders;
    auto own = [&](const TrackingRow* row) { return own_rows != nullptr && own_rows->count(row->id) > 0; };

    // Identity is created_at = when (journal) or name = the folder name (folders); with duplicate
    // rows the first by id counts, the rest are unknown.
    std::vector<const TrackingRow*> by_id;
    by_id.reserve(rows.size());
    for (const auto& row : rows) by_id.push_back(&row);
    std::stable_sort(by_id.begin(), by_id.end(), [](auto* x, auto* y) { return x->id < y->id; });
    std::unordered_map<std::int64_t, const TrackingRow*> row_for_when;
    std::unordered_map<std::string, const TrackingRow*> row_for_name;
    if (by_name) row_for_name.reserve(rows.size());
    else row_for_when.reserve(rows.size());
    for (const auto* row : by_id) {
        check_interrupts();
        if (by_name) {
            if (row->name) row_for_name.emplace(*row->name, row);
        } else if (row->created_at) {
            row_for_when.emplace(*row->created_at, row);
            if (!own(row) && (!a.newest_recorded || *row->created_at > *a.newest_recorded)) a.newest_recorded = row->created_at;
        }
    }

    std::vector<bool> matched(rows.size());  // by position in rows
    a.entries.reserve(journal.entries.size());
    for (const auto& entry : journal.entries) {
        check_interrupts();
        EntryState e;
        e.entry = &entry;
        if (hashes != nullptr) {
            auto it = hashes->find(entry.tag);
            if (it != hashes->end()) e.file_hash = &it->second;
        }
        if (by_name) {
            auto row = row_for_name.find(entry.tag);
            if (row != row_for_name.end()) e.row = row->second;
        } else {
            auto row = row_for_when.find(entry.when);
            if (row != row_for_when.end()) e.row = row->second;
        }
        if (e.row != nullptr) {
            matched[static_cast<std::size_t>(e.row - rows.data())] = true;
            e.state = (e.file_hash && *e.file_hash != e.row->hash) ? State::modified : State::applied;
            if (by_name && !own(e.row)) a.newest_applied = &entry;  // folder order: the last one wins
        }
        a.entries.push_back(std::move(e));
    }
    for (auto& e : a.entries) {
        if (e.row != nullptr) continue;
        const bool older = by_name ? a.newest_applied != nullptr && e.entry->position < a.newest_applied->position
                                   : a.newest_recorded && e.entry->when < *a.newest_recorded;
        e.state = older ? State::out_of_order : State::pending;
    }
    for (const auto* row : by_id)
        if (!matched[static_cast<std::size_t>(row - rows.data())]) a.unknown.push_back(row);
    return a;
}

std::vector<const EntryState*> entries_to_apply(const Assessment& assessment) {
    std::vector<const EntryState*> out;
    for (const auto& e : assessment.entries)
        if (e.state == State::pending || e.state == State::out_of_order) out.push_back(&e);
    return out;
}

void check_can_apply(const Assessment& a, const Options& options) {
    std::vector<std::string> summary;
    std::vector<std::string> detail;
    std::vector<std::string> hints;

    if (!a.unknown.empty()) {
        std::vector<std::string> ids;
        for (const auto* row : a.unknown) {
            ids.push_back("id " + std::to_string(row->id));
            detail.push_back(unknown_problem(*row, a));
        }
        summary.push_back(messages::plural(a.unknown.size(), "unknown tracking row", "unknown tracking rows") +
                          " (" + messages::join(ids, ", ") + ")");
        hints.push_back(a.layout == Layout::journal
                            ? "The database has migrations this journal does not know: it was migrated from another branch, or the journal was edited. Pull the latest main and re-check."
                            : "The database has migrations this folder does not have: it was migrated from another branch, or migration folders were removed or renamed. Pull the latest main and re-check.");
    }
    if (!options.allow_modified) {
        auto modified = a.with_state(State::modified);
        if (!modified.empty()) {
            std::vector<std::string> tags;
            for (const auto* e : modified) {
                tags.push_back(quote_tag(e->entry->tag));
                detail.push_back("modified: " + describe_modified(*e));
            }
            summary.push_back(messages::plural(modified.size(), "modified migration", "modified migrations") + " (" +
                              messages::join(tags, ", ") + ")");
            hints.push_back("An applied migration's file was edited. Restore it, or record the edit on purpose with trovella_migrate.repair(), or pass {\"allow_modified\": true}.");
        }
    }
    if (!options.allow_out_of_order) {
        auto late = a.with_state(State::out_of_order);
        if (!late.empty()) {
            std::vector<std::string> tags;
            for (const auto* e : late) {
                tags.push_back(quote_tag(e->entry->tag));
                detail.push_back("out of order: " + describe_out_of_order(*e, a));
            }
            summary.push_back(messages::plural(late.size(), "out-of-order migration", "out-of-order migrations") + " (" +
                              messages::join(tags, ", ") + ")");
            hints.push_back("A migration older than the newest applied one was merged from another branch (Drizzle would skip it silently). Check it does not conflict, then pass {\"allow_out_of_order\": true}.");
        }
    }
    if (summary.empty() && a.recorded <= a.expected) return;

    std::string message = a.recorded > a.expected
                              ? messages::database_ahead(a.recorded, a.expected)
                              : "cannot apply migrations: " + messages::join(summary, "; ");
    if (a.recorded > a.expected && !summary.empty()) detail.insert(detail.begin(), "cannot apply migrations: " + messages::join(summary, "; "));
    throw Error(ErrorKind::refused, message, messages::join(detail, "\n"), messages::join(hints, "\n"));
}

std::string Verification::headline(const std::string& prefix) const {
    if (problems.empty()) return {};
    return count_differs ? problems.front() : prefix + ": " + problems.front();
}

Verification after_apply_verification(const Assessment& after, const Options& options) {
    Verification v;
    std::vector<std::string>& problems = v.problems;
    v.count_differs = after.recorded != after.expected;
    if (v.count_differs) problems.push_back(messages::count_mismatch(after.recorded, after.expected));
    for (const auto& e : after.entries) {
        if (e.state == State::pending || e.state == State::out_of_order)
            problems.push_back("not recorded: " + quote_tag(e.entry->tag) + " has no tracking row after apply");
        else if (e.state == State::modified && !options.allow_modified)
            problems.push_back("hash mismatch: " + describe_modified(e));
    }
    for (const auto* row : after.unknown)
        problems.push_back(unknown_problem(*row, after));
    return v;
}

Verification layer2_verification(const Assessment& a) {
    Verification v;
    std::vector<std::string>& problems = v.problems;
    v.count_differs = a.recorded != a.expected;
    if (a.recorded > a.expected) problems.push_back(messages::database_ahead(a.recorded, a.expected));
    else if (a.recorded != a.expected) problems.push_back(messages::count_mismatch(a.recorded, a.expected));
    for (const auto& e : a.entries) {
        switch (e.state) {
            case State::pending:
                problems.push_back("pending: " + quote_tag(e.entry->tag) +
                                   (a.layout == Layout::journal ? " (when " + std::to_string(e.entry->when) + ")" : std::string()) +
                                   " has no tracking row");
                break;
            case State::out_of_order:
                problems.push_back("out of order: " + describe_out_of_order(e, a) + " and has no tracking row");
                break;
            case State::modified:
                problems.push_back("modified: " + describe_modified(e));
                break;
            default:
                break;
        }
    }
    for (const auto* row : a.unknown)
        problems.push_back(unknown_problem(*row, a));
    return v;
}

}  // namespace trovella::core
