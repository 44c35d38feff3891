// Placeholder until the parser branch lands: the client engine does not yet refuse, before running
// them, statements that cannot run in a migration's transaction (PostgreSQL still refuses them as they run).
#pragma once
#include <vector>
#include "core/database.hpp"
namespace trovella::client {
void check_statements(const std::vector<core::MigrationToCheck>& migrations);
}
