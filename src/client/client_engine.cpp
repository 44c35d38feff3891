#include "client/client_engine.hpp"

#include <nlohmann/json.hpp>
#include <optional>

#include "client/failure.hpp"
#include "client/libpq_database.hpp"
#include "client/session_check.hpp"
#include "core/sha256.hpp"
#include "core/error.hpp"
#include "core/reports.hpp"
#include "core/run.hpp"

namespace trovella::client {

namespace {

// The inputs of one call, checked by the core as the extension checks its arguments: the journal
// as sent, the files sent (a prefix of the folder's), the options for the function.
Failure failure_of(const core::Error& e) {
    return Failure(ServerMessage{"ERROR", core::sqlstate_of(e.kind()), e.what(), e.detail(), e.hint(), e.context()});
}

core::Inputs checked_inputs(const Request& request, core::Function fn, core::Texts required,
                            const ClientEngine::MessageSink& on_message) {
    core::Options options = core::parse_options(request.options.dump(), fn);
    std::optional<core::MigrationTexts> texts;
    if (request.texts) {
        core::MigrationTexts files;
        for (std::size_t i = 0; i < request.file_count; ++i)
            files.emplace(std::string(request.folder->tags.at(i)), std::string(request.folder->texts.at(i)));
        texts = std::move(files);
    }
    std::optional<std::string_view> journal;
    if (request.journal_text) journal = *request.journal_text;
    std::vector<std::string> names;  // a Drizzle 1.x folder without the texts: the names alone
    if (!request.journal_text && !request.texts)
        for (std::size_t i = 0; i < request.file_count; ++i) names.emplace_back(request.folder->tags.at(i));
    core::Inputs in = core::make_inputs(journal, std::move(texts), std::move(options), fn, required, &core::sha256_hex,
                                        !request.journal_text && !request.texts ? &names : nullptr);
    for (const auto& warning : in.warnings) on_message({"WARNING", "01000", warning, {}, {}, {}});
    return in;
}

core::Inputs inputs_of(const Request& request, core::Function fn, core::Texts required,
                       const ClientEngine::MessageSink& on_message) {
    try {
        return checked_inputs(request, fn, required, on_message);
    } catch (const core::Error& e) {
        throw failure_of(e);  // bad input, as the extension reports it (22023)
    }
}

// Runs `body` in a transaction of its own (`begin` opens it): committed when it returns, rolled
// back when it throws; the core's errors become Failures with the extension's SQLSTATEs.
template <class Body>
auto in_transaction(Connection& connection, const char* begin, Body&& body) -> decltype(body()) {
    try {
        connection.exec(begin);
        auto result = body();
        connection.exec("COMMIT");
        return result;
    } catch (const core::Error& e) {
        try {
            connection.exec("ROLLBACK");
        } catch (const Failure&) {
        }
        throw failure_of(e);
    } catch (const Failure&) {
        try {
            connection.exec("ROLLBACK");
        } catch (const Failure&) {
        }
        throw;
    }
}

const char* kWrite = "BEGIN ISOLATION LEVEL READ COMMITTED";
// One snapshot for everything a read-only command reads (works on a hot standby).
const char* kRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

RecordedEntry recorded_entry(const core::RecordedEntry& r) {
    RecordedEntry out;
    out.idx = r.idx;
    out.tag = r.tag;
    out.created_at = r.created_at;
    out.hash = r.hash;
    if (!r.previous_hash.empty()) out.previous_hash = r.previous_hash;
    return out;
}

}  // namespace

std::optional<std::string> ClientEngine::extension_version() {
    Result r = connection_.exec(
        "SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'trovella_migrate'");
    return r.rows() > 0 ? r.get(0, "extversion") : std::nullopt;
}

void ClientEngine::check_ready(core::Function fn) {
    // Nothing to install; the session itself must be able to migrate, as the extension engine
    // checks it (same words, same SQLSTATEs), before anything runs.
    check_session_can_write(read_session_facts(connection_), fn);
}

ApplyResult ClientEngine::apply(const Request& request, const ApplyMode& mode) {
    const core::Function fn = mode.commit_each ? core::Function::apply_each : core::Function::apply;
    const core::Inputs in = inputs_of(request, fn, core::Texts::required, on_message_);
    // Unless --single-transaction: the lock is taken for the session, before the transaction (a
    // runner waiting inside one would hold up a CREATE INDEX CONCURRENTLY of the holder's), and
    // kept while migrations that cannot run in a transaction run outside it.
    const OutsideRuns outside{!mode.single_transaction, mode.rebuild_invalid_indexes};
    std::optional<LibpqDatabase> made;
    try {
        made.emplace(connection_, in.options, fn, on_message_, outside);
        if (outside.allowed) made->lock_session(in.options);
    } catch (const core::Error& e) {
        throw failure_of(e);
    }
    LibpqDatabase& db = *made;
    struct Unlock {
        LibpqDatabase& db;
        ~Unlock() { db.unlock_session(); }
    } unlock{db};
    try {
        return applied(in, mode, db);
    } catch (Failure& failure) {
        if (db.left_transaction()) failure.set_partly_committed();
        throw;
    }
}

ApplyResult ClientEngine::applied(const core::Inputs& in, const ApplyMode& mode, LibpqDatabase& db) {
    return in_transaction(connection_, kWrite, [&] {
        core::ApplyResult r = mode.commit_each ? core::apply_each(db, in) : core::apply(db, in);
        db.flush();
        ApplyResult out;
        out.expected = static_cast<long long>(r.expected);
        out.applied_before = static_cast<long long>(r.applied_before);
        out.pending = static_cast<long long>(r.pending);
        out.applied = static_cast<long long>(r.applied);
        out.verified = r.verified;
        out.applied_tags = r.applied_tags;
        out.run_id = db.run_id();
        for (const auto& e : db.recorded()) {
            if (std::string(e.action) != "applied") continue;
            out.migrations.push_back({e.tag, e.idx, e.statements, e.duration_ms});
        }
        return out;
    });
}

std::vector<StatusRow> ClientEngine::status(const Request& request) {
    const core::Inputs in = inputs_of(request, core::Function::status, core::Texts::optional, on_message_);
    return in_transaction(connection_, kRead, [&] {
        LibpqDatabase db(connection_, in.options, core::Function::status, on_message_);
        const auto report = core::status(db, in);
        // applied_at as the extension engine gives it: ISO 8601, and to the second as the server
        // prints it; the server converts them all in one query.
        nlohmann::json times = nlohmann::json::array();
        for (const auto& r : report)
            if (r.applied_at) times.push_back(*r.applied_at);
        const std::string times_text = times.dump();
        Result shown = connection_.exec(
            "SELECT pg_catalog.to_json(t::pg_catalog.timestamptz) #>> '{}' AS iso, "
            "t::pg_catalog.timestamptz(0)::pg_catalog.text AS shown "
            "FROM pg_catalog.json_array_elements_text($1::pg_catalog.json) WITH ORDINALITY AS a(t, n) ORDER BY n",
            {Param::text(times_text)});
        std::vector<StatusRow> rows;
        int next_time = 0;
        for (const auto& r : report) {
            StatusRow row;
            row.idx = r.idx;
            row.tag = r.tag;
            row.created_at = r.created_at;
            row.state = r.state_name();
            row.progress = r.progress;
            row.hash = r.hash;
            row.recorded_hash = r.recorded_hash;
            if (r.applied_at) {
                row.applied_at = shown.get(next_time, "iso");
                row.applied_at_shown = shown.get(next_time, "shown");
                ++next_time;
            }
            rows.push_back(std::move(row));
        }
        return rows;
    });
}

VerifyResult ClientEngine::verify(const Request& request) {
    Request no_raise = request;
    no_raise.options["raise"] = false;
    const core::Inputs in = inputs_of(no_raise, core::Function::verify, core::Texts::optional, on_message_);
    return in_transaction(connection_, kRead, [&] {
        LibpqDatabase db(connection_, in.options, core::Function::verify, on_message_);
        const core::VerifyReport v = core::verify(db, in);
        return VerifyResult{static_cast<long long>(v.expected), static_cast<long long>(v.actual), v.ok(), v.problems};
    });
}

std::vector<PlannedStatement> ClientEngine::plan(const Request& request) {
    const core::Inputs in = inputs_of(request, core::Function::plan, core::Texts::required, on_message_);
    return in_transaction(connection_, kRead, [&] {
        LibpqDatabase db(connection_, in.options, core::Function::plan, on_message_);
        std::vector<PlannedStatement> out;
        for (const auto& p : core::plan(db, in))
            out.push_back({p.idx, p.tag, p.number, p.line, std::string(p.sql), p.in_transaction});
        return out;
    });
}

std::vector<RecordedEntry> ClientEngine::baseline(const Request& request, const std::string& through_tag) {
    const core::Inputs in = inputs_of(request, core::Function::baseline, core::Texts::required, on_message_);
    return in_transaction(connection_, kWrite, [&] {
        LibpqDatabase db(connection_, in.options, core::Function::baseline, on_message_);
        std::vector<RecordedEntry> out;
        for (const auto& r : core::baseline(db, in, through_tag)) out.push_back(recorded_entry(r));
        db.flush();
        return out;
    });
}

RecordedEntry ClientEngine::repair(const Request& request, const std::string& tag) {
    const core::Inputs in = inputs_of(request, core::Function::repair, core::Texts::required, on_message_);
    return in_transaction(connection_, kWrite, [&] {
        LibpqDatabase db(connection_, in.options, core::Function::repair, on_message_);
        RecordedEntry out = recorded_entry(core::repair(db, in, tag));
        db.flush();
        return out;
    });
}

}  // namespace trovella::client
