// core::Database inside PostgreSQL: the extension's side of the order of a run (core/run.hpp).
// The tracking table and the history are the core's, reached through the SPI session; what is
// left here is PostgreSQL's own: the pre-flight statement check with the server's parser, running
// statements through SPI with their error context and progress, run settings, commits.
#pragma once

#include <memory>
#include <vector>

#include "core/database.hpp"
#include "core/history.hpp"
#include "core/tracking_table.hpp"
#include "pg/progress.hpp"
#include "pg/run_settings.hpp"
#include "pg/spi_session.hpp"

namespace trovella::pg {

class SpiDatabase : public core::Database {
public:
    enum class Mode { write, read_only };  // read_only: the caller's snapshot (status, verify, plan)

    SpiDatabase(SpiConnection& spi, const core::Options& options, core::Function function, Mode mode);

    void require_session_can_write(core::Function fn) override;
    void push_settings(const core::Options& options) override;
    void pop_settings(bool success) override;

    std::string tracking_table_name() override { return tracking_.display_name(); }
    void lock() override { tracking_.lock(); }
    void create_tracking_table_if_missing(core::TableVersion version) override { tracking_.create_if_missing(version); }
    void require_access(core::Access access) override { tracking_.require_access(access); }
    core::TrackingState tracking_state() override { return tracking_.read_state(); }
    core::TrackingCount tracking_count() override { return tracking_.count_rows(); }
    std::int64_t insert_tracking_row(const std::string& hash, std::int64_t when, const std::string& name) override {
        return tracking_.insert(hash, when, name);
    }
    void update_tracking_hash(std::int64_t id, const std::string& hash) override { tracking_.update_hash(id, hash); }
    void upgrade_tracking_table(const std::vector<core::RowName>& names) override { tracking_.upgrade(names); }
    void name_tracking_rows(const std::vector<core::RowName>& names) override { tracking_.name_rows(names); }

    // A write run first adopts what the client engine recorded (trovella_migrate.adopt_client_history).
    std::map<std::int64_t, core::KnownRow> history_rows() override;
    // The client runs such migrations (apply() cannot); their progress is read from both histories
    // (trovella_migrate.partial_migrations).
    core::PartialProgress partial_migrations() override;
    void record(const core::HistoryEvent& event) override;
    void finish_history() override { history_.finish_run(); }

    std::vector<core::CheckedStatement> check_statements(
        const std::vector<core::MigrationToCheck>& migrations) override;
    void execute(const core::StatementRun& run) override;
    void commit() override;

    void notice(const std::string& message) override { session_.notice(message); }
    void warning(const std::string& message) override;
    void annotate(const std::exception_ptr& failure, const core::FailureNote& note) override {
        session_.annotate(failure, note);
    }

private:
    void adopt_client_history();

    SpiConnection& spi_;
    Mode mode_;
    bool adopted_ = false;
    SpiSession session_;
    core::TrackingTable tracking_;
    core::History history_;
    std::vector<std::unique_ptr<RunSettings>> settings_;  // innermost last
    ActivityReport activity_;
};

}  // namespace trovella::pg
