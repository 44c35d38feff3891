#include "core/reports.hpp"

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/messages.hpp"
#include "core/outside_transaction.hpp"
#include "core/splitter.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {

// What read-only functions say about the names they computed but may not write.
void tell_naming(Database& db, const Naming& naming) {
    if (naming.upgrade) db.notice(still_version0_notice(db.tracking_table_name()));
    else if (!naming.names.empty()) db.warning(messages::join(naming_problems(naming), "\n"));
}

}  // namespace

std::vector<StatusRow> status(Database& db, const Inputs& in) {
    std::vector<StatusRow> out;
    status(db, in, [&](const StatusRow& row) { out.push_back(row); });
    return out;
}

void status(Database& db, const Inputs& in, const std::function<void(const StatusRow&)>& each) {
    const Naming naming = read_names(db, in);
    const auto known = db.history_rows();
    const auto partial = db.partial_migrations();
    const Assessment a = assess(in.journal, naming.rows, &in.hashes);
    tell_naming(db, naming);
    // When the extension applied (or baselined, or repaired) this very row; none for rows it only
    // adopted (drizzle-kit records no time) and for rows it has no event about.
    auto applied_at = [&](const TrackingRow* row, std::optional<std::int64_t> when) -> std::optional<std::string> {
        if (row == nullptr) return std::nullopt;
        auto it = known.find(row->id);
        if (it == known.end() || !it->second.same_row(*row, when) || it->second.action == "adopted") return std::nullopt;
        return it->second.applied_at;
    };
    for (const auto& e : a.entries) {
        check_interrupts();
        StatusRow r;
        r.idx = idx_of(*e.entry);
        r.tag = e.entry->tag;
        r.created_at = e.entry->when;
        r.state = e.state;
        if (e.file_hash) r.hash = *e.file_hash;
        if (e.row != nullptr) r.recorded_hash = e.row->hash;
        r.applied_at = applied_at(e.row, e.entry->when);
        if (e.row == nullptr) {
            if (const Progress* p = partial.find(in.journal, *e.entry, e.file_hash)) {
                r.progress = std::to_string(p->completed);
                if (in.has_text(*e.entry))
                    r.progress = *r.progress + "/" + std::to_string(split_statements(in.text_of(*e.entry)).size());
            }
        }
        each(r);
    }
    for (const auto* row : a.unknown) {
        StatusRow r;
        r.created_at = row->created_at;
        r.state = State::unknown;
        r.recorded_hash = row->hash;
        r.applied_at = applied_at(row, std::nullopt);
        each(r);
    }
    for (const auto& tag : in.orphans) {
        check_interrupts();
        StatusRow r;
        r.tag = tag;
        r.state = State::orphan;
        r.hash = in.hashes.at(tag);
        each(r);
    }
}

VerifyReport verify(Database& db, const Inputs& in) {
    const Naming naming = read_names(db, in);
    const Assessment a = assess(in.journal, naming.rows, &in.hashes);
    if (naming.upgrade) db.notice(still_version0_notice(db.tracking_table_name()));
    Verification v = layer2_verification(a);
    for (auto& problem : naming_problems(naming)) v.problems.push_back(std::move(problem));
    const std::string compared = in.journal.layout == Layout::journal
                                     ? "the journal (" + std::to_string(a.expected) + " entries)"
                                     : "the migrations folder (" +
                                           messages::plural(a.expected, "migration folder", "migration folders") + ")";
    if (!v.ok() && in.options.raise)
        throw Error(ErrorKind::verify_failed, v.headline("verification failed"), messages::join(v.problems, "\n"),
                    "Compared " + compared + " with " + db.tracking_table_name() +
                        " (" + std::to_string(a.recorded) + " rows). Run trovella_migrate.status() for the state of each "
                        "migration.");
    if (v.ok()) db.notice(messages::verified(a.recorded));
    return VerifyReport{a.expected, a.recorded, v.problems};
}

std::vector<PlannedStatement> plan(Database& db, const Inputs& in) {
    const Naming naming = read_names(db, in);
    const Assessment a = assess(in.journal, naming.rows, &in.hashes);
    if (naming.upgrade && !naming.unmatched.empty()) throw upgrade_refusal(naming, db.tracking_table_name());
    tell_naming(db, naming);
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

