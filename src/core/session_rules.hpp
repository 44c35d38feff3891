// Whether a session may record migrations, the same rule and words in every engine, each refusal
// with its own SQLSTATE (this session cannot migrate is not the history disagreeing).
#pragma once

#include "core/options.hpp"

namespace trovella::core {

struct SessionState {
    bool in_recovery = false;         // a hot standby
    bool read_only = false;           // the transaction is read-only
    bool snapshot_per_transaction = false;  // REPEATABLE READ or SERIALIZABLE
};

// Throws Error: read_only (25006) on a hot standby or in a read-only transaction;
// transaction_state (25000) at REPEATABLE READ or SERIALIZABLE.
void require_session_can_migrate(Function fn, const SessionState& session);

}  // namespace trovella::core
