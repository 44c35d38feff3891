#include "pg/spi_database.hpp"

#include "core/error.hpp"
#include "core/splitter.hpp"
#include "pg/last_run.hpp"
#include "pg/notices.hpp"
#include "core/session_rules.hpp"
#include "pg/statement_check.hpp"

namespace trovella::pg {

namespace {

const char* spi_refusal(int rc) {
    switch (rc) {
        case SPI_ERROR_TRANSACTION: return "a transaction control statement (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...)";
        case SPI_ERROR_COPY: return "COPY ... FROM STDIN or TO STDOUT";
        default: return SPI_result_code_string(rc);
    }
}

}  // namespace

SpiDatabase::SpiDatabase(SpiConnection& spi, const core::Options& options, core::Function function, Mode mode)
    : spi_(spi),
      mode_(mode),
      session_(spi, mode == Mode::read_only),
      tracking_(session_, options, function),
      history_(session_, tracking_, function, "trovella_migrate") {
    if (mode == Mode::write) begin_last_run(core::function_name(function));
    history_.hold_events();  // written in one INSERT: before each commit, and when the run ends
}

void SpiDatabase::require_session_can_write(core::Function fn) {
    core::require_session_can_migrate(fn, {RecoveryInProgress(), XactReadOnly, IsolationUsesXactSnapshot()});
}

void SpiDatabase::push_settings(const core::Options& options) {
    settings_.push_back(std::make_unique<RunSettings>(options));
}

void SpiDatabase::pop_settings(bool success) {
    if (settings_.empty()) return;
    if (success) settings_.back()->finish();
    settings_.pop_back();  // on a failure its destructor undoes the settings, without raising
}

std::map<std::int64_t, core::KnownRow> SpiDatabase::history_rows() {
    if (mode_ == Mode::write) adopt_client_history();
    return history_.known_rows();
}

// As the history's keeper (the extension's owner), once per run; an extension still at 0.2.0's
// objects (the new library before ALTER EXTENSION UPDATE) has no such function yet.
void SpiDatabase::adopt_client_history() {
    if (adopted_) return;
    adopted_ = true;
    // Nothing to adopt where the client engine never ran (no schema trovella_migrate_history): the
    // common case, told from the catalog cache without calling the PL/pgSQL function (its first
    // call in a session, compiling it, was a seventh of a no-op apply()'s).
    if (!pg_call([] { return OidIsValid(get_namespace_oid("trovella_migrate_history", true)); })) return;
    session_.as_history_keeper([&] {
        auto found =
            session_.query("SELECT pg_catalog.to_regprocedure('trovella_migrate.adopt_client_history()') IS NOT NULL");
        if (found.at(0).at(0) && *found.at(0).at(0) == "t") session_.query("SELECT trovella_migrate.adopt_client_history()");
    });
}

core::PartialProgress SpiDatabase::partial_migrations() {
    history_.flush();
    core::PartialProgress out;
    session_.as_history_keeper([&] {
        auto found = session_.query(
            "SELECT pg_catalog.to_regprocedure('trovella_migrate.partial_migrations(name, name)') IS NOT NULL");
        if (!found.at(0).at(0) || *found.at(0).at(0) != "t") return;  // 0.2.0's objects
        for (const auto& row : session_.query(
                 "SELECT created_at, tag, hash, completed FROM trovella_migrate.partial_migrations($1, $2)",
                 {core::SqlParam::of(tracking_.schema()), core::SqlParam::of(tracking_.table())}))
            out.add(core::to_int64(row[0]), row[1].value_or(""), core::Progress{row[2].value_or(""), core::to_int64(row[3])});
    });
    return out;
}

void SpiDatabase::record(const core::HistoryEvent& event) {
    history_.record(event);
    LastRun& run = last_run();
    run.run_id = history_.run_id();
    run.entries.push_back({event.action, event.tag, event.idx, event.statements, event.duration_ms, std::nullopt});
}

std::vector<core::CheckedStatement> SpiDatabase::check_statements(
    const std::vector<core::MigrationToCheck>& migrations) {
    return pg::checked_statements(migrations);
}

void SpiDatabase::execute(const core::StatementRun& run) {
    const core::Statement& statement = *run.statement;
    const std::string sql(statement.sql);
    const std::string& tag = run.entry->tag;
    StatementPosition position{tag, statement.number, run.total, statement.line, statement.sql};
    activity_.show(tag, statement.number, run.total);
    int rc;
    {
        StatementContext context(&position);
        StatementTimer timer(settings_.empty() ? 0 : settings_.back()->statement_timeout_ms());
        rc = spi_.execute_statement(sql.c_str());
    }
    if (rc < 0)
        throw core::Error(core::ErrorKind::unsupported,
                          "migration " + core::quote_tag(tag) + " statement " + std::to_string(statement.number) +
                              " of " + std::to_string(run.total) + " (line " + std::to_string(statement.line) +
                              ") cannot run inside apply: it is " + spi_refusal(rc),
                          "statement starts: " + core::statement_preview(statement.sql),
                          "Remove it from the migration: apply already runs each migration in a transaction.");
}

void SpiDatabase::commit() {
    history_.flush();
    pg_call([] { SPI_commit(); });
    mark_committed();
}

void SpiDatabase::warning(const std::string& message) { warn(message); }

}  // namespace trovella::pg
