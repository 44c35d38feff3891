// The engine that calls the trovella_migrate extension's SQL functions over libpq. File bytes
// travel as two binary text[] parameters (tags and texts) that the server turns into the
// `migrations` jsonb with jsonb_object(): no SQL text is built from them, nothing is escaped.
#pragma once

#include <map>

#include "client/connection.hpp"
#include "client/engine.hpp"
#include "client/session_check.hpp"

namespace trovella::client {

// apply()'s per-migration results, read from trovella_migrate.last_run() (extension 0.2.0 and
// later) as [{"tag", "idx", "statements", "duration_ms"}, ...], else the applied tags with nothing
// measured.
std::vector<MigrationResult> migration_results(const std::optional<std::string>& results,
                                               const std::vector<std::string>& applied_tags,
                                               const core::Journal& journal);

class ExtensionEngine : public Engine {
public:
    explicit ExtensionEngine(Connection& connection) : connection_(connection) {}

    const char* name() const override { return "extension"; }
    std::optional<std::string> extension_version() override;
    void check_ready(core::Function fn) override;
    void check_reads_folders() override;

    // Refuses (0A000, before anything runs) a migration that cannot run in a transaction:
    // migrate then hands the run to the client engine (commands.cpp).
    ApplyResult apply(const Request& request, const ApplyMode& mode) override;
    std::vector<StatusRow> status(const Request& request) override;
    VerifyResult verify(const Request& request) override;
    std::vector<PlannedStatement> plan(const Request& request) override;
    std::vector<RecordedEntry> baseline(const Request& request, const std::string& through_tag) override;
    RecordedEntry repair(const Request& request, const std::string& tag) override;

private:
    struct Routine {
        std::string signature;  // trovella_migrate.apply(json, jsonb, jsonb)
        bool is_procedure = false;
        bool allowed = false;  // EXECUTE privilege of the current user
    };

    const SessionFacts& session();
    const std::map<std::string, Routine>& routines();
    // Runs `sql` for `fn` with the request's parameters ($1 journal, then $2 tags and $3 texts
    // when texts are sent, then options, then `extra` when given).
    Result call(core::Function fn, const std::string& sql_template, const Request& request,
                const std::optional<std::string>& extra = std::nullopt);
    std::vector<std::string> text_array(const std::string& array_text);

    Connection& connection_;
    std::optional<SessionFacts> session_;
    std::optional<std::map<std::string, Routine>> routines_;
};

}  // namespace trovella::client
