#include "core/session_rules.hpp"

#include "core/error.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

void require_session_can_migrate(Function fn, const SessionState& session) {
    const std::string name = std::string(function_name(fn)) + "()";
    if (session.in_recovery)
        throw Error(ErrorKind::read_only, name + " cannot run on a hot standby: it writes the tracking table", {},
                    "Run it against the primary; status() and verify() work on a standby.");
    if (session.read_only)
        throw Error(ErrorKind::read_only, name + " cannot run in a read-only transaction: it writes the tracking table",
                    {},
                    "Run it in a read-write transaction (check default_transaction_read_only and "
                    "SET TRANSACTION READ WRITE); status() and verify() are read-only.");
    // A runner that waited for the migration lock must see what the runner before it committed;
    // under REPEATABLE READ or SERIALIZABLE the transaction's snapshot predates the lock, so it
    // would not, and could run a migration a second time.
    if (!session.snapshot_per_transaction) return;
    throw Error(ErrorKind::transaction_state,
                name + " must run at READ COMMITTED isolation, not REPEATABLE READ or SERIALIZABLE",
                "The transaction's snapshot was taken before the migration lock, so it could miss migrations that "
                "another runner committed meanwhile and apply them twice.",
                "Call it in a READ COMMITTED transaction (PostgreSQL's default).");
}

}  // namespace trovella::core
