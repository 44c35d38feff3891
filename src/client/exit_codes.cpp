#include "client/exit_codes.hpp"

#include <regex>

namespace trovella::client {

namespace {

bool in_class(const std::string& sqlstate, std::string_view cls) {
    return sqlstate.size() == 5 && std::string_view(sqlstate).substr(0, 2) == cls;
}

}  // namespace

bool raised_by_migration_statement(std::string_view context) {
    static const std::regex marker(R"(migration ".*", statement [0-9]+ of [0-9]+)");
    return std::regex_search(context.begin(), context.end(), marker);
}

ExitCode classify(const ServerMessage& error) {
    const std::string& s = error.sqlstate;
    if (in_class(s, "08") || s == "57P01" || s == "57P02" || s == "57P03") return ExitCode::cannot_connect;
    if (raised_by_migration_statement(error.context)) return ExitCode::migration_failed;
    if (in_class(s, "25") || s == "42501") return ExitCode::cannot_migrate;
    if (s == "55000" || s == "22000") return ExitCode::verify_failed;
    if (s == "22023" || s == "22P02" || s == "22021" || s == "22P05" || s == "3F000" || s == "42883" || s == "42809")
        return ExitCode::usage;
    return ExitCode::migration_failed;
}

const char* exit_code_help() {
    return "Exit codes:\n"
           "  0  success (status: every journal entry applied; orphan files only warn)\n"
           "  1  verification failed or the history disagrees with the journal (SQLSTATE 55000,\n"
           "     22000: modified, out-of-order or unknown migrations, database ahead, layer 1 or 2\n"
           "     mismatch; status: something pending, modified, out of order or unknown)\n"
           "  2  bad input or usage: command line, migrations folder, journal, file that is not\n"
           "     UTF-8 text, unknown tag, malformed connection string, SQLSTATE 22023 and other\n"
           "     input errors, extension not installed or too old for the command\n"
           "  3  cannot connect, or the connection was lost (SQLSTATE class 08, 57P01-57P03)\n"
           "  4  a migration statement failed (the extension's CONTEXT names the migration and\n"
           "     statement), a refusal before anything ran (0A000), lock or statement timeout,\n"
           "     cancel, any other database error\n"
           "  5  this session cannot migrate: read-only transaction or hot standby, isolation\n"
           "     level (SQLSTATE class 25), permission denied (42501, not raised by a migration\n"
           "     statement): the GRANT to run is printed\n";
}

}  // namespace trovella::client
