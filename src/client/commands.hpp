// The order of each command (what to ask the engine, in which order, what decides the exit
// code), independent of the engine and of the output.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "client/folder.hpp"
#include "client/invocation.hpp"
#include "client/run.hpp"

namespace trovella::client {

// The options object for `fn`, checked by the core's rules (an identifier over 63 bytes, an
// option the function does not take): a Failure with SQLSTATE 22023 as the extension would raise.
nlohmann::json options_for(const Invocation& invocation, core::Function fn);

// --to, --through and repair's TAG must name a journal entry: a Failure (exit 2) naming it.
void check_tags(const Invocation& invocation, const MigrationFolder& folder);

// The journal text with the entries after `position` removed (migrate --to).
std::string journal_through(const std::string& journal_text, std::size_t position);

// Runs the command against one target (connected, engine set); fills target.outcome. `mute`
// silences the notice stream while migrate's layer-2 check repeats what apply already said.
void run_command(const Invocation& invocation, MigrationFolder& folder, TargetRun& target,
                 const std::function<void(bool)>& mute);

// Adds the client's summary and hint to a failure, from its exit code, SQLSTATE and command.
void explain(Failure& failure, const Invocation& invocation, const TargetRun& target);

}  // namespace trovella::client
