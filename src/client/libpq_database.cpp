#include "client/libpq_database.hpp"

#include <algorithm>
#include <atomic>

#include "client/statement_check.hpp"
#include "client/statement_split.hpp"
#include "core/error.hpp"
#include "core/session_rules.hpp"
#include "core/splitter.hpp"

namespace trovella::client {

namespace {

// The client engine's history: the same columns as the extension's trovella_migrate.run and
// trovella_migrate.migration_event, in ordinary tables any database owner can create; the
// extension adopts them when it is installed later.
const char* kHistorySchemaDdl[] = {
    "CREATE SCHEMA trovella_migrate_history",
    "COMMENT ON SCHEMA trovella_migrate_history IS "
    "'The history of trovella-migrate''s client engine (runs and migrations), adopted by the trovella_migrate "
    "extension when it is installed.'"};
const char* kHistoryDdl[] = {
    "CREATE TABLE IF NOT EXISTS trovella_migrate_history.run (\n"
    "    run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "    function text NOT NULL,\n"
    "    run_by name NOT NULL,\n"
    "    tracking_schema name NOT NULL,\n"
    "    tracking_table name NOT NULL,\n"
    "    backend_pid integer NOT NULL DEFAULT pg_catalog.pg_backend_pid(),\n"
    "    application_name text DEFAULT pg_catalog.current_setting('application_name'),\n"
    "    started_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),\n"
    "    finished_at timestamptz\n"
    ")",
    "CREATE TABLE IF NOT EXISTS trovella_migrate_history.migration_event (\n"
    "    event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "    run_id bigint NOT NULL REFERENCES trovella_migrate_history.run (run_id),\n"
    "    action text NOT NULL CHECK (action IN ('applied', 'adopted', 'baselined', 'repaired', 'removed', 'partial')),\n"
    "    tracking_schema name NOT NULL,\n"
    "    tracking_table name NOT NULL,\n"
    "    tracking_id bigint,\n"
    "    tag text NOT NULL,\n"
    "    idx integer,\n"
    "    hash text NOT NULL,\n"
    "    previous_hash text,\n"
    "    created_at bigint NOT NULL,\n"
    "    statements integer,\n"
    "    applied_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),\n"
    "    applied_by name NOT NULL,\n"
    "    duration_ms double precision\n"
    ")"};

// Whether the history table exists, read from the catalogs: to_regclass would raise "permission
// denied for schema" for a role without USAGE, before the refusal below could name the GRANT.
const char* kHistoryTableExists =
    "EXISTS (SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
    "WHERE n.nspname OPERATOR(pg_catalog.=) 'trovella_migrate_history' AND c.relname OPERATOR(pg_catalog.=) 'migration_event')";

const char* kTrackingSettings[] = {"lock_timeout", "statement_timeout"};

// What pg_stat_activity shows while a statement runs: "trovella-migrate: applying <tag> statement
// i/n", within application_name's 63 bytes (a long tag is cut, never the position).
std::string progress_text(const std::string& tag, int number, int total) {
    constexpr std::size_t kMax = 63;
    const std::string head = "trovella-migrate: applying ";
    const std::string tail = " statement " + std::to_string(number) + "/" + std::to_string(total);
    std::string shown = tag;
    if (head.size() + shown.size() + tail.size() > kMax) {
        std::size_t keep = kMax - head.size() - tail.size() - 1;  // room for "~"
        while (keep > 0 && (static_cast<unsigned char>(shown[keep]) & 0xC0) == 0x80) --keep;  // whole UTF-8 characters
        shown = shown.substr(0, keep) + "~";
    }
    return head + shown + tail;
}

std::optional<std::string> setting_of(const core::Options& options, const std::string& name) {
    return name == "lock_timeout" ? options.lock_timeout : options.statement_timeout;
}

// Whether `sql` mentions statement_timeout (any case): a SET, set_config() or a function that
// could change it for the statements after it.
bool names_statement_timeout(std::string_view sql) {
    static constexpr std::string_view kName = "statement_timeout";
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return std::search(sql.begin(), sql.end(), kName.begin(), kName.end(),
                       [&](char a, char b) { return lower(a) == b; }) != sql.end();
}

}  // namespace

LibpqDatabase::LibpqDatabase(Connection& connection, const core::Options& options, core::Function function,
                             MessageSink on_message, OutsideRuns outside)
    : connection_(connection),
      on_message_(std::move(on_message)),
      session_(connection, [this](const std::string& m) { on_message_({"NOTICE", "00000", m, {}, {}, {}}); }),
      tracking_(session_, options, function),
      history_(session_, tracking_, function, kClientHistorySchema),
      outside_(outside) {
    application_name_ = session_.query("SELECT pg_catalog.current_setting('application_name')").at(0).at(0).value_or("");
}

void LibpqDatabase::require_session_can_write(core::Function fn) {
    auto rows = session_.query(
        "SELECT pg_catalog.pg_is_in_recovery(), pg_catalog.current_setting('transaction_read_only') "
        "OPERATOR(pg_catalog.=) 'on', pg_catalog.current_setting('transaction_isolation') "
        "OPERATOR(pg_catalog.=) ANY (ARRAY['repeatable read', 'serializable'])");
    auto yes = [&](std::size_t i) { return rows.at(0).at(i) && *rows.at(0).at(i) == "t"; };
    core::require_session_can_migrate(fn, {yes(0), yes(1), yes(2)});
}

// The options' lock_timeout and statement_timeout for the rest of the transaction (SET LOCAL), and
// the values before them put back when the scope ends well; a failure rolls the transaction back,
// which undoes them anyway. statement_timeout then bounds each statement: the pipeline syncs after
// each one.
void LibpqDatabase::push_settings(const core::Options& options) {
    std::map<std::string, std::string> before;
    for (const char* name : kTrackingSettings) {
        auto value = setting_of(options, name);
        if (!value) continue;
        auto rows = session_.query("SELECT pg_catalog.current_setting($1), pg_catalog.set_config($1, $2, true)",
                                   {core::SqlParam::of(std::string(name)), core::SqlParam::of(*value)});
        before.emplace(name, rows.at(0).at(0).value_or(""));
    }
    saved_settings_.push_back(std::move(before));
    pushed_options_.push_back(options);
}

// The settings pushed so far, SET LOCAL again in a new transaction of the run.
void LibpqDatabase::set_local_settings(const core::Options& options) {
    for (const char* name : kTrackingSettings)
        if (auto value = setting_of(options, name))
            session_.query("SELECT pg_catalog.set_config($1, $2, true)",
                           {core::SqlParam::of(std::string(name)), core::SqlParam::of(*value)});
}

void LibpqDatabase::pop_settings(bool success) {
    if (saved_settings_.empty()) return;
    auto before = std::move(saved_settings_.back());
    saved_settings_.pop_back();
    pushed_options_.pop_back();
    if (!success) return;
    for (const auto& [name, value] : before)
        session_.query("SELECT pg_catalog.set_config($1, $2, true)", {core::SqlParam::of(name), core::SqlParam::of(value)});
}

void LibpqDatabase::create_tracking_table_if_missing(core::TableVersion version) {
    tracking_.create_if_missing(version);
    create_history_if_missing();
}

bool LibpqDatabase::history_exists() {
    if (history_ready_) return true;
    auto rows = session_.query(std::string("SELECT ") + kHistoryTableExists);
    return rows.at(0).at(0) && *rows.at(0).at(0) == "t";
}

// Before anything runs: this role must be able to keep the history (create its schema, or write
// the tables another role made), else a clear refusal naming the GRANT.
void LibpqDatabase::create_history_if_missing() {
    if (history_ready_) return;
    auto rows = session_.query(
        "SELECT pg_catalog.to_regnamespace('trovella_migrate_history') IS NOT NULL, "
        + std::string(kHistoryTableExists) + ", "
        "pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE'), "
        "CASE WHEN pg_catalog.to_regnamespace('trovella_migrate_history') IS NOT NULL THEN "
        "  pg_catalog.has_schema_privilege('trovella_migrate_history', 'USAGE') "
        "  AND pg_catalog.has_schema_privilege('trovella_migrate_history', 'CREATE') END, "
        "pg_catalog.quote_ident(CURRENT_USER::pg_catalog.text), pg_catalog.quote_ident(pg_catalog.current_database())");
    auto yes = [&](std::size_t i) { return rows.at(0).at(i) && *rows.at(0).at(i) == "t"; };
    const std::string role = rows.at(0).at(4).value_or(""), database = rows.at(0).at(5).value_or("");
    auto refuse = [&](const std::string& why, const std::string& grant) {
        throw core::Error(core::ErrorKind::permission_denied,
                          "permission denied for the client engine's history (schema trovella_migrate_history): " + why,
                          "The client engine records who ran what, and when, in ordinary tables of that schema.",
                          "As a superuser or the database's owner: " + grant);
    };
    if (!yes(0) && !yes(2))
        refuse(role + " may not create the schema",
               "GRANT CREATE ON DATABASE " + database + " TO " + role +
                   "; or CREATE SCHEMA trovella_migrate_history AUTHORIZATION " + role + ";");
    if (yes(1)) {
        auto tables = session_.query(
            "SELECT pg_catalog.has_schema_privilege(n.oid, 'USAGE') "
            "AND pg_catalog.has_table_privilege(r.oid, 'SELECT, INSERT, UPDATE') "
            "AND pg_catalog.has_table_privilege(e.oid, 'SELECT, INSERT') "
            "FROM pg_catalog.pg_namespace n "
            "JOIN pg_catalog.pg_class r ON r.relnamespace OPERATOR(pg_catalog.=) n.oid AND r.relname OPERATOR(pg_catalog.=) 'run' "
            "JOIN pg_catalog.pg_class e ON e.relnamespace OPERATOR(pg_catalog.=) n.oid "
            "AND e.relname OPERATOR(pg_catalog.=) 'migration_event' "
            "WHERE n.nspname OPERATOR(pg_catalog.=) 'trovella_migrate_history'");
        if (tables.empty() || !(tables.at(0).at(0) && *tables.at(0).at(0) == "t"))
            refuse(role + " may not write its tables",
                   "GRANT USAGE ON SCHEMA trovella_migrate_history TO " + role +
                       "; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA trovella_migrate_history TO " + role + ";");
    } else {
        if (yes(0) && !yes(3))
            refuse(role + " may not create its tables", "GRANT USAGE, CREATE ON SCHEMA trovella_migrate_history TO " + role + ";");
        if (!yes(0))
            for (const char* statement : kHistorySchemaDdl) session_.query(statement);
        for (const char* statement : kHistoryDdl) session_.query(statement);
    }
    history_ready_ = true;
}

core::PartialProgress LibpqDatabase::partial_migrations() {
    if (!history_exists()) return {};
    return history_.partial_migrations();
}

void LibpqDatabase::lock_session(const core::Options& options) {
    if (session_locked_) return;
    std::optional<std::string> before;
    if (options.lock_timeout)
        before = session_.query("SELECT pg_catalog.current_setting('lock_timeout'), "
                                "pg_catalog.set_config('lock_timeout', $1, false)",
                                {core::SqlParam::of(*options.lock_timeout)})
                     .at(0)
                     .at(0);
    std::exception_ptr failure;
    try {
        tracking_.lock(core::TrackingTable::LockScope::session);
        session_locked_ = true;
    } catch (...) {
        failure = std::current_exception();
    }
    if (before) {
        try {
            session_.query("SELECT pg_catalog.set_config('lock_timeout', $1, false)", {core::SqlParam::of(*before)});
        } catch (...) {
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
}

void LibpqDatabase::unlock_session() noexcept {
    if (!session_locked_) return;
    session_locked_ = false;
    try {
        if (PQstatus(connection_.raw()) == CONNECTION_OK && PQtransactionStatus(connection_.raw()) == PQTRANS_IDLE)
            tracking_.unlock_session();
    } catch (...) {
        // The session ends soon and takes the lock with it.
    }
}

std::map<std::int64_t, core::KnownRow> LibpqDatabase::history_rows() {
    if (!history_exists()) return {};
    return history_.known_rows();
}

void LibpqDatabase::record(const core::HistoryEvent& event) {
    create_history_if_missing();
    history_.record(event);
    run_id_ = history_.run_id();
    recorded_.push_back(event);
}

void LibpqDatabase::finish_history() {
    if (run_id_) history_.finish_run();
}

std::vector<core::CheckedStatement> LibpqDatabase::check_statements(const std::vector<core::MigrationToCheck>& migrations) {
    for (const auto& m : migrations)
        for (const auto& piece : *m.statements)
            if (names_statement_timeout(piece.sql)) texts_name_statement_timeout_ = true;
    return client::checked_statements(migrations);
}

// Queued, not sent: the statements of a migration go with its tracking row. pg_stat_activity shows
// the statement running in application_name, as the extension shows it in the query column.
void LibpqDatabase::execute(const core::StatementRun& run) {
    const core::Statement& statement = *run.statement;
    const std::string& tag = run.entry->tag;
    // The progress, the statement and (after the last) the session's own name again share one
    // sync point: half as many for the server to answer and flush.
    // The progress is set by a statement prepared once per run: a migration of many small
    // statements otherwise doubles the server's parsing and planning.
    if (progress_statement_.empty()) {
        static std::atomic<unsigned> runs{0};
        const std::string name = "trovella_migrate_progress_" + std::to_string(++runs);
        session_.query("PREPARE " + name +
                       " (pg_catalog.text) AS SELECT pg_catalog.set_config('application_name', $1, false)");
        progress_statement_ = name;
        // One sync point per migration, unless a statement_timeout is in force (the run's option,
        // the session's or the server's) or a migration may set one: the server starts that timer
        // at the first message after a sync point, so it bounds each statement only with a sync
        // after each. Each sync is an answer the server sends and flushes: a fifth of a small
        // statement's time, over the slow link (bench/run).
        const auto timeout = session_.query("SELECT pg_catalog.current_setting('statement_timeout')").at(0).at(0);
        sync_each_statement_ = texts_name_statement_timeout_ || timeout.value_or("0") != "0";
    }
    if (sync_each_statement_ || statement.number == 1) session_.begin_unit();
    session_.execute_prepared_later(progress_statement_,
                                    {core::SqlParam::of(progress_text(tag, statement.number, run.total))});
    const std::string context = "migration \"" + tag + "\", statement " + std::to_string(statement.number) + " of " +
                                std::to_string(run.total) + " (line " + std::to_string(statement.line) +
                                "): " + core::statement_preview(statement.sql);
    for (std::string_view sql : single_statements(statement.sql)) session_.execute_statement(std::string(sql), context);
    if (statement.number == run.total)
        session_.execute_prepared_later(progress_statement_, {core::SqlParam::of(application_name_)});
    if (sync_each_statement_ || statement.number == run.total) session_.end_unit();
}

void LibpqDatabase::commit() {
    session_.flush();
    connection_.exec("COMMIT");
    connection_.exec("BEGIN ISOLATION LEVEL READ COMMITTED");
}

// --- Migrations that cannot run in a transaction (core/outside_transaction.hpp) ---

void LibpqDatabase::leave_transaction() {
    session_.flush();
    connection_.exec("COMMIT");
    left_transaction_ = true;
    outside_now_ = true;
}

void LibpqDatabase::enter_transaction() {
    connection_.exec("BEGIN ISOLATION LEVEL READ COMMITTED");
    outside_now_ = false;
    for (const auto& options : pushed_options_) set_local_settings(options);
}

void LibpqDatabase::apply_settings(const core::Options& options) {
    session_settings_before_.clear();
    for (const char* name : kTrackingSettings) {
        auto value = setting_of(options, name);
        if (!value) continue;
        auto rows = session_.query("SELECT pg_catalog.current_setting($1), pg_catalog.set_config($1, $2, false)",
                                   {core::SqlParam::of(std::string(name)), core::SqlParam::of(*value)});
        session_settings_before_.emplace(name, rows.at(0).at(0).value_or(""));
    }
}

void LibpqDatabase::show_progress(const std::string& tag, int number, int total) {
    session_.query("SELECT pg_catalog.set_config('application_name', $1, false)",
                   {core::SqlParam::of(progress_text(tag, number, total))});
    session_settings_before_.emplace("application_name", application_name_);
}

void LibpqDatabase::restore_settings() noexcept {
    auto before = std::move(session_settings_before_);
    session_settings_before_.clear();
    for (const auto& [name, value] : before) {
        try {
            session_.query("SELECT pg_catalog.set_config($1, $2, false)", {core::SqlParam::of(name), core::SqlParam::of(value)});
        } catch (...) {
        }
    }
}

bool LibpqDatabase::in_transaction_block() {
    session_.flush();
    const PGTransactionStatusType status = PQtransactionStatus(connection_.raw());
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

void LibpqDatabase::run_alone(std::string_view sql, const std::string& context) {
    session_.execute_statement(std::string(sql), context);
    session_.flush();
}

void LibpqDatabase::run_and_record(std::optional<std::string_view> sql, const std::string& context,
                                   const core::HistoryEvent& progress, bool record_first) {
    // The run's row in the history exists before the unit (making it is a query of its own).
    create_history_if_missing();
    run_id_ = history_.run_id();
    session_.begin_unit();
    if (record_first) history_.record(progress);
    if (sql) session_.execute_statement(std::string(*sql), context);
    if (!record_first) history_.record(progress);
    session_.end_unit();
    session_.flush();
}

void LibpqDatabase::abandon_block() noexcept {
    try {
        connection_.exec("ROLLBACK");
    } catch (...) {
    }
}

std::optional<core::IndexState> LibpqDatabase::index_of(const core::StatementFacts& facts) {
    auto rows = session_.query(
        "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), i.indisvalid "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_index i ON i.indexrelid OPERATOR(pg_catalog.=) c.oid "
        "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
        "WHERE c.relname OPERATOR(pg_catalog.=) $1::pg_catalog.name AND c.relnamespace OPERATOR(pg_catalog.=) "
        "(SELECT t.relnamespace FROM pg_catalog.pg_class t WHERE t.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass("
        "CASE WHEN $2 OPERATOR(pg_catalog.=) '' THEN pg_catalog.quote_ident($3) "
        "ELSE pg_catalog.quote_ident($2) || '.' || pg_catalog.quote_ident($3) END))",
        {core::SqlParam::of(facts.index_name), core::SqlParam::of(facts.relation_schema),
         core::SqlParam::of(facts.relation_name)});
    if (rows.empty()) return std::nullopt;
    return core::IndexState{rows[0][0].value_or(""), rows[0][1] && *rows[0][1] == "t"};
}

std::set<std::string> LibpqDatabase::invalid_indexes() {
    auto rows = session_.query(
        "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) "
        "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace WHERE NOT i.indisvalid");
    std::set<std::string> out;
    for (const auto& row : rows) out.insert(row[0].value_or(""));
    return out;
}

void LibpqDatabase::drop_index_concurrently(const std::string& qualified_name) {
    run_alone("DROP INDEX CONCURRENTLY " + qualified_name, "--rebuild-invalid-indexes: DROP INDEX CONCURRENTLY " + qualified_name);
}

}  // namespace trovella::client
