#include "pg/spi_session.hpp"

#include <cstring>

#include "pg/notices.hpp"
#include "pg/switch_user.hpp"

namespace trovella::pg {

namespace {

// One transaction holding the locks of every object a long history touches can exhaust the lock
// table ("out of shared memory").
bool is_lock_table_full(const ErrorData* edata) {
    return edata->sqlerrcode == ERRCODE_OUT_OF_MEMORY && edata->message != nullptr &&
           strstr(edata->message, "shared memory") != nullptr;
}

}  // namespace

std::vector<core::SqlRow> SpiSession::query(const std::string& sql, const std::vector<core::SqlParam>& params) {
    return spi_.query(sql.c_str(), params, read_only_);
}

void SpiSession::query_each(const std::string& sql, const std::vector<core::SqlParam>& params,
                            const std::function<void(const core::SqlRow&)>& each) {
    spi_.query_each(sql.c_str(), params, read_only_, each);
}

void SpiSession::as_table_owner(const std::string& owner_oid, const std::string&, const std::function<void()>& body) {
    SwitchUser as_owner(static_cast<Oid>(core::to_int64(owner_oid)), SwitchUser::Mode::restricted);
    body();
}

void SpiSession::as_history_keeper(const std::function<void()>& body) {
    if (!extension_owner_) {
        auto rows = spi_.query(
            "SELECT e.extowner::pg_catalog.int8 FROM pg_catalog.pg_extension e "
            "WHERE e.extname OPERATOR(pg_catalog.=) 'trovella_migrate'",
            {}, true);
        extension_owner_ = static_cast<Oid>(core::to_int64(rows.at(0).at(0)));
    }
    SwitchUser as_owner(*extension_owner_, SwitchUser::Mode::bookkeeping);
    body();
}

void SpiSession::notice(const std::string& message) { pg::notice(message); }

void SpiSession::annotate(const std::exception_ptr& failure, const core::FailureNote& note) {
    ErrorData* edata = nullptr;
    try {
        std::rethrow_exception(failure);
    } catch (const PgError& e) {
        edata = e.edata();
    } catch (...) {
    }
    if (edata == nullptr) return;  // not an error of PostgreSQL's: nothing of ours to add to
    if (!note.detail.empty()) append_detail(edata, note.detail);
    if (!note.hint.empty()) append_hint(edata, note.hint);
    if (!note.hint_if_lock_table_full.empty() && is_lock_table_full(edata)) append_hint(edata, note.hint_if_lock_table_full);
    if (!note.hint_if_new_enum_value_used.empty() && edata->sqlerrcode == ERRCODE_UNSAFE_NEW_ENUM_VALUE_USAGE)
        append_hint(edata, note.hint_if_new_enum_value_used);
}

}  // namespace trovella::pg
