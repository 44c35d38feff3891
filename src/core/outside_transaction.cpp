#include "core/outside_transaction.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/messages.hpp"
#include "core/run.hpp"
#include "core/run_support.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace msg = messages;
using run_support::annotate;
using run_support::elapsed_ms;
using run_support::event_for;

namespace {

std::string context_of(const CheckedStatement& s) {
    return statement_context(s.entry->tag, s.statement->number, s.total, s.line(), s.preview());
}

bool builds_concurrently(const CheckedStatement& s) { return s.node == StatementNode::IndexStmt && s.facts.concurrent; }

// A statement that can leave an invalid index behind when it fails: CREATE INDEX CONCURRENTLY,
// REINDEX ... CONCURRENTLY (its transient copies).
bool may_leave_invalid_index(const CheckedStatement& s) {
    return s.facts.concurrent && (s.node == StatementNode::IndexStmt || s.node == StatementNode::ReindexStmt);
}

std::string drop_statements(const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& name : names) out.push_back("DROP INDEX CONCURRENTLY " + name + ";");
    return msg::join(out, " ");
}

// One SQL statement of a migration run outside a transaction; `progress`, for the last statement
// of its piece, is recorded with it. `resuming`: the first statement of a run that resumes the
// migration, which may have completed just before a crash without its record.
void run_statement(Database& db, OutsideTransaction& out, const CheckedStatement& s, const HistoryEvent* progress,
                   bool resuming) {
    const std::string context = context_of(s);
    if (builds_concurrently(s) && !s.facts.index_name.empty()) {
        if (auto index = out.index_of(s.facts)) {
            if (!index->valid) {
                if (!out.rebuild_invalid_indexes())
                    throw Error(ErrorKind::refused,
                                "index " + index->name +
                                    " is invalid: an earlier CREATE INDEX CONCURRENTLY of it failed or was interrupted",
                                {},
                                "Once the cause is fixed (duplicate values, a lock timeout, ...), drop it with DROP INDEX "
                                "CONCURRENTLY " + index->name +
                                    "; and migrate again, or run migrate --rebuild-invalid-indexes, which drops it and "
                                    "builds it again.")
                        .with_context(context);
                db.notice("dropping invalid index " + index->name + " to build it again (--rebuild-invalid-indexes)");
                out.drop_index_concurrently(index->name);
            } else if (resuming && !s.facts.if_not_exists) {
                // Built by the run that was interrupted, after the build and before its record.
                db.notice("index " + index->name + " exists and is valid: its CREATE INDEX CONCURRENTLY completed in "
                          "an earlier run");
                if (progress != nullptr) out.run_and_record(std::nullopt, context, *progress, false);
                return;
            }
        }
    }
    std::set<std::string> invalid_before;
    if (may_leave_invalid_index(s)) invalid_before = out.invalid_indexes();
    std::exception_ptr failure;
    try {
        const TransactionControl control = s.verdict.control;
        const bool ends_block = control == TransactionControl::commit || control == TransactionControl::rollback;
        // COMMIT or ROLLBACK with no block open: PostgreSQL would only warn; nothing is sent.
        const bool send = !(ends_block && !out.in_transaction_block());
        if (progress == nullptr) {
            if (send) out.run_alone(s.sql(), context);
        } else {
            out.run_and_record(send ? std::optional<std::string_view>(s.sql()) : std::nullopt, context, *progress,
                               send && control == TransactionControl::commit);
        }
    } catch (...) {
        failure = std::current_exception();
    }
    if (!may_leave_invalid_index(s)) {
        if (failure) std::rethrow_exception(failure);
        return;
    }
    std::vector<std::string> left;
    for (const auto& name : out.invalid_indexes())
        if (!invalid_before.count(name)) left.push_back(name);
    if (left.empty()) {
        if (failure) std::rethrow_exception(failure);
        return;
    }
    const std::string what = msg::plural(left.size(), "index", "indexes") + " left invalid (" + msg::join(left, ", ") +
                             "): " + drop_statements(left);
    const std::string fix = "Fix the cause, then drop " + std::string(left.size() == 1 ? "it" : "them") + " (" +
                            drop_statements(left) + ") and migrate again, or run migrate --rebuild-invalid-indexes.";
    if (failure) {
        annotate(db, failure, FailureNote{what, fix, {}, {}});
        std::rethrow_exception(failure);
    }
    throw Error(ErrorKind::refused, "statement left an invalid index behind: " + what, {}, fix).with_context(context);
}

// The statements of `m`, by piece number.
std::map<int, std::vector<const CheckedStatement*>> by_piece(const OutsideMigration& m) {
    std::map<int, std::vector<const CheckedStatement*>> out;
    for (const auto* c : m.checked) out[c->statement->number].push_back(c);
    return out;
}

}  // namespace

std::string outside_announcement(const OutsideMigration& m) {
    const CheckedStatement& s = *m.reason;
    return m.entry->tag + " cannot run in a transaction (statement " + std::to_string(s.statement->number) + ", line " +
           std::to_string(s.line()) + ": " + (s.verdict.reason != nullptr ? s.verdict.reason : "") +
           "): running it statement by statement";
}

std::int64_t run_outside_transaction(Database& db, OutsideTransaction& out, const Inputs& in,
                                     const OutsideMigration& m) {
    const JournalEntry& entry = *m.entry;
    const auto& pieces = *m.statements;
    const auto total = static_cast<std::int64_t>(pieces.size());
    const std::string& hash = in.hash_of(entry);
    const std::string tag = quote_tag(entry.tag);
    db.notice(outside_announcement(m));

    std::int64_t done = 0;
    const auto partial = db.partial_migrations();
    if (const Progress* found = partial.find(in.journal, entry, &hash)) {
        const Progress& p = *found;
        if (p.hash != hash)
            throw Error(ErrorKind::refused,
                        "migration " + tag + " was partly applied (" + std::to_string(p.completed) + " of its statements) "
                        "from a file that has been edited since",
                        "recorded hash " + p.hash + ", file's hash " + hash,
                        "Put the file back as it was when it ran and migrate again to finish it; or finish it by hand "
                        "and record it with baseline --through " + entry.tag + ".");
        done = std::min(p.completed, total);
        if (done > 0)
            db.notice("resuming " + entry.tag + " at statement " + std::to_string(done + 1) + " of " +
                      std::to_string(total) + " (" + msg::plural(static_cast<std::size_t>(done), "statement", "statements") +
                      " completed in an earlier run)");
    }

    const auto started = std::chrono::steady_clock::now();
    out.leave_transaction();
    out.apply_settings(in.options);
    const auto pieces_of = by_piece(m);
    std::exception_ptr failure;
    try {
        for (auto i = static_cast<std::size_t>(done); i < pieces.size(); ++i) {
            check_interrupts();
            const Statement& piece = pieces[i];
            out.show_progress(entry.tag, piece.number, static_cast<int>(total));
            HistoryEvent progress = event_for("partial", entry, hash, std::nullopt);
            progress.statements = piece.number;
            auto found = pieces_of.find(piece.number);
            if (found == pieces_of.end() || found->second.empty()) {  // comments only
                out.run_and_record(std::nullopt, statement_context(entry, piece, static_cast<int>(total)), progress, false);
                continue;
            }
            const auto& statements = found->second;
            for (std::size_t j = 0; j < statements.size(); ++j) {
                const bool last = j + 1 == statements.size();
                run_statement(db, out, *statements[j], last ? &progress : nullptr,
                              j == 0 && i == static_cast<std::size_t>(done) && done > 0);
            }
        }
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        if (out.in_transaction_block()) out.abandon_block();
        out.restore_settings();
        // Where a new run resumes: what the history kept (a block of the file's own that failed
        // rolled back the records of its statements with them).
        std::int64_t kept = 0;
        try {
            const auto now = db.partial_migrations();
            if (const Progress* f = now.find(in.journal, entry, &hash)) kept = f->completed;
            out.enter_transaction();
        } catch (...) {
        }
        annotate(db, failure,
                 FailureNote{tag + " runs statement by statement outside a transaction: " +
                                 (kept == 0   ? std::string("none of its statements completed")
                                  : kept == 1 ? "statement 1 of " + std::to_string(total) +
                                                    " completed and stays done (recorded in the history)"
                                              : "statements 1 to " + std::to_string(kept) + " of " +
                                                    std::to_string(total) +
                                                    " completed and stay done (recorded in the history)") +
                                 "; the migrations before it are committed.",
                             "Fix the cause and migrate again: it resumes " + tag + " at statement " +
                                 std::to_string(kept + 1) + ".",
                             {}, {}});
        std::rethrow_exception(failure);
    }

    // The Drizzle row and the history's "applied", committed together; inside the file's own block
    // when it left one open (committed with it, as Drizzle's closing COMMIT would).
    out.restore_settings();
    if (!out.in_transaction_block()) out.enter_transaction();
    const std::int64_t id = db.insert_tracking_row(hash, entry.when, row_name(in, entry));
    const double ms = run_support::ms_since(started);
    HistoryEvent applied = event_for("applied", entry, hash, id);
    applied.statements = total;
    applied.duration_ms = ms;
    db.record(applied);
    out.leave_transaction();
    out.enter_transaction();
    db.notice("applied " + entry.tag + " (" + msg::plural(static_cast<std::size_t>(total), "statement", "statements") +
              " in " + elapsed_ms(ms) + " ms, outside a transaction)");
    return id;
}

}  // namespace trovella::core
