#include "pg/session.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"

namespace trovella::pg {

void require_session_can_migrate(core::Function fn) {
    const std::string name = std::string(core::function_name(fn)) + "()";
    if (RecoveryInProgress())
        throw core::Error(core::ErrorKind::read_only, name + " cannot run on a hot standby: it writes the tracking table",
                          {}, "Run it against the primary; status() and verify() work on a standby.");
    if (XactReadOnly)
        throw core::Error(core::ErrorKind::read_only,
                          name + " cannot run in a read-only transaction: it writes the tracking table", {},
                          "Run it in a read-write transaction (check default_transaction_read_only and "
                          "SET TRANSACTION READ WRITE); status() and verify() are read-only.");
    // A runner that waited for the migration lock must see what the runner before it committed;
    // under REPEATABLE READ or SERIALIZABLE the transaction's snapshot predates the lock, so it
    // would not, and could run a migration a second time.
    if (!IsolationUsesXactSnapshot()) return;
    throw core::Error(core::ErrorKind::transaction_state,
                      name + " must run at READ COMMITTED isolation, not REPEATABLE READ or SERIALIZABLE",
                      "The transaction's snapshot was taken before the migration lock, so it could miss migrations "
                      "that another runner committed meanwhile and apply them twice.",
                      "Call it in a READ COMMITTED transaction (PostgreSQL's default).");
}

}  // namespace trovella::pg
