#include "client/session_check.hpp"

#include "client/failure.hpp"

namespace trovella::client {

namespace {

const char* kSessionQuery =
    "SELECT (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'trovella_migrate') AS "
    "extension_version,"
    "       current_user AS user_name, pg_catalog.quote_ident(current_user) AS quoted_user,"
    "       pg_catalog.pg_is_in_recovery() AS in_recovery,"
    "       pg_catalog.current_setting('transaction_read_only') = 'on' AS read_only,"
    "       pg_catalog.current_setting('transaction_isolation') AS isolation,"
    // Every NOTICE is progress the user wants to see, whatever the role's setting.
    "       pg_catalog.set_config('client_min_messages', 'notice', false) AS client_min_messages";

Failure session_cannot_migrate(const std::string& sqlstate, std::string message, std::string hint) {
    ServerMessage error{{}, sqlstate, std::move(message), {}, std::move(hint), {}};
    return Failure::client_found(std::move(error));
}

}  // namespace

SessionFacts read_session_facts(Connection& connection) {
    Result r = connection.exec(kSessionQuery);
    SessionFacts s;
    s.extension_version = r.get(0, "extension_version");
    s.user = r.text(0, "user_name");
    s.quoted_user = r.text(0, "quoted_user");
    s.in_recovery = r.boolean(0, "in_recovery");
    s.read_only = r.boolean(0, "read_only");
    s.isolation = r.text(0, "isolation");
    return s;
}

void check_session_can_write(const SessionFacts& session, core::Function fn) {
    const std::string name = core::function_name(fn);
    const bool writes = fn == core::Function::apply || fn == core::Function::apply_each ||
                        fn == core::Function::baseline || fn == core::Function::repair;
    if (!writes) return;
    if (session.in_recovery)
        throw session_cannot_migrate(
            "25006", "this session cannot migrate: the server is a hot standby (in recovery) and accepts no writes",
            "Run " + name + " against the primary; status and verify work on a standby.");
    if (session.read_only)
        throw session_cannot_migrate(
            "25006",
            "this session cannot migrate: its transactions are read-only (default_transaction_read_only is on)",
            "Connect with a role or database whose default_transaction_read_only is off (ALTER ROLE " + session.quoted_user +
                " SET default_transaction_read_only = off), or remove it from PGOPTIONS.");
    if (session.isolation == "repeatable read" || session.isolation == "serializable")
        throw session_cannot_migrate(
            "25000",
            "this session cannot migrate: its isolation level is " + session.isolation +
                ": a runner that waited for the migration lock must see the previous runner's commit",
            "Use READ COMMITTED for the migrating session (default_transaction_isolation).");
}


}  // namespace trovella::client
