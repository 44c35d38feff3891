#include "pg/switch_user.hpp"


namespace trovella::pg {

SwitchUser::SwitchUser(Oid role, Mode mode) {
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    if (mode == Mode::bookkeeping) {
        SetUserIdAndSecContext(role, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
        return;
    }
    // As refresh_by_match_merge and ExecRefreshMatView do: switch first, then open the nesting
    // level whose settings are discarded at the end.
    SetUserIdAndSecContext(role, saved_context_ | SECURITY_RESTRICTED_OPERATION);
    try {
        nest_level_ = pg_call([] { return NewGUCNestLevel(); });
    } catch (...) {
        SetUserIdAndSecContext(saved_user_, saved_context_);
        throw;
    }
}

SwitchUser::~SwitchUser() {
    if (nest_level_ >= 0) {
        int level = nest_level_;
        pg_cleanup([level] { AtEOXact_GUC(false, level); });
    }
    SetUserIdAndSecContext(saved_user_, saved_context_);
}

}  // namespace trovella::pg
