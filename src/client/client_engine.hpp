// The client engine: the same core as the extension (core/run.hpp, core/reports.hpp) run by this
// program over libpq, for databases where the extension cannot be installed (managed services,
// stock CI images). Same rules, messages, lock key and Drizzle rows; the pre-flight check with
// PostgreSQL's parser as a library; statements pipelined; the history in ordinary tables.
#pragma once

#include <functional>

#include "client/connection.hpp"
#include "client/engine.hpp"
#include "client/server_message.hpp"

namespace trovella::core {
struct Inputs;
}

namespace trovella::client {

class LibpqDatabase;

class ClientEngine : public Engine {
public:
    using MessageSink = std::function<void(const ServerMessage&)>;
    ClientEngine(Connection& connection, MessageSink on_message)
        : connection_(connection), on_message_(std::move(on_message)) {}

    const char* name() const override { return "client"; }
    std::optional<std::string> extension_version() override;
    void check_ready(core::Function fn) override;

    ApplyResult apply(const Request& request, const ApplyMode& mode) override;
    std::vector<StatusRow> status(const Request& request) override;
    VerifyResult verify(const Request& request) override;
    std::vector<PlannedStatement> plan(const Request& request) override;
    std::vector<RecordedEntry> baseline(const Request& request, const std::string& through_tag) override;
    RecordedEntry repair(const Request& request, const std::string& tag) override;

private:
    ApplyResult applied(const core::Inputs& in, const ApplyMode& mode, LibpqDatabase& db);

    Connection& connection_;
    MessageSink on_message_;
};

}  // namespace trovella::client
