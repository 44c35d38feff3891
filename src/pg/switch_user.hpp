// Running a scope as another role, restored on every path out of it (also when an exception
// unwinds it).
//  - bookkeeping: as the extension's owner around the extension's own history, so a role that
//    may call apply() still cannot write the history directly;
//  - restricted: as a tracking table's owner under a security-restricted operation with its own
//    GUC nesting level, exactly as PostgreSQL runs REFRESH MATERIALIZED VIEW or VACUUM on another
//    role's table: triggers, column defaults and row security policies attached to that table run
//    with its owner's rights, never the caller's, and whatever settings they change are undone.
#pragma once

#include "pg/guard.hpp"

namespace trovella::pg {

class SwitchUser {
public:
    enum class Mode { bookkeeping, restricted };

    SwitchUser(Oid role, Mode mode);
    ~SwitchUser();
    SwitchUser(const SwitchUser&) = delete;
    SwitchUser& operator=(const SwitchUser&) = delete;

private:
    Oid saved_user_ = InvalidOid;
    int saved_context_ = 0;
    int nest_level_ = -1;
};

}  // namespace trovella::pg
