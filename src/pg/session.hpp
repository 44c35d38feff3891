// Whether this session may record migrations, each refusal with its own SQLSTATE (this session
// cannot migrate is not the same as the history disagreeing with the journal).
#pragma once

#include "core/options.hpp"

namespace trovella::pg {

// Throws core::Error: read_only (25006) on a hot standby or in a read-only transaction;
// transaction_state (25000) at REPEATABLE READ or SERIALIZABLE.
void require_session_can_migrate(core::Function fn);

}  // namespace trovella::pg
