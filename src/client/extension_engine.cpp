#include "client/extension_engine.hpp"

#include <cstdio>

#include "client/failure.hpp"
#include "client/session_check.hpp"

namespace trovella::client {

namespace {

using json = nlohmann::json;

constexpr Oid kJsonOid = 114;
constexpr Oid kJsonbOid = 3802;
constexpr Oid kTextOid = 25;

const char* kRoutinesQuery =
    "SELECT p.proname, p.prokind = 'p' AS is_procedure,"
    "       pg_catalog.format('%I.%I(%s)', n.nspname, p.proname,"
    "           pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.format_type(a.t, NULL)"
    "               FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY AS a(t, o) ORDER BY a.o), "
    "', ')) AS signature,"
    "       pg_catalog.has_function_privilege(p.oid, 'EXECUTE') AS allowed"
    " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
    " WHERE n.nspname = 'trovella_migrate' ORDER BY p.oid";

void replace(std::string& s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    if (at != std::string::npos) s.replace(at, from.size(), to);
}

std::optional<long long> optional_integer(const Result& r, int row, const char* column) {
    auto value = r.get(row, column);
    if (!value) return std::nullopt;
    return std::stoll(*value);
}

std::vector<std::string> strings_of(const std::string& json_array_text) {
    std::vector<std::string> out;
    if (json_array_text.empty()) return out;
    for (const auto& item : json::parse(json_array_text)) out.push_back(item.get<std::string>());
    return out;
}


}  // namespace

std::vector<MigrationResult> migration_results(const std::optional<std::string>& results,
                                               const std::vector<std::string>& applied_tags,
                                               const core::Journal& journal) {
    std::vector<MigrationResult> out;
    if (!results) {  // an extension without the results column: the tags, nothing measured
        for (const auto& tag : applied_tags) {
            MigrationResult m;
            m.tag = tag;
            if (const auto* entry = journal.find(tag)) m.idx = static_cast<long long>(entry->position);
            out.push_back(std::move(m));
        }
        return out;
    }
    for (const auto& item : json::parse(*results)) {
        MigrationResult m;
        m.tag = item.value("tag", "");
        if (item.contains("idx") && item["idx"].is_number()) m.idx = item["idx"].get<long long>();
        if (item.contains("statements") && item["statements"].is_number())
            m.statements = item["statements"].get<long long>();
        if (item.contains("duration_ms") && item["duration_ms"].is_number())
            m.duration_ms = item["duration_ms"].get<double>();
        out.push_back(std::move(m));
    }
    return out;
}

const SessionFacts& ExtensionEngine::session() {
    if (!session_) session_ = read_session_facts(connection_);
    return *session_;
}

const std::map<std::string, ExtensionEngine::Routine>& ExtensionEngine::routines() {
    if (!routines_) {
        Result r = connection_.exec(kRoutinesQuery);
        std::map<std::string, Routine> found;
        for (int i = 0; i < r.rows(); ++i)
            found.emplace(r.text(i, "proname"),
                          Routine{r.text(i, "signature"), r.boolean(i, "is_procedure"), r.boolean(i, "allowed")});
        routines_ = std::move(found);
    }
    return *routines_;
}

std::optional<std::string> ExtensionEngine::extension_version() { return session().extension_version; }

void ExtensionEngine::check_ready(core::Function fn) {
    const SessionFacts& s = session();
    const std::string name = core::function_name(fn);
    if (!s.extension_version)
        throw Failure(ExitCode::usage, "the trovella_migrate extension is not installed in this database",
                      "Run CREATE EXTENSION trovella_migrate; in the database (as a role allowed to create it).");
    if (routines().count(name) == 0)
        throw Failure(ExitCode::usage,
                      "the installed trovella_migrate extension has no " + name + "() yet (it is version " +
                          *s.extension_version + ")",
                      "Update it: ALTER EXTENSION trovella_migrate UPDATE;");
    check_session_can_write(s, fn);
}

// Drizzle 1.x folders (journal NULL) are read by trovella_migrate 0.3.0 and later.
void ExtensionEngine::check_reads_folders() {
    const auto& version = session().extension_version;
    if (!version) return;  // check_ready said so already
    int major = 0, minor = 0;
    if (std::sscanf(version->c_str(), "%d.%d", &major, &minor) < 2 || major > 0 || minor >= 3) return;
    throw Failure(ExitCode::usage,
                  "the installed trovella_migrate extension (version " + *version +
                      ") cannot read a Drizzle 1.x migrations folder (<YYYYMMDDHHMMSS>_<name>/migration.sql)",
                  "Update it: ALTER EXTENSION trovella_migrate UPDATE; (0.3.0 and later read both layouts), or run "
                  "with --engine client.");
}

Result ExtensionEngine::call(core::Function fn, const std::string& sql_template, const Request& request,
                             const std::optional<std::string>& extra) {
    std::string sql = sql_template;
    std::vector<Param> params{request.journal_text ? Param::text(*request.journal_text) : Param::null()};
    params.back().type = kJsonOid;
    if (request.texts) {
        params.push_back(request.folder->tags.param(request.file_count));
        params.push_back(request.folder->texts.param(request.file_count));
        replace(sql, "{migrations}", "pg_catalog.jsonb_object($2::pg_catalog.text[], $3::pg_catalog.text[])");
    } else if (!request.journal_text) {  // a Drizzle 1.x folder: its migrations by name alone
        params.push_back(request.folder->tags.param(request.file_count));
        replace(sql, "{migrations}", "pg_catalog.to_jsonb($2::pg_catalog.text[])");
    } else {
        replace(sql, "{migrations}", "NULL::pg_catalog.jsonb");
    }
    const std::string options_text = request.options.dump();
    params.push_back(Param::text(options_text));
    params.back().type = kJsonbOid;
    replace(sql, "{options}", "$" + std::to_string(params.size()) + "::pg_catalog.jsonb");
    if (extra) {
        params.push_back(Param::text(*extra));
        params.back().type = kTextOid;
        replace(sql, "{extra}", "$" + std::to_string(params.size()) + "::pg_catalog.text");
    }
    try {
        return connection_.exec(sql, params);
    } catch (Failure& failure) {
        const auto& e = failure.error();
        auto routine = routines().find(core::function_name(fn));
        if (e.sqlstate == "42501" && !raised_by_migration_statement(e.context) && e.hint.empty() &&
            routine != routines().end() && !routine->second.allowed)
            failure.explain("permission denied: " + session().user + " may not run trovella_migrate." +
                                core::function_name(fn) + "()",
                            "Run as a role that may grant it: GRANT EXECUTE ON " +
                                std::string(routine->second.is_procedure ? "PROCEDURE " : "FUNCTION ") +
                                routine->second.signature + " TO " + session().quoted_user + ";");
        throw;
    }
}

std::vector<std::string> ExtensionEngine::text_array(const std::string& array_text) {
    Result r = connection_.exec("SELECT pg_catalog.array_to_json($1::pg_catalog.text[])::pg_catalog.text AS items",
                                {Param::text(array_text)});
    return strings_of(r.text(0, "items"));
}

ApplyResult ExtensionEngine::apply(const Request& request, const ApplyMode& mode) {
    Result r =
        mode.commit_each
            ? call(core::Function::apply_each,
                   "CALL trovella_migrate.apply_each($1::pg_catalog.json, {migrations}, {options})", request)
            : call(core::Function::apply,
                   "SELECT * FROM trovella_migrate.apply($1::pg_catalog.json, {migrations}, {options})", request);
    ApplyResult a;
    a.expected = r.integer(0, "expected");
    a.applied_before = r.integer(0, "applied_before");
    a.pending = r.integer(0, "pending");
    a.applied = r.integer(0, "applied");
    a.verified = r.boolean(0, "verified");
    a.applied_tags = text_array(r.get(0, "applied_tags").value_or("{}"));
    // 0.2.0 and later: what this session's call recorded, migration by migration, with durations.
    std::optional<std::string> results;
    if (routines().count("last_run")) {
        Result last = connection_.exec(
            "SELECT max(l.run_id) AS run_id, coalesce(pg_catalog.json_agg(pg_catalog.json_build_object("
            "'tag', l.tag, 'idx', l.idx, 'statements', l.statements, 'duration_ms', l.duration_ms)) "
            "FILTER (WHERE l.action = 'applied'), '[]')::pg_catalog.text AS results "
            "FROM trovella_migrate.last_run() AS l");
        a.run_id = optional_integer(last, 0, "run_id");
        results = last.get(0, "results");
    }
    a.migrations = migration_results(results, a.applied_tags, request.folder->journal);
    return a;
}

std::vector<StatusRow> ExtensionEngine::status(const Request& request) {
    Result r = call(core::Function::status,
                    "SELECT s.idx, s.tag, s.created_at, s.state, s.hash, s.recorded_hash,"
                    "       pg_catalog.to_json(s.applied_at) #>> '{}' AS applied_at,"
                    "       s.applied_at::pg_catalog.timestamptz(0)::pg_catalog.text AS applied_at_shown,"
                    "       pg_catalog.to_jsonb(s) OPERATOR(pg_catalog.->>) 'progress' AS progress"  // 0.3.0
                    " FROM trovella_migrate.status($1::pg_catalog.json, {migrations}, {options}) AS s",
                    request);
    std::vector<StatusRow> rows;
    for (int i = 0; i < r.rows(); ++i) {
        StatusRow row;
        row.idx = optional_integer(r, i, "idx");
        row.tag = r.get(i, "tag");
        row.created_at = optional_integer(r, i, "created_at");
        row.state = r.text(i, "state");
        row.hash = r.get(i, "hash");
        row.recorded_hash = r.get(i, "recorded_hash");
        row.applied_at = r.get(i, "applied_at");
        row.applied_at_shown = r.get(i, "applied_at_shown");
        row.progress = r.get(i, "progress");
        rows.push_back(std::move(row));
    }
    return rows;
}

VerifyResult ExtensionEngine::verify(const Request& request) {
    Request no_raise = request;
    no_raise.options["raise"] = false;
    Result r = call(core::Function::verify,
                    "SELECT v.expected, v.actual, v.ok,"
                    "       pg_catalog.array_to_json(coalesce(v.problems, '{}'))::pg_catalog.text AS problems"
                    " FROM trovella_migrate.verify($1::pg_catalog.json, {migrations}, {options}) AS v",
                    no_raise);
    VerifyResult v;
    v.expected = r.integer(0, "expected");
    v.actual = r.integer(0, "actual");
    v.ok = r.boolean(0, "ok");
    v.problems = strings_of(r.text(0, "problems"));
    return v;
}

std::vector<PlannedStatement> ExtensionEngine::plan(const Request& request) {
    Result r = call(core::Function::plan,
                    "SELECT p.idx, p.tag, p.statement, p.line, p.sql,"
                    "       coalesce((pg_catalog.to_jsonb(p) OPERATOR(pg_catalog.->>) 'in_transaction')::pg_catalog.bool,"
                    "                true) AS in_transaction"  // 0.3.0
                    " FROM trovella_migrate.plan($1::pg_catalog.json, {migrations}, {options}) AS p",
                    request);
    std::vector<PlannedStatement> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.integer(i, "idx"), r.text(i, "tag"), r.integer(i, "statement"), r.integer(i, "line"),
                       r.text(i, "sql"), r.boolean(i, "in_transaction")});
    return out;
}

std::vector<RecordedEntry> ExtensionEngine::baseline(const Request& request, const std::string& through_tag) {
    Result r = call(core::Function::baseline,
                    "SELECT b.idx, b.tag, b.created_at, b.hash"
                    " FROM trovella_migrate.baseline($1::pg_catalog.json, {migrations}, {extra}, {options}) AS b",
                    request, through_tag);
    std::vector<RecordedEntry> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(
            {r.integer(i, "idx"), r.text(i, "tag"), r.integer(i, "created_at"), r.text(i, "hash"), std::nullopt});
    return out;
}

RecordedEntry ExtensionEngine::repair(const Request& request, const std::string& tag) {
    Result r = call(core::Function::repair,
                    "SELECT r.idx, r.tag, r.created_at, r.previous_hash, r.hash"
                    " FROM trovella_migrate.repair($1::pg_catalog.json, {migrations}, {extra}, {options}) AS r",
                    request, tag);
    return {r.integer(0, "idx"), r.text(0, "tag"), r.integer(0, "created_at"), r.text(0, "hash"),
            r.get(0, "previous_hash")};
}

}  // namespace trovella::client
