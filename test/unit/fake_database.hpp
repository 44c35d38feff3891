// A core::Database in memory for the unit tests of the order of a run: a tracking table, a
// history, and a log of every call in order. Tests inject what other runners commit meanwhile and
// which statement fails.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/database.hpp"
#include "core/error.hpp"

namespace trovella::test {

// An error of the fake database's own (a stand-in for PostgreSQL's), which annotate() extends.
struct FakeDbError : std::runtime_error {
    using std::runtime_error::runtime_error;
    std::string detail, hint;
};

// Runs `f` and returns the FakeDbError it throws (fails the test, by a logic_error, otherwise).
template <class F>
FakeDbError fake_error_from(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const FakeDbError& e) {
        return e;
    }
    throw std::logic_error("expected a FakeDbError, but nothing was thrown");
}

// What a parser would find in `sql`, read from its first words: enough for the rules the run
// applies (CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON table, VACUUM, BEGIN,
// COMMIT, ROLLBACK, COPY ... FROM STDIN); anything else is an ordinary statement.
inline core::StatementFacts fake_facts(std::string_view sql) {
    std::vector<std::string> words;
    std::string word;
    for (char c : sql) {
        if (c == ' ' || c == '\n' || c == ';' || c == '(') {
            if (!word.empty()) words.push_back(word), word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) words.push_back(word);
    auto at = [&](std::size_t i) { return i < words.size() ? words[i] : std::string(); };
    core::StatementFacts f;
    std::size_t i = 0;
    if (at(0) == "CREATE" && (at(1) == "INDEX" || (at(1) == "UNIQUE" && at(2) == "INDEX"))) {
        f.node = core::StatementNode::IndexStmt;
        i = at(1) == "UNIQUE" ? 3 : 2;
        if (at(i) == "CONCURRENTLY") f.concurrent = true, ++i;
        if (at(i) == "IF") f.if_not_exists = true, i += 3;
        f.index_name = at(i);
        f.relation_name = at(i + 2);
    } else if (at(0) == "VACUUM") {
        f.node = core::StatementNode::VacuumStmt;
        f.vacuum = true;
    } else if (at(0) == "BEGIN" || at(0) == "COMMIT" || at(0) == "ROLLBACK") {
        f.node = core::StatementNode::TransactionStmt;
        f.kind = at(0) == "BEGIN" ? "TRANS_STMT_BEGIN" : at(0) == "COMMIT" ? "TRANS_STMT_COMMIT" : "TRANS_STMT_ROLLBACK";
    } else if (at(0) == "COPY" && at(2) == "FROM" && at(3) == "STDIN") {
        f.node = core::StatementNode::CopyStmt;
        f.copy_from = true;
    }
    return f;
}

class FakeDatabase : public core::Database {
public:
    std::vector<std::string> log;             // every call, in order
    std::vector<core::TrackingRow> rows;      // the tracking table
    std::map<std::int64_t, core::KnownRow> history;
    std::vector<core::HistoryEvent> events;   // recorded in this run
    std::vector<std::string> notices, warnings;
    std::vector<std::string> executed;        // "tag#number"
    int settings_depth = 0;
    bool table_exists = true;
    core::TableVersion version = core::TableVersion::v0;  // of the table, when it exists
    std::vector<std::vector<core::RowName>> upgrades, namings;  // what upgrade/name_tracking_rows got
    bool read_only_session = false;
    std::int64_t next_id = 1;
    // Before the lock of call number `n` (1-based) returns, another runner commits these rows
    // (id 0: the next id).
    std::map<int, std::vector<core::TrackingRow>> others_commit_before_lock;
    // The statement "tag#number" fails with this message.
    std::map<std::string, std::string> failing_statements;
    bool lock_table_full = false;             // failures look like lock-table exhaustion
    bool new_enum_value_used = false;         // failures look like 55P04 (unsafe use of a new enum value)

    void require_session_can_write(core::Function fn) override {
        log.push_back(std::string("require_session_can_write ") + core::function_name(fn));
        if (read_only_session)
            throw core::Error(core::ErrorKind::read_only, "cannot run in a read-only transaction");
    }
    void push_settings(const core::Options&) override {
        ++settings_depth;
        log.push_back("push_settings");
    }
    void pop_settings(bool success) override {
        --settings_depth;
        log.push_back(success ? "pop_settings ok" : "pop_settings failed");
    }
    std::string tracking_table_name() override { return "drizzle.__drizzle_migrations"; }
    void lock() override {
        ++locks;
        log.push_back("lock");
        auto it = others_commit_before_lock.find(locks);
        if (it == others_commit_before_lock.end()) return;
        for (auto row : it->second) {
            if (row.id == 0) row.id = next_id++;  // else: an id the other session drew earlier
            rows.push_back(row);
        }
    }
    void create_tracking_table_if_missing(core::TableVersion v) override {
        log.push_back(std::string("create_tracking_table_if_missing") + (v == core::TableVersion::v1 ? " v1" : " v0"));
        if (!table_exists) version = v;
        table_exists = true;
    }
    void require_access(core::Access access) override {
        const char* name = access == core::Access::read     ? "read"
                           : access == core::Access::append ? "append"
                           : access == core::Access::update ? "update"
                                                            : "alter";
        log.push_back(std::string("require_access ") + name);
        if (denied_access == name) throw core::Error(core::ErrorKind::permission_denied, std::string("no ") + name);
    }
    core::TrackingState tracking_state() override {
        log.push_back("tracking_state");
        if (!table_exists) return {};
        core::TrackingState state{version, rows};
        if (version == core::TableVersion::v0)
            for (auto& row : state.rows) row.name.reset();  // no such column
        return state;
    }
    core::TrackingCount tracking_count() override {
        log.push_back("tracking_count");
        core::TrackingCount c{rows.size(), 0};
        for (const auto& row : rows) c.max_id = std::max(c.max_id, row.id);
        return c;
    }
    std::int64_t insert_tracking_row(const std::string& hash, std::int64_t when, const std::string& name) override {
        log.push_back("insert_tracking_row " + std::to_string(when));
        rows.push_back({next_id, hash, when, version == core::TableVersion::v1 ? std::optional<std::string>(name) : std::nullopt});
        inserted_names.push_back(name);
        return next_id++;
    }
    void upgrade_tracking_table(const std::vector<core::RowName>& names) override {
        log.push_back("upgrade_tracking_table");
        upgrades.push_back(names);
        version = core::TableVersion::v1;
        for (auto& row : rows) {
            row.name.reset();
            for (const auto& n : names)
                if (n.id == row.id) row.name = n.name;
        }
    }
    void name_tracking_rows(const std::vector<core::RowName>& names) override {
        log.push_back("name_tracking_rows");
        namings.push_back(names);
        for (auto& row : rows)
            for (const auto& n : names)
                if (n.id == row.id && !row.name) row.name = n.name;
    }
    void update_tracking_hash(std::int64_t id, const std::string& hash) override {
        log.push_back("update_tracking_hash " + std::to_string(id));
        for (auto& row : rows)
            if (row.id == id) row.hash = hash;
    }
    std::map<std::int64_t, core::KnownRow> history_rows() override {
        log.push_back("history_rows");
        return history;
    }
    void record(const core::HistoryEvent& event) override {
        log.push_back(std::string("record ") + event.action + " " + event.tag);
        events.push_back(event);
        if (event.tracking_id)
            history[*event.tracking_id] =
                core::KnownRow{event.tag, event.idx, event.hash, event.created_at, event.action, "2026-12-02 00:00:00+00"};
    }
    void finish_history() override { log.push_back("finish_history"); }
    // Each piece is one SQL statement, read by its first words (fake_facts) as a parser would.
    std::vector<core::CheckedStatement> check_statements(const std::vector<core::MigrationToCheck>& migrations) override {
        std::string tags;
        for (const auto& m : migrations) tags += " " + m.entry->tag;
        log.push_back("check_statements" + tags);
        if (check_fails) throw core::Error(core::ErrorKind::unsupported, "statement cannot run in a migration");
        std::vector<core::CheckedStatement> checked;
        for (const auto& m : migrations)
            for (const auto& piece : *m.statements) core::add_checked_statements(checked, m, piece, {fake_facts(piece.sql)});
        return checked;
    }
    void execute(const core::StatementRun& run) override {
        const std::string name = run.entry->tag + "#" + std::to_string(run.statement->number);
        log.push_back("execute " + name);
        auto failing = failing_statements.find(name);
        if (failing != failing_statements.end()) throw FakeDbError(failing->second);
        executed.push_back(name);
    }
    void commit() override {
        log.push_back("commit");
        ++commits;
    }
    void notice(const std::string& message) override { notices.push_back(message); }
    void warning(const std::string& message) override { warnings.push_back(message); }
    void annotate(const std::exception_ptr& failure, const core::FailureNote& note) override {
        try {
            std::rethrow_exception(failure);
        } catch (FakeDbError& e) {
            e.detail += note.detail;
            e.hint += note.hint;
            if (lock_table_full) e.hint += note.hint_if_lock_table_full;
            if (new_enum_value_used) e.hint += note.hint_if_new_enum_value_used;
        } catch (...) {
        }
    }

    bool check_fails = false;
    std::string denied_access;               // require_access of this kind ("alter", ...) fails
    std::vector<std::string> inserted_names; // the name given with each insert
    int locks = 0;
    int commits = 0;
};

}  // namespace trovella::test
