#include "client/report.hpp"

#include <set>

#include "client/status_table.hpp"
#include "client/version.hpp"
#include "core/messages.hpp"

namespace trovella::client {

namespace {

using json = nlohmann::ordered_json;

bool is_warning(const ServerMessage& m) { return m.severity == "WARNING"; }

std::string trim(const std::string& s, const char* chars) {
    auto begin = s.find_first_not_of(chars);
    if (begin == std::string::npos) return {};
    return s.substr(begin, s.find_last_not_of(chars) - begin + 1);
}

json or_null(const std::optional<std::string>& value) { return value ? json(*value) : json(nullptr); }
json or_null(const std::optional<long long>& value) { return value ? json(*value) : json(nullptr); }
json or_null(const std::string& value) { return value.empty() ? json(nullptr) : json(value); }

// "journal" (drizzle-kit 0.x) or "folder" (Drizzle 1.x): what the migrations are listed in.
const char* list_word(core::Layout layout) { return layout == core::Layout::journal ? "journal" : "folder"; }

std::string layer2_line(const VerifyResult& v, const Invocation& inv, core::Layout layout) {
    const std::string list = list_word(layout);
    std::string which = inv.to_tag ? " (" + list + " up to " + *inv.to_tag + ")" : "";
    std::string counts =
        list + " has " + std::to_string(v.expected) + " migrations, database has " + std::to_string(v.actual);
    return v.ok ? "Layer 2 verification" + which + ": " + counts + ": ok"
                : "Layer 2 verification" + which + " FAILED: " + counts;
}

std::string verify_failed_line(const VerifyResult& v, core::Layout layout) {
    return std::string("Verification failed: ") + list_word(layout) + " has " + std::to_string(v.expected) +
           " migrations, database has " +
           std::to_string(v.actual);
}

json verify_json(const VerifyResult& v) {
    return json{{"verified", v.ok}, {"expected", v.expected}, {"actual", v.actual}, {"problems", v.problems}};
}

}  // namespace

void Reporter::add_secrets(const std::vector<std::string>& secrets) {
    for (const auto& secret : secrets)
        if (secret.size() >= 3) secrets_.push_back(secret);
}

std::string Reporter::redact(std::string text) const {
    for (const auto& secret : secrets_)
        for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
            text.replace(at, secret.size(), "***");
    return text;
}

Reporter::json Reporter::redact(json document) const {
    if (document.is_string()) return redact(document.get<std::string>());
    if (document.is_structured())
        for (auto& item : document) item = redact(item);
    return document;
}

void Reporter::print(std::ostream& stream, const std::string& text) {
    if (json_) return;
    std::string clean = redact(text);
    std::size_t start = 0;
    while (start <= clean.size()) {
        auto end = clean.find('\n', start);
        if (end == std::string::npos) end = clean.size();
        if (end == clean.size() && start == end && start > 0) break;  // no empty line after a final newline
        stream << prefix_ << clean.substr(start, end - start) << '\n';
        start = end + 1;
    }
    stream.flush();
}

void Reporter::client_line(std::ostream& stream, const std::string& line) {
    messages_.push_back(line);
    print(stream, line);
}

void Reporter::on_message(const ServerMessage& m) {
    if (muted_) return;
    std::string body = m.message;
    if (!m.detail.empty()) body += "\nDETAIL:  " + m.detail;
    if (!m.hint.empty()) body += "\nHINT:  " + m.hint;
    if (is_warning(m)) {
        warnings_.push_back(m.message);
        messages_.push_back("warning: " + m.message);
        print(err_, "warning: " + body);
    } else {
        messages_.push_back(m.message);
        print(out_, body);
    }
}

void Reporter::engine(const TargetRun& target) {
    if (!target.engine) return;
    print(out_, std::string("Engine: ") + target.engine->name() + " (" + target.engine_reason + ")");
}

void Reporter::print_failure(const Failure& failure) {
    const ServerMessage& e = failure.error();
    std::string text;
    if (failure.from_server()) {
        text = (e.severity.empty() ? "ERROR" : e.severity) + ":  " + e.message;
        if (!e.detail.empty()) text += "\nDETAIL:  " + e.detail;
        if (!e.hint.empty()) text += "\nHINT:  " + e.hint;
        if (!e.context.empty()) text += "\nCONTEXT:  " + e.context;
        if (!e.sqlstate.empty()) text += "\nSQLSTATE: " + e.sqlstate;
        if (!failure.summary().empty()) text += "\n" + std::string(kProgram) + ": " + failure.summary();
    } else {
        text = std::string(kProgram) + ": " + e.message;
        if (!e.detail.empty()) text += "\n" + e.detail;
        if (!e.hint.empty()) text += "\nhint: " + e.hint;
    }
    if (!failure.client_hint().empty()) text += "\nhint: " + failure.client_hint();
    print(err_, text);
}

Reporter::json Reporter::document(const Invocation* inv, const TargetRun* target, const std::optional<std::string>& dir,
                                  ExitCode code) const {
    json doc;
    doc["schema_version"] = 1;
    doc["client_version"] = kClientVersion;
    doc["extension_version"] = target != nullptr ? or_null(target->extension_version) : json(nullptr);
    doc["command"] = inv != nullptr && inv->command != Command::none ? json(command_name(inv->command))
                     : inv != nullptr && inv->version                ? json("version")
                                                                     : json(nullptr);
    doc["engine"] = target != nullptr && target->engine ? json(target->engine->name()) : json(nullptr);
    doc["engine_reason"] = target != nullptr && target->engine ? json(target->engine_reason) : json(nullptr);
    doc["target"] = target != nullptr && target->target ? json(target->target->text()) : json(nullptr);
    doc["target_source"] = target != nullptr ? json(target->source.label()) : json(nullptr);
    doc["dir"] = dir ? json(*dir) : json(nullptr);
    doc["ok"] = code == ExitCode::ok;
    doc["exit_code"] = as_int(code);
    return doc;
}

void Reporter::add_failure(json& doc, const Failure& failure) const {
    const ServerMessage& e = failure.error();
    std::string hint = e.hint;
    if (!failure.client_hint().empty()) hint += (hint.empty() ? "" : "\n") + failure.client_hint();
    doc["summary"] = failure.summary().empty() ? json(e.message) : json(failure.summary());
    doc["error"] =
        json{{"sqlstate", or_null(e.sqlstate)}, {"severity", or_null(e.severity)}, {"message", e.message},
             {"detail", or_null(e.detail)},     {"hint", or_null(hint)},           {"context", or_null(e.context)}};
}

void Reporter::add_command_members(json& doc, const Invocation& inv, const TargetRun& target) const {
    const Outcome& o = target.outcome;
    if (inv.command == Command::migrate) {
        doc["to"] = or_null(inv.to_tag);
        doc["commit_each"] = inv.commit_each;
        if (o.applied) {
            const ApplyResult& a = *o.applied;
            doc["expected"] = a.expected;
            doc["applied_before"] = a.applied_before;
            doc["pending"] = a.pending;
            doc["applied"] = a.applied;
            doc["verified"] = a.verified;
            doc["applied_tags"] = a.applied_tags;
            doc["run_id"] = or_null(a.run_id);
            json migrations = json::array();
            for (const auto& m : a.migrations)
                migrations.push_back(json{{"tag", m.tag},
                                          {"idx", or_null(m.idx)},
                                          {"statements", or_null(m.statements)},
                                          {"duration_ms", m.duration_ms ? json(*m.duration_ms) : json(nullptr)}});
            doc["migrations"] = migrations;
        }
        if (o.verified) {
            doc["verify"] = verify_json(*o.verified);
            doc["verify"]["journal"] = inv.to_tag ? "up to " + *inv.to_tag : std::string("whole");
        }
    } else if (inv.command == Command::verify && o.verified) {
        const json verify = verify_json(*o.verified);
        for (const auto& [key, value] : verify.items()) doc[key] = value;
    } else if (inv.command == Command::status && o.status) {
        StatusCounts c = count_states(*o.status);
        doc["expected"] = c.expected;
        doc["recorded"] = c.recorded;
        doc["pending"] = c.pending;
        doc["counts"] =
            json{{"applied", c.applied},           {"pending", c.pending_in_order}, {"modified", c.modified},
                 {"out_of_order", c.out_of_order}, {"unknown", c.unknown},          {"orphan", c.orphan},
                 {"partial", c.partial}};
        json rows = json::array();
        for (const auto& r : *o.status)
            rows.push_back(json{{"idx", or_null(r.idx)},
                                {"tag", or_null(r.tag)},
                                {"created_at", or_null(r.created_at)},
                                {"state", r.state},
                                {"hash", or_null(r.hash)},
                                {"recorded_hash", or_null(r.recorded_hash)},
                                {"applied_at", or_null(r.applied_at)},
                                {"progress", or_null(r.progress)}});
        doc["migrations"] = rows;
    } else if (inv.command == Command::plan && o.plan) {
        std::set<std::string> tags;
        json statements = json::array();
        for (const auto& s : *o.plan) {
            tags.insert(s.tag);
            statements.push_back(
                json{{"idx", s.idx},   {"tag", s.tag}, {"statement", s.statement},
                     {"line", s.line}, {"sql", s.sql}, {"in_transaction", s.in_transaction}});
        }
        doc["statement_count"] = o.plan->size();
        doc["migration_count"] = tags.size();
        doc["statements"] = statements;
    } else if (inv.command == Command::baseline || inv.command == Command::repair) {
        json rows = json::array();
        for (const auto& r : o.recorded) {
            json row{{"idx", r.idx}, {"tag", r.tag}, {"created_at", r.created_at}, {"hash", r.hash}};
            if (inv.command == Command::repair) row["previous_hash"] = or_null(r.previous_hash);
            rows.push_back(row);
        }
        doc[inv.command == Command::baseline ? "baselined" : "repaired"] = rows;
    }
}

int Reporter::emit(json doc, ExitCode code) {
    doc["messages"] = messages_;
    doc["warnings"] = warnings_;
    if (json_) out_ << redact(std::move(doc)).dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    out_.flush();
    return as_int(code);
}

void Reporter::text_result(const Invocation& inv, const TargetRun& target) {
    const Outcome& o = target.outcome;
    switch (inv.command) {
        case Command::migrate:
            if (o.verified) {
                client_line(o.verified->ok ? out_ : err_, layer2_line(*o.verified, inv, layout_));
                if (!o.verified->ok) {
                    for (const auto& problem : o.verified->problems) print(err_, "  " + problem);
                    print(err_, std::string(kProgram) + ": verification failed; run " + kProgram +
                                    " status for the state of each migration");
                }
            }
            break;
        case Command::status:
            if (o.status) {
                print(out_, status_table(*o.status, layout_));
                client_line(out_, status_summary(*o.status));
            }
            break;
        case Command::verify:
            if (o.verified && !o.verified->ok) {
                client_line(err_, verify_failed_line(*o.verified, layout_));
                for (const auto& problem : o.verified->problems) print(err_, "  " + problem);
                print(err_, std::string(kProgram) + ": run " + kProgram + " status for the state of each migration");
            }
            break;
        case Command::plan:
            if (o.plan) {
                std::set<std::string> tags;
                for (const auto& s : *o.plan) {
                    tags.insert(s.tag);
                    print(out_, "-- " + s.tag + ": statement " + std::to_string(s.statement) + " (line " +
                                    std::to_string(s.line) + ")" +
                                    (s.in_transaction ? "" : ", outside a transaction (statement by statement)") +
                                    "\n" + trim(s.sql, " \t\r\n") + "\n\n");
                }
                client_line(out_, "Dry run: " + std::to_string(o.plan->size()) + " statement(s) in " +
                                      std::to_string(tags.size()) + " migration(s) would run; nothing was changed.");
            }
            break;
        case Command::baseline:
        case Command::repair:
        case Command::none:
            break;
    }
}

int Reporter::command_result(const Invocation& inv, const MigrationFolder& folder, const TargetRun& target) {
    const Outcome& o = target.outcome;
    layout_ = folder.layout;
    text_result(inv, target);
    if (o.failure) print_failure(*o.failure);
    if (!json_) return as_int(o.code);
    json doc = document(&inv, &target, folder.dir, o.code);
    doc["layout"] = folder.layout == core::Layout::journal ? "journal" : "folders";
    add_command_members(doc, inv, target);
    if (o.failure) {
        add_failure(doc, *o.failure);
    } else if (o.code == ExitCode::verify_failed && o.verified) {
        const bool layer2 = inv.command == Command::migrate;
        doc["summary"] = layer2 ? "layer 2 verification failed" : "verification failed";
        doc["error"] = json{{"sqlstate", "22000"},
                            {"severity", nullptr},
                            {"message", layer2 ? layer2_line(*o.verified, inv, layout_)
                                               : verify_failed_line(*o.verified, layout_)},
                            {"detail", core::messages::join(o.verified->problems, "\n")},
                            {"hint", std::string("Run ") + kProgram + " status for the state of each migration."},
                            {"context", nullptr}};
    }
    return emit(std::move(doc), o.code);
}

int Reporter::early_failure(const Invocation* inv, const Failure& failure, const TargetRun* target,
                            const std::optional<std::string>& dir) {
    print_failure(failure);
    if (!json_) return as_int(failure.code());
    json doc = document(inv, target, dir, failure.code());
    add_failure(doc, failure);
    return emit(std::move(doc), failure.code());
}

int Reporter::version(const Invocation& inv, const TargetRun* target, const std::optional<Failure>& why) {
    std::string extension;
    if (why)
        extension = "unknown: " +
                    (why->summary().empty() ? why->error().message : why->summary() + ": " + why->error().message);
    else if (target != nullptr && target->extension_version)
        extension = *target->extension_version + " (installed in " + target->described() + ")";
    else
        extension = "not installed in " + (target != nullptr ? target->described() : std::string("the database"));
    print(out_, std::string(kProgram) + " " + kClientVersion + "\nextension: " + extension);
    if (!json_) return 0;
    json doc = document(&inv, target, std::nullopt, ExitCode::ok);
    doc["extension"] = extension;
    return emit(std::move(doc), ExitCode::ok);
}

}  // namespace trovella::client
