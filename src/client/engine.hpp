// What a command asks of the database, behind one interface: the extension engine calls the SQL
// functions of trovella_migrate; a client engine (running the same core over libpq where the
// extension cannot be installed) can implement the same calls. Results are plain structs; output
// is the renderer's business (report.hpp), the order of a command the runner's (commands.hpp).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/folder.hpp"
#include "core/options.hpp"

namespace trovella::client {

// The inputs of one call: the journal text to send (possibly cut after a tag; none for a Drizzle
// 1.x folder, which has no journal: SQL NULL), how many of the folder's files to send (a prefix of
// its arrays; none when texts is false) and the options object for the function.
struct Request {
    MigrationFolder* folder = nullptr;
    std::optional<std::string> journal_text;
    std::size_t file_count = 0;
    bool texts = true;
    nlohmann::json options = nlohmann::json::object();
};

// How migrate applies: one transaction per migration (--commit-each); every migration in one
// transaction, refusing those that cannot run in one (--single-transaction); an invalid index
// left by an interrupted CREATE INDEX CONCURRENTLY dropped and built again.
struct ApplyMode {
    bool commit_each = false;
    bool single_transaction = false;
    bool rebuild_invalid_indexes = false;
};

struct MigrationResult {
    std::string tag;
    std::optional<long long> idx;
    std::optional<long long> statements;  // absent when the extension does not report it (0.1.0)
    std::optional<double> duration_ms;
};

struct ApplyResult {
    long long expected = 0, applied_before = 0, pending = 0, applied = 0;
    bool verified = false;
    std::vector<std::string> applied_tags;
    std::optional<long long> run_id;
    std::vector<MigrationResult> migrations;  // one per migration applied in the call
};

struct VerifyResult {
    long long expected = 0, actual = 0;
    bool ok = false;
    std::vector<std::string> problems;
};

struct StatusRow {
    std::optional<long long> idx;
    std::optional<std::string> tag;
    std::optional<long long> created_at;
    std::string state;  // applied, pending, partial, modified, out_of_order, unknown, orphan
    std::optional<std::string> hash, recorded_hash;
    std::optional<std::string> applied_at;        // ISO 8601
    std::optional<std::string> applied_at_shown;  // to the second, as the server prints it
    std::optional<std::string> progress;          // state "partial": "<completed>/<statements>"
};

struct PlannedStatement {
    long long idx = 0;
    std::string tag;
    long long statement = 0, line = 0;
    std::string sql;
    bool in_transaction = true;  // false: its migration runs statement by statement outside one
};

struct RecordedEntry {
    long long idx = 0;
    std::string tag;
    long long created_at = 0;
    std::string hash;
    std::optional<std::string> previous_hash;  // repair
};

class Engine {
public:
    virtual ~Engine() = default;
    virtual const char* name() const = 0;

    // The installed extension's version, if any (asked once).
    virtual std::optional<std::string> extension_version() = 0;

    // Throws Failure when this engine cannot run `fn` here: not installed, too old, or (for the
    // functions that write) a read-only session, a hot standby, a wrong isolation level.
    virtual void check_ready(core::Function fn) = 0;
    // Throws Failure when this engine cannot take a Drizzle 1.x folder (an extension older than
    // the one that reads them).
    virtual void check_reads_folders() {}

    // Every method throws Failure for a database error, with what the engine knows added (the
    // GRANT to run when the role may not call the function).
    virtual ApplyResult apply(const Request& request, const ApplyMode& mode) = 0;
    virtual std::vector<StatusRow> status(const Request& request) = 0;
    virtual VerifyResult verify(const Request& request) = 0;  // never raises for a mismatch
    virtual std::vector<PlannedStatement> plan(const Request& request) = 0;
    virtual std::vector<RecordedEntry> baseline(const Request& request, const std::string& through_tag) = 0;
    virtual RecordedEntry repair(const Request& request, const std::string& tag) = 0;
};

}  // namespace trovella::client
