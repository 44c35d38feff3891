#include "pg/applier.hpp"

#include <chrono>
#include <cstdio>

#include "core/error.hpp"
#include "core/messages.hpp"
#include "core/splitter.hpp"
#include "pg/history.hpp"
#include "pg/progress.hpp"
#include "pg/statement_check.hpp"
#include "pg/tracking_table.hpp"

namespace trovella::pg {

namespace {

namespace msg = core::messages;

const char* spi_refusal(int rc) {
    switch (rc) {
        case SPI_ERROR_TRANSACTION: return "a transaction control statement (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...)";
        case SPI_ERROR_COPY: return "COPY ... FROM STDIN or TO STDOUT";
        default: return SPI_result_code_string(rc);
    }
}

void set_local(SpiConnection& spi, const char* name, const std::optional<std::string>& value) {
    if (!value) return;
    spi.query("SELECT pg_catalog.set_config($1, $2, true)", {Param::of(std::string(name)), Param::of(*value)});
}

// Records, once, the tag of tracking rows written by drizzle-kit itself, so that the history view
// can show a tag beside every row (the wiki's `WHERE tag LIKE '%role_grants%'`).
void adopt_known_entries(History& history, const core::Assessment& a, core::Function fn) {
    std::map<std::int64_t, bool> known;
    bool loaded = false;
    for (const auto& e : a.entries) {
        if (e.row == nullptr) continue;
        if (!loaded) {
            known = history.known_rows();
            loaded = true;
        }
        if (known.count(e.row->id)) continue;
        Event event;
        event.action = "adopted";
        event.tracking_id = e.row->id;
        event.tag = e.entry->tag;
        event.idx = e.entry->idx;
        event.hash = e.row->hash;
        event.created_at = e.entry->when;
        history.record(core::function_name(fn), event);
    }
}

// Runs one migration's statements; the statement context names it in any error.
void run_statements(SpiConnection& spi, const core::JournalEntry& entry, const std::vector<core::Statement>& statements,
                    ActivityReport& activity) {
    const int total = static_cast<int>(statements.size());
    for (const auto& statement : statements) {
        std::string sql(statement.sql);
        std::string preview = core::statement_preview(statement.sql);
        StatementPosition position{entry.tag.c_str(), statement.number, total, statement.line, preview.c_str()};
        activity.show(entry.tag, statement.number, total);
        int rc;
        {
            StatementContext context(&position);
            rc = spi.execute_statement(sql.c_str());
        }
        if (rc < 0)
            throw core::Error(core::ErrorKind::unsupported,
                              "migration " + core::quote_tag(entry.tag) + " statement " + std::to_string(statement.number) +
                                  " of " + std::to_string(total) + " (line " + std::to_string(statement.line) +
                                  ") cannot run inside apply: it is " + spi_refusal(rc),
                              "statement starts: " + preview,
                              "Remove it from the migration: apply already runs each migration in a transaction.");
    }
}

}  // namespace

ApplyResult apply_migrations(SpiConnection& spi, const Inputs& in, core::Function fn) {
    ApplyResult result;
    auto say = [&](const std::string& line) {
        notice(line);
        result.messages.push_back(line);
    };

    TrackingTable tracking(spi, in.options);
    tracking.lock();
    tracking.create_if_missing();
    History history(spi, tracking);

    auto rows = tracking.read_rows(false);
    auto before = core::assess(in.journal, rows, &in.hashes);
    result.expected = before.expected;
    result.applied_before = before.recorded;
    result.pending = before.pending();
    say(msg::migration_state(before.recorded, before.expected, before.pending()));
    core::check_can_apply(before, in.options);

    // Split and check everything that will run before running any of it.
    auto todo = core::entries_to_apply(before);
    std::vector<std::vector<core::Statement>> split;
    split.reserve(todo.size());
    std::vector<MigrationToCheck> to_check;
    for (const auto* e : todo) split.push_back(core::split_statements(in.texts->find(e->entry->tag)->second));
    for (std::size_t i = 0; i < todo.size(); ++i) to_check.push_back({todo[i]->entry, &split[i]});
    check_statements(to_check);

    adopt_known_entries(history, before, fn);

    if (todo.empty()) {
        say(msg::nothing_pending());
    } else {
        say(msg::running());
        set_local(spi, "lock_timeout", in.options.lock_timeout);
        set_local(spi, "statement_timeout", in.options.statement_timeout);
        ActivityReport activity;
        for (std::size_t i = 0; i < todo.size(); ++i) {
            const auto& entry = *todo[i]->entry;
            const auto& statements = split[i];
            notice("applying " + entry.tag + " (" + msg::plural(statements.size(), "statement", "statements") + ")");
            auto started = std::chrono::steady_clock::now();
            run_statements(spi, entry, statements, activity);
            const std::string& hash = in.hashes.find(entry.tag)->second;
            std::int64_t id = tracking.insert(hash, entry.when);
            double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
            Event event;
            event.tracking_id = id;
            event.tag = entry.tag;
            event.idx = entry.idx;
            event.hash = hash;
            event.created_at = entry.when;
            event.statements = static_cast<std::int64_t>(statements.size());
            event.duration_ms = ms;
            history.record(core::function_name(fn), event);
            char elapsed[32];
            snprintf(elapsed, sizeof elapsed, "%.1f", ms);
            notice("applied " + entry.tag + " (" + msg::plural(statements.size(), "statement", "statements") + " in " +
                   elapsed + " ms)");
            result.applied_tags.push_back(entry.tag);
        }
    }
    result.applied = result.applied_tags.size();

    // Layer 1, after: count again and check every entry has its row with the right hash.
    auto rows_after = tracking.read_rows(false);
    auto after = core::assess(in.journal, rows_after, &in.hashes);
    auto problems = core::after_apply_problems(after, in.options);
    if (!problems.empty()) {
        const std::string& first = problems.front();
        bool count_problem = first.rfind("Migration count mismatch", 0) == 0;
        throw core::Error(core::ErrorKind::verify_failed,
                          count_problem ? first : "verification after apply failed: " + first,
                          msg::join(problems, "\n"),
                          "Nothing was committed. A migration may have changed " + tracking.display_name() +
                              " itself; check the migrations listed.");
    }
    say(msg::complete(result.applied));
    say(msg::verified(after.recorded));
    result.verified = true;
    history.finish_run();
    return result;
}

}  // namespace trovella::pg
