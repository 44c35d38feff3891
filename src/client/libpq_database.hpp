// core::Database over libpq: the client engine's side of the order of a run (core/run.hpp), for
// databases where the extension is not installed. The tracking table and the history are the
// core's (through LibpqSession); the history lives in ordinary tables in schema
// trovella_migrate_history, which the extension adopts when it is installed later. Statements are
// queued in libpq's pipeline and sent with the migration's tracking row: about one round trip per
// migration. Transactions are the engine's (BEGIN ... COMMIT around the run).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/libpq_session.hpp"
#include "core/database.hpp"
#include "core/history.hpp"
#include "core/outside_transaction.hpp"
#include "core/tracking_table.hpp"

namespace trovella::client {

// The client engine's history tables: their schema, and the DDL that makes them.
inline constexpr const char* kClientHistorySchema = "trovella_migrate_history";

// What a run may do outside its transaction (migrate without --single-transaction).
struct OutsideRuns {
    bool allowed = false;
    bool rebuild_invalid_indexes = false;  // --rebuild-invalid-indexes
};

class LibpqDatabase : public core::Database, private core::OutsideTransaction {
public:
    using MessageSink = std::function<void(const ServerMessage&)>;
    // `on_message`: the run's NOTICEs and WARNINGs, shown as the server's are. With `outside`
    // allowed, the migration lock is held for the session (lock_session) and migrations that
    // cannot run in a transaction run outside it.
    LibpqDatabase(Connection& connection, const core::Options& options, core::Function function,
                  MessageSink on_message, OutsideRuns outside = {});

    void require_session_can_write(core::Function fn) override;
    void push_settings(const core::Options& options) override;
    void pop_settings(bool success) override;

    std::string tracking_table_name() override { return tracking_.display_name(); }
    // Within a run that holds the lock for the session, the transaction's lock is that one.
    void lock() override {
        if (!session_locked_) tracking_.lock();
    }
    // Takes the migration lock for the session, outside any transaction (a runner that waits
    // inside one would hold up a CREATE INDEX CONCURRENTLY of the holder's), with the options'
    // lock_timeout bounding the wait; unlock_session() (never throws) gives it back.
    void lock_session(const core::Options& options);
    void unlock_session() noexcept;
    void create_tracking_table_if_missing(core::TableVersion version) override;
    void require_access(core::Access access) override { tracking_.require_access(access); }
    core::TrackingState tracking_state() override { return tracking_.read_state(); }
    core::TrackingCount tracking_count() override { return tracking_.count_rows(); }
    // Inside the run's transaction, sent behind the migration's queued statements: one round trip
    // per migration for both.
    std::int64_t insert_tracking_row(const std::string& hash, std::int64_t when, const std::string& name) override {
        if (!outside_now_) session_.pipeline_next_query();
        return tracking_.insert(hash, when, name);
    }
    void update_tracking_hash(std::int64_t id, const std::string& hash) override { tracking_.update_hash(id, hash); }
    void upgrade_tracking_table(const std::vector<core::RowName>& names) override { tracking_.upgrade(names); }
    void name_tracking_rows(const std::vector<core::RowName>& names) override { tracking_.name_rows(names); }

    std::map<std::int64_t, core::KnownRow> history_rows() override;
    core::PartialProgress partial_migrations() override;
    void record(const core::HistoryEvent& event) override;
    void finish_history() override;

    std::vector<core::CheckedStatement> check_statements(const std::vector<core::MigrationToCheck>& migrations) override;
    void execute(const core::StatementRun& run) override;
    void commit() override;

    core::OutsideTransaction* outside_transaction() override { return outside_.allowed ? this : nullptr; }

    void notice(const std::string& message) override { session_.notice(message); }
    void warning(const std::string& message) override { on_message_({"WARNING", "01000", message, {}, {}, {}}); }
    void annotate(const std::exception_ptr& failure, const core::FailureNote& note) override {
        session_.annotate(failure, note);
    }

    // Sends what is queued (the engine calls it before COMMIT).
    void flush() { session_.flush(); }
    // The run's history id, once a run was recorded.
    std::optional<std::int64_t> run_id() const { return run_id_; }
    // The run left its transaction (and committed what preceded) at least once.
    bool left_transaction() const { return left_transaction_; }
    // Per-migration results of this run (what last_run() gives the extension engine).
    const std::vector<core::HistoryEvent>& recorded() const { return recorded_; }

private:
    bool history_exists();
    void create_history_if_missing();
    void set_local_settings(const core::Options& options);

    // core::OutsideTransaction
    void leave_transaction() override;
    void enter_transaction() override;
    void apply_settings(const core::Options& options) override;
    void restore_settings() noexcept override;
    void show_progress(const std::string& tag, int number, int total) override;
    bool in_transaction_block() override;
    void run_alone(std::string_view sql, const std::string& context) override;
    void run_and_record(std::optional<std::string_view> sql, const std::string& context,
                        const core::HistoryEvent& progress, bool record_first) override;
    void abandon_block() noexcept override;
    std::optional<core::IndexState> index_of(const core::StatementFacts& facts) override;
    std::set<std::string> invalid_indexes() override;
    void drop_index_concurrently(const std::string& qualified_name) override;
    bool rebuild_invalid_indexes() const override { return outside_.rebuild_invalid_indexes; }

    Connection& connection_;
    MessageSink on_message_;
    LibpqSession session_;
    core::TrackingTable tracking_;
    core::History history_;
    std::vector<std::map<std::string, std::string>> saved_settings_;  // per push: name -> value before
    std::vector<core::Options> pushed_options_;                        // per push: what it set (SET LOCAL)
    std::map<std::string, std::string> session_settings_before_;       // apply_settings: name -> value before
    OutsideRuns outside_;
    bool session_locked_ = false;
    bool left_transaction_ = false;
    bool outside_now_ = false;  // between leave_transaction() and enter_transaction()
    std::optional<std::int64_t> run_id_;
    std::vector<core::HistoryEvent> recorded_;
    std::string application_name_;  // the session's own, shown again between migrations
    std::string progress_statement_;  // PREPAREd at the first statement: sets application_name
    // A sync point after each statement (so that statement_timeout bounds each one), or one per
    // migration: decided at the first statement (see execute()).
    bool sync_each_statement_ = true;
    bool texts_name_statement_timeout_ = false;  // a migration may set statement_timeout itself
    bool history_ready_ = false;
};

}  // namespace trovella::client
