// core::SqlSession inside PostgreSQL: the extension's own queries through SPI, a tracking table
// read and written as its owner under a security-restricted operation, the history written as the
// extension's owner.
#pragma once

#include <optional>

#include "core/sql_session.hpp"
#include "pg/spi.hpp"

namespace trovella::pg {

class SpiSession : public core::SqlSession {
public:
    // read_only: queries use the caller's snapshot (status, verify, plan: also on a hot standby).
    SpiSession(SpiConnection& spi, bool read_only) : spi_(spi), read_only_(read_only) {}

    std::vector<core::SqlRow> query(const std::string& sql, const std::vector<core::SqlParam>& params = {}) override;
    void query_each(const std::string& sql, const std::vector<core::SqlParam>& params,
                    const std::function<void(const core::SqlRow&)>& each) override;
    void as_table_owner(const std::string& owner_oid, const std::string& table_oid,
                        const std::function<void()>& body) override;
    void as_history_keeper(const std::function<void()>& body) override;
    void notice(const std::string& message) override;
    void annotate(const std::exception_ptr& failure, const core::FailureNote& note) override;

private:
    SpiConnection& spi_;
    bool read_only_;
    std::optional<Oid> extension_owner_;
};

}  // namespace trovella::pg
