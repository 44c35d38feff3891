// One target of a command (today there is one; fleets will run several): its connection, engine
// and outcome live here, never in globals, so each target locks, transacts and reports alone.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/connection.hpp"
#include "client/conninfo.hpp"
#include "client/engine.hpp"
#include "client/failure.hpp"
#include "client/invocation.hpp"

namespace trovella::client {

// What a command found, for the renderer.
struct Outcome {
    ExitCode code = ExitCode::ok;
    std::optional<ApplyResult> applied;
    std::optional<VerifyResult> verified;  // verify, or migrate's layer 2
    std::optional<std::vector<StatusRow>> status;
    std::optional<std::vector<PlannedStatement>> plan;
    std::vector<RecordedEntry> recorded;  // baseline, repair
    std::optional<Failure> failure;
};

struct TargetRun {
    ConnectionSource source;
    std::optional<Target> target;  // described from libpq's parse of the connection string
    std::unique_ptr<Connection> connection;
    std::unique_ptr<Engine> engine;
    std::optional<std::string> extension_version;
    std::string engine_reason;  // why this engine: "trovella_migrate 0.2.0 is installed", "--engine client", ...
    // The client engine on the same connection: migrate hands it a run the extension cannot do
    // (a migration that cannot run in a transaction), saying so through on_message.
    std::function<std::unique_ptr<Engine>()> client_engine;
    std::function<void(const ServerMessage&)> on_message;
    Outcome outcome;

    std::string described() const {
        return target ? target->text() + " (from " + source.label() + ")" : "(from " + source.label() + ")";
    }
};

}  // namespace trovella::client
