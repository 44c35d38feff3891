// Fleets: one command run on many databases (tenants, shards, regions), a bounded number at a
// time. Each target has its own thread, connection, lock, transaction and engine (auto picks per
// target); a failure on one does not stop the others unless --fail-fast. Output: one progress
// line per migration and a closing line per target, prefixed by the target (never with its
// password), then a summary table; --json: one document with an entry per target. The exit code
// is the highest of the targets' (fleet_summary.hpp).
//
// Ctrl-C: the first stops starting new targets and lets the running ones finish (or roll back)
// on their own; the second cancels their running statements (their transactions roll back); the
// third ends the program at once (the servers roll back what did not commit).
#pragma once

#include <ostream>
#include <vector>

#include "client/conninfo.hpp"
#include "client/invocation.hpp"
#include "client/report.hpp"

namespace trovella::client {

// Runs the invocation's command on every source (more than one). Problems found before anything
// connects (a malformed connection string, two sources naming one database, the folder) are
// reported by `reporter` as for one target. Returns the exit code.
int run_fleet(const Invocation& invocation, std::vector<ConnectionSource> sources, EngineChoice choice,
              Reporter& reporter, std::ostream& out, std::ostream& err);

}  // namespace trovella::client
