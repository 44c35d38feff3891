// Everything the user sees: the live stream of the server's messages (NOTICEs on stdout as they
// arrive, WARNINGs on stderr), then the command's result as text, or with --json exactly one
// JSON document on stdout and nothing else. Every string goes through the redaction of the
// passwords in play. Lines can carry a prefix (one per target, for fleets).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "client/failure.hpp"
#include "client/folder.hpp"
#include "client/invocation.hpp"
#include "client/run.hpp"

namespace trovella::client {

class Reporter {
public:
    Reporter(bool json, std::ostream& out, std::ostream& err) : json_(json), out_(out), err_(err) {}

    void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }
    void add_secrets(const std::vector<std::string>& secrets);

    // A NOTICE or WARNING, as it arrives.
    void on_message(const ServerMessage& message);
    // The first line of a command's output: which engine runs it, and why.
    void engine(const TargetRun& target);
    void mute(bool on) { muted_ = on; }

    // The end of a command run against a target; returns the exit code.
    int command_result(const Invocation& invocation, const MigrationFolder& folder, const TargetRun& target);

    // A failure before a command could run: command line, env file, folder, connection string,
    // connection. `target` and `dir` when known.
    int early_failure(const Invocation* invocation, const Failure& failure, const TargetRun* target,
                      const std::optional<std::string>& dir);

    // --version: the client's version and the extension's (or why it could not be asked).
    int version(const Invocation& invocation, const TargetRun* target, const std::optional<Failure>& why);

private:
    using json = nlohmann::ordered_json;

    std::string redact(std::string text) const;
    json redact(json document) const;
    void print(std::ostream& stream, const std::string& text);        // prefixed, redacted, line by line
    void client_line(std::ostream& stream, const std::string& line);  // printed and kept in messages
    void print_failure(const Failure& failure);

    json document(const Invocation* invocation, const TargetRun* target, const std::optional<std::string>& dir,
                  ExitCode code) const;
    void add_command_members(json& doc, const Invocation& invocation, const TargetRun& target) const;
    void add_failure(json& doc, const Failure& failure) const;
    int emit(json doc, ExitCode code);

    void text_result(const Invocation& invocation, const TargetRun& target);

    bool json_;
    std::ostream& out_;
    std::ostream& err_;
    std::string prefix_;
    bool muted_ = false;
    core::Layout layout_ = core::Layout::journal;  // of the folder of the command
    std::vector<std::string> secrets_;
    std::vector<std::string> messages_;
    std::vector<std::string> warnings_;
};

}  // namespace trovella::client
