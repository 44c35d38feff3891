#include "core/reports.hpp"

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/messages.hpp"
#include "core/outside_transaction.hpp"
#include "core/splitter.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

std::vector<StatusRow> status(Database& db, const Inputs& in) {
    const auto rows = db.tracking_rows();
    const auto known = db.history_rows();
    const auto partial = db.partial_migrations();
    const Assessment a = assess(in.journal, rows, &in.hashes);
    // When the extension applied (or baselined, or repaired) this very row; none for rows it only
    // adopted (drizzle-kit records no time) and for rows it has no event about.
    auto applied_at = [&](const TrackingRow* row) -> std::optional<std::string> {
        if (row == nullptr) return std::nullopt;
        auto it = known.find(row->id);
        if (it == known.end() || !it->second.same_row(*row) || it->second.action == "adopted") return std::nullopt;
        return it->second.applied_at;
    };
    std::vector<StatusRow> out;
    out.reserve(a.entries.size() + a.unknown.size() + in.orphans.size());
    for (const auto& e : a.entries) {
        check_interrupts();
        StatusRow r;
        r.idx = idx_of(*e.entry);
        r.tag = e.entry->tag;
        r.created_at = e.entry->when;
        r.state = e.state;
        r.hash = e.file_hash;
        if (e.row != nullptr) r.recorded_hash = e.row->hash;
        r.applied_at = applied_at(e.row);
        if (e.row == nullptr) {
            if (auto p = partial.find(e.entry->when); p != partial.end()) {
                r.progress = std::to_string(p->second.completed);
                if (in.has_text(*e.entry))
                    r.progress = *r.progress + "/" + std::to_string(split_statements(in.text_of(*e.entry)).size());
            }
        }
        out.push_back(std::move(r));
    }
    for (const auto* row : a.unknown) {
        StatusRow r;
        r.created_at = row->created_at;
        r.state = State::unknown;
        r.recorded_hash = row->hash;
        r.applied_at = applied_at(row);
        out.push_back(std::move(r));
    }
    for (const auto& tag : in.orphans) {
        check_interrupts();
        StatusRow r;
        r.tag = tag;
        r.state = State::orphan;
        r.hash = in.hashes.at(tag);
        out.push_back(std::move(r));
    }
    return out;
}

VerifyReport verify(Database& db, const Inputs& in) {
    const auto rows = db.tracking_rows();
    const Assessment a = assess(in.journal, rows, &in.hashes);
    const Verification v = layer2_verification(a);
    if (!v.ok() && in.options.raise)
        throw Error(ErrorKind::verify_failed, v.headline("verification failed"), messages::join(v.problems, "\n"),
                    "Compared the journal (" + std::to_string(a.expected) + " entries) with " + db.tracking_table_name() +
                        " (" + std::to_string(a.recorded) + " rows). Run trovella_migrate.status() for the state of each "
                        "migration.");
    if (v.ok()) db.notice(messages::verified(a.recorded));
    return VerifyReport{a.expected, a.recorded, v.problems};
}

std::vector<PlannedStatement> plan(Database& db, const Inputs& in) {
    const auto rows = db.tracking_rows();
    const Assessment a = assess(in.journal, rows, &in.hashes);
    check_can_apply(a, in.options);
    const Work work = prepare(a, in, db, in.options.single_transaction ? Purpose::run : Purpose::plan);
    std::vector<PlannedStatement> out;
    for (std::size_t i = 0; i < work.entries.size(); ++i) {
        const JournalEntry& entry = *work.entries[i]->entry;
        const bool in_transaction = !work.outside[i];
        if (!in_transaction) db.notice(outside_announcement(*work.outside[i]));
        for (const auto& statement : work.statements[i])
            out.push_back({idx_of(entry), entry.tag, statement.number, statement.line, statement.sql, in_transaction});
    }
    return out;
}

}  // namespace trovella::core

