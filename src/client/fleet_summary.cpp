#include "client/fleet_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "client/text_table.hpp"
#include "client/version.hpp"

namespace trovella::client {

namespace {

using json = nlohmann::ordered_json;

constexpr TargetState kStates[] = {TargetState::ok,          TargetState::behind, TargetState::refused,
                                   TargetState::unreachable, TargetState::failed, TargetState::skipped};
constexpr std::size_t kNamesPerGroup = 10;

std::string number(const std::optional<long long>& n) { return n ? std::to_string(*n) : "-"; }

json or_null(const std::optional<long long>& n) { return n ? json(*n) : json(nullptr); }
json or_null(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

std::string shown_last_applied(const TargetSummary& t) {
    if (!t.last_applied) return "-";
    return t.last_applied->empty() ? "(none)" : *t.last_applied;
}

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

const char* state_name(TargetState state) {
    switch (state) {
        case TargetState::ok:
            return "ok";
        case TargetState::behind:
            return "behind";
        case TargetState::refused:
            return "refused";
        case TargetState::unreachable:
            return "unreachable";
        case TargetState::failed:
            return "failed";
        case TargetState::skipped:
            break;
    }
    return "skipped";
}

TargetState state_of(ExitCode code, bool only_pending) {
    switch (code) {
        case ExitCode::ok:
            return TargetState::ok;
        case ExitCode::verify_failed:
            return only_pending ? TargetState::behind : TargetState::refused;
        case ExitCode::usage:
        case ExitCode::cannot_migrate:
            return TargetState::refused;
        case ExitCode::cannot_connect:
            return TargetState::unreachable;
        case ExitCode::migration_failed:
            break;
    }
    return TargetState::failed;
}

int worst_exit_code(const std::vector<TargetSummary>& targets, bool interrupted) {
    int worst = 0;
    for (const auto& t : targets)
        if (t.exit_code) worst = std::max(worst, *t.exit_code);
    if (interrupted) worst = std::max(worst, as_int(ExitCode::migration_failed));
    return worst;
}

std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) line.pop_back();
    return line;
}

std::string redacted(std::string text, const std::vector<std::string>& secrets) {
    for (const auto& secret : secrets) {
        if (secret.size() < 3) continue;
        for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
            text.replace(at, secret.size(), "***");
    }
    return text;
}

json redacted(json document, const std::vector<std::string>& secrets) {
    if (document.is_string()) return redacted(document.get<std::string>(), secrets);
    if (document.is_structured())
        for (auto& item : document) item = redacted(item, secrets);
    return document;
}

bool is_migration_applied(const ServerMessage& m) {
    // core/run.cpp: "applied <tag> (n statement(s) in t ms)"; core/outside_transaction.cpp:
    // "applied <tag> (n statement(s) in t ms, outside a transaction)"
    return m.severity == "NOTICE" && m.message.rfind("applied ", 0) == 0 && ends_with(m.message, ")") &&
           m.message.find(" ms") != std::string::npos && m.message.find('\n') == std::string::npos;
}

std::string duration_text(double ms) {
    char text[32];
    if (ms < 1000)
        std::snprintf(text, sizeof text, "%.0f ms", ms);
    else
        std::snprintf(text, sizeof text, "%.1f s", ms / 1000);
    return text;
}

std::string target_end_line(Command command, const TargetSummary& t) {
    std::string line = std::string(state_name(t.state)) + ":";
    std::vector<std::string> parts;
    if (!t.engine.empty()) parts.push_back(t.engine);
    if (command == Command::status) {
        if (t.applied_before) parts.push_back(std::to_string(*t.applied_before) + " applied");
        if (t.last_applied) parts.push_back("last " + shown_last_applied(t));
    } else {
        if (t.applied_before) parts.push_back(std::to_string(*t.applied_before) + " applied before");
        if (t.applied_now) parts.push_back(std::to_string(*t.applied_now) + " applied now");
    }
    if (t.pending) parts.push_back(std::to_string(*t.pending) + " pending");
    parts.push_back(duration_text(t.duration_ms));
    for (std::size_t i = 0; i < parts.size(); ++i) line += (i == 0 ? " " : ", ") + parts[i];
    if (t.exit_code && *t.exit_code != 0) line += " (exit " + std::to_string(*t.exit_code) + ")";
    if (!t.error.empty()) line += ": " + t.error;
    return line;
}

std::string summary_table(Command command, const std::vector<TargetSummary>& targets) {
    std::vector<std::vector<std::string>> rows;
    if (command == Command::status)
        rows.push_back({"TARGET", "ENGINE", "LAST APPLIED", "APPLIED", "PENDING", "STATE", "DURATION", "ERROR"});
    else
        rows.push_back({"TARGET", "ENGINE", "APPLIED BEFORE", "APPLIED NOW", "PENDING", "STATE", "DURATION", "ERROR"});
    for (const auto& t : targets) {
        const std::string engine = t.engine.empty() ? "-" : t.engine;
        const std::string duration = t.state == TargetState::skipped ? "-" : duration_text(t.duration_ms);
        if (command == Command::status)
            rows.push_back({t.target, engine, shown_last_applied(t), number(t.applied_before), number(t.pending),
                            state_name(t.state), duration, t.error});
        else
            rows.push_back({t.target, engine, number(t.applied_before), number(t.applied_now), number(t.pending),
                            state_name(t.state), duration, t.error});
    }
    return text_table(rows);
}

std::vector<StatusGroup> status_groups(const std::vector<TargetSummary>& targets) {
    std::vector<StatusGroup> groups;
    for (const auto& t : targets) {
        if (!t.last_applied || !t.pending) continue;  // not read
        auto it = std::find_if(groups.begin(), groups.end(), [&](const StatusGroup& g) {
            return g.last_applied == *t.last_applied && g.pending == *t.pending;
        });
        if (it == groups.end()) {
            groups.push_back({*t.last_applied, *t.pending, {}, t.last_applied_position});
            it = groups.end() - 1;
        }
        it->targets.push_back(t.target);
    }
    // Latest first (a target with nothing applied last), then fewer pending first.
    std::stable_sort(groups.begin(), groups.end(), [](const StatusGroup& a, const StatusGroup& b) {
        if (a.position.has_value() != b.position.has_value()) return a.position.has_value();
        if (a.position && b.position && *a.position != *b.position) return *a.position > *b.position;
        return a.pending < b.pending;
    });
    return groups;
}

std::string status_groups_table(const std::vector<StatusGroup>& groups) {
    std::vector<std::vector<std::string>> rows{{"LAST APPLIED", "PENDING", "TARGETS", "WHICH"}};
    for (const auto& g : groups) {
        std::string which;
        if (g.pending > 0) {
            for (std::size_t i = 0; i < g.targets.size() && i < kNamesPerGroup; ++i)
                which += (i == 0 ? "" : ", ") + g.targets[i];
            if (g.targets.size() > kNamesPerGroup)
                which += " and " + std::to_string(g.targets.size() - kNamesPerGroup) + " more";
        }
        rows.push_back({g.last_applied.empty() ? "(none)" : g.last_applied, std::to_string(g.pending),
                        std::to_string(g.targets.size()), which});
    }
    return text_table(rows);
}

std::string fleet_line(const FleetRun& run, const std::vector<TargetSummary>& targets) {
    std::map<TargetState, std::size_t> counts;
    for (const auto& t : targets) ++counts[t.state];
    std::string line = "Fleet: " + std::to_string(targets.size()) + " targets in " + duration_text(run.duration_ms) +
                       " (" + std::to_string(run.parallel) + " at a time):";
    bool first = true;
    for (TargetState s : kStates) {
        if (counts[s] == 0) continue;
        line += (first ? " " : ", ") + std::to_string(counts[s]) + " " + state_name(s);
        first = false;
    }
    const int code = worst_exit_code(targets, run.interrupted);
    line += "; exit code " + std::to_string(code);
    if (code != 0)
        line += " (the highest of the targets'" + std::string(run.interrupted ? ", at least 4 after Ctrl-C" : "") + ")";
    if (counts[TargetState::skipped] > 0)
        line += run.interrupted ? "\nInterrupted by Ctrl-C: the skipped targets never started; run the command again "
                                  "to finish them (what ran is recorded, nothing is applied twice)."
                                : "\n--fail-fast: the skipped targets never started.";
    return line;
}

json fleet_document(const FleetRun& run, const std::vector<TargetSummary>& targets) {
    const int code = worst_exit_code(targets, run.interrupted);
    json doc;
    doc["schema_version"] = 1;
    doc["client_version"] = kClientVersion;
    doc["command"] = command_name(run.command);
    doc["fleet"] = true;
    doc["parallel"] = run.parallel;
    doc["fail_fast"] = run.fail_fast;
    doc["interrupted"] = run.interrupted;
    doc["dir"] = run.dir ? json(*run.dir) : json(nullptr);
    doc["ok"] = code == 0;
    doc["exit_code"] = code;
    doc["duration_ms"] = run.duration_ms;
    json counts = json::object();
    for (TargetState s : kStates) counts[state_name(s)] = 0;
    for (const auto& t : targets) counts[state_name(t.state)] = counts[state_name(t.state)].get<int>() + 1;
    doc["counts"] = counts;
    json entries = json::array();
    for (const auto& t : targets) {
        json e;
        e["target"] = t.target;
        e["target_source"] = t.source;
        e["engine"] = t.engine.empty() ? json(nullptr) : json(t.engine);
        e["extension_version"] = or_null(t.extension_version);
        e["state"] = state_name(t.state);
        e["exit_code"] = t.exit_code ? json(*t.exit_code) : json(nullptr);
        e["applied_before"] = or_null(t.applied_before);
        e["applied_now"] = or_null(t.applied_now);
        e["pending"] = or_null(t.pending);
        if (run.command == Command::status)
            e["last_applied"] = t.last_applied && !t.last_applied->empty() ? json(*t.last_applied) : json(nullptr);
        e["duration_ms"] = t.state == TargetState::skipped ? json(nullptr) : json(t.duration_ms);
        e["error"] = t.error.empty() ? json(nullptr) : json(t.error);
        e["report"] = t.report;
        entries.push_back(std::move(e));
    }
    doc["targets"] = entries;
    if (run.command == Command::status) {
        json groups = json::array();
        for (const auto& g : status_groups(targets))
            groups.push_back(json{{"last_applied", g.last_applied.empty() ? json(nullptr) : json(g.last_applied)},
                                  {"pending", g.pending},
                                  {"targets", g.targets}});
        doc["by_last_applied"] = groups;
    }
    return doc;
}

}  // namespace trovella::client
