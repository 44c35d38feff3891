// Connecting one target and choosing its engine: the extension where it is installed (or asked
// for), else the client engine. Used for the one target of a command (main.cpp) and for each
// target of a fleet (fleet.cpp), so both choose alike.
#pragma once

#include <functional>

#include "client/invocation.hpp"
#include "client/run.hpp"
#include "client/server_message.hpp"

namespace trovella::client {

using MessageSink = std::function<void(const ServerMessage&)>;

// Connects target.source (described already: target.target) and sets target.connection, engine,
// extension_version and engine_reason. NOTICEs and WARNINGs go to `on_message`. Throws Failure.
void connect_target(EngineChoice choice, TargetRun& target, const MessageSink& on_message);

}  // namespace trovella::client
