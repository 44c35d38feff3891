#include "client/statement_check.hpp"

#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>

#include "client/failure.hpp"
#include "core/interrupts.hpp"

// libpg_query: PostgreSQL 15's parser as a library. Its header defines PG_VERSION_NUM, which would
// make this file look like a server build to anything that checks (core/no_postgres.hpp).
#include <pg_query.h>
#undef PG_VERSION_NUM
#undef PG_VERSION
#undef PG_MAJORVERSION

namespace trovella::client {

namespace {

using core::StatementNode;
using nlohmann::json;

const char* const kSyntaxError = "42601";

// libpg_query reports a parser error's message and the function that raised it, but neither its
// SQLSTATE nor its DETAIL or HINT. Nearly every error of PostgreSQL 15's grammar and scanner is a
// plain syntax error (42601); these are all the others (gram.y, scan.l, parser.c), with what the
// server adds to them ("%" stands for the text a message names; `function`, when given, tells two
// errors of the same message apart).
struct ParserError {
    const char* message;
    const char* function;
    const char* sqlstate;
    const char* detail;
    const char* hint;
};
const ParserError kParserErrors[] = {
    {"% constraints cannot be marked DEFERRABLE", nullptr, "0A000", "", ""},
    {"% constraints cannot be marked NO INHERIT", nullptr, "0A000", "", ""},
    {"% constraints cannot be marked NOT VALID", nullptr, "0A000", "", ""},
    {"CREATE ASSERTION is not yet implemented", nullptr, "0A000", "", ""},
    {"CREATE EXTENSION ... FROM is no longer supported", nullptr, "0A000", "", ""},
    {"CREATE OR REPLACE CONSTRAINT TRIGGER is not supported", nullptr, "0A000", "", ""},
    {"CREATE SCHEMA IF NOT EXISTS cannot include schema elements", nullptr, "0A000", "", ""},
    {"MATCH PARTIAL not yet implemented", nullptr, "0A000", "", ""},
    {"RECHECK is no longer required", nullptr, "0A000", "", "Update your data type."},
    {"UNENCRYPTED PASSWORD is no longer supported", nullptr, "0A000", "",
     "Remove UNENCRYPTED to store the password in encrypted form instead."},
    {"UNIQUE predicate is not yet implemented", nullptr, "0A000", "", ""},
    {"WITH CHECK OPTION not supported on recursive views", nullptr, "0A000", "", ""},
    {"a column list with % is only supported for ON DELETE actions", nullptr, "0A000", "", ""},
    {"aggregates cannot have output arguments", nullptr, "0A000", "", ""},
    {"an ordered-set aggregate with a VARIADIC direct argument must have one VARIADIC aggregated argument of the "
     "same data type",
     nullptr, "0A000", "", ""},
    {"current database cannot be changed", nullptr, "0A000", "", ""},
    {"unsafe use of string constant with Unicode escapes", nullptr, "0A000",
     "String constants with Unicode escapes cannot be used when standard_conforming_strings is off.", ""},
    {"invalid Unicode escape", "str_udeescape", "42601", "", "Unicode escapes must be \\XXXX or \\+XXXXXX."},
    {"invalid Unicode escape", nullptr, "22025", "", "Unicode escapes must be \\uXXXX or \\UXXXXXXXX."},
    {"column number must be in range from 1 to %", nullptr, "22023", "", ""},
    {"precision for type float must be at least 1 bit", nullptr, "22023", "", ""},
    {"precision for type float must be less than 54 bits", nullptr, "22023", "", ""},
    {"modulus for hash partition provided more than once", nullptr, "42710", "", ""},
    {"remainder for hash partition provided more than once", nullptr, "42710", "", ""},
    {"% cannot be used as a role name here", nullptr, "42939", "", ""},
    {"role name \"%\" is reserved", nullptr, "42939", "", ""},
    {"frame start cannot be UNBOUNDED FOLLOWING", nullptr, "42P20", "", ""},
    {"frame end cannot be UNBOUNDED PRECEDING", nullptr, "42P20", "", ""},
    {"frame starting from current row cannot have preceding rows", nullptr, "42P20", "", ""},
    {"frame starting from following row cannot have preceding rows", nullptr, "42P20", "", ""},
    {"frame starting from following row cannot end with current row", nullptr, "42P20", "", ""},
    {"LIMIT #,# syntax is not supported", nullptr, "42601", "", "Use separate LIMIT and OFFSET clauses."},
    {"VALUES in FROM must have an alias", nullptr, "42601", "", "For example, FROM (VALUES ...) [AS] foo."},
    {"subquery in FROM must have an alias", nullptr, "42601", "", "For example, FROM (SELECT ...) [AS] foo."},
    {"missing argument", nullptr, "42601", "", "Use NONE to denote the missing argument of a unary operator."},
    {"unrecognized row security option \"%\"", nullptr, "42601", "",
     "Only PERMISSIVE or RESTRICTIVE policies are supported currently."},
    {"invalid publication object list", nullptr, "42601",
     "One of TABLE or TABLES IN SCHEMA must be specified before a standalone table or schema name.", ""},
};

// `message` is `pattern` with each "%" standing for some text.
bool matches(std::string_view message, std::string_view pattern) {
    std::size_t percent = pattern.find('%');
    if (percent == std::string_view::npos) return message == pattern;
    std::string_view head = pattern.substr(0, percent);
    if (message.substr(0, head.size()) != head) return false;
    std::string_view rest_pattern = pattern.substr(percent + 1);
    for (std::size_t start = head.size(); start <= message.size(); ++start)
        if (matches(message.substr(start), rest_pattern)) return true;
    return false;
}

// The server's error for what libpg_query reports.
ParseError parser_error(const PgQueryError& e) {
    const std::string message = e.message != nullptr ? e.message : "syntax error";
    for (const auto& known : kParserErrors)
        if (matches(message, known.message) &&
            (known.function == nullptr || (e.funcname != nullptr && std::strcmp(e.funcname, known.function) == 0)))
            return ParseError(known.sqlstate, message, known.detail, known.hint);
    return ParseError(kSyntaxError, message);
}

const json* member(const json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

// libpg_query leaves out a field that holds its type's zero: false, 0, NULL, an empty list.
bool flag(const json& node, const char* key) {
    const json* value = member(node, key);
    return value != nullptr && value->is_boolean() && value->get<bool>();
}
std::string text(const json& node, const char* key) {
    const json* value = member(node, key);
    return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}
std::size_t count(const json& node, const char* key) {
    const json* value = member(node, key);
    return value != nullptr && value->is_number_integer() && value->get<long long>() > 0
               ? static_cast<std::size_t>(value->get<long long>())
               : 0;
}
const json& list(const json& node, const char* key) {
    static const json empty = json::array();
    const json* value = member(node, key);
    return value != nullptr && value->is_array() ? *value : empty;
}
// {"DefElem": {...}} -> the DefElem's fields (null when the item is something else).
const json& node_of_type(const json& item, const char* type) {
    static const json none;
    const json* value = member(item, type);
    return value != nullptr ? *value : none;
}

// pg_strcasecmp against a lowercase ASCII word.
bool equals_ignoring_case(std::string_view s, std::string_view word) {
    if (s.size() != word.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != word[i]) return false;
    }
    return true;
}

// defGetString (commands/define.c) of an option's value other than an Integer.
std::string option_string(const json& arg) {
    if (const json* s = member(arg, "String")) return text(*s, "sval");
    if (const json* f = member(arg, "Float")) return text(*f, "fval");
    if (const json* b = member(arg, "Boolean")) return flag(*b, "boolval") ? "true" : "false";
    if (const json* t = member(arg, "TypeName")) {  // TypeNameToString
        std::string name;
        for (const auto& part : list(*t, "names")) {
            if (!name.empty()) name += '.';
            name += text(node_of_type(part, "String"), "sval");
        }
        if (flag(*t, "pct_type")) name += "%TYPE";
        if (!list(*t, "arrayBounds").empty()) name += "[]";
        return name;
    }
    if (const json* l = member(arg, "List")) {  // NameListToString: an operator's name
        std::string name;
        for (const auto& part : list(*l, "items")) {
            if (!name.empty()) name += '.';
            name += member(part, "A_Star") != nullptr ? "*" : text(node_of_type(part, "String"), "sval");
        }
        return name;
    }
    return {};
}

// libpg_query 15-4.0.0 leaves out the value of a negative Integer as it leaves out a zero
// (pganalyze/libpg_query#243, fixed in later releases). In an option the rules read, the value
// follows the option's name (at the DefElem's location), an optional "=" and an optional sign,
// with only whitespace and comments between: it is negative when a "-" precedes digits that are
// not all zeros. (The names read, concurrently, connect and create_slot, hold no "-" or digit.)
bool negative_integer_at(std::string_view sql, std::size_t location) {
    bool minus = false;
    std::size_t i = location;
    while (i < sql.size()) {
        if (sql.compare(i, 2, "--") == 0) {
            i = sql.find('\n', i);
            if (i == std::string_view::npos) return false;
        } else if (sql.compare(i, 2, "/*") == 0) {
            int depth = 0;
            do {
                if (sql.compare(i, 2, "/*") == 0) {
                    ++depth;
                    i += 2;
                } else if (sql.compare(i, 2, "*/") == 0) {
                    --depth;
                    i += 2;
                } else {
                    ++i;
                }
            } while (depth > 0 && i < sql.size());
        } else if (sql[i] >= '0' && sql[i] <= '9') {
            while (i < sql.size() && sql[i] >= '0' && sql[i] <= '9')
                if (sql[i++] != '0') return minus;
            return false;
        } else {
            if (sql[i] == '-') minus = true;
            if (sql[i] == '+') minus = false;
            ++i;
        }
    }
    return false;
}

// defGetBoolean (commands/define.c) of a DefElem of `sql`: no value is true; 0 and 1; true, false,
// on and off in any case; anything else is the error the server raises.
bool boolean_option(const json& defelem, std::string_view sql) {
    const json* arg = member(defelem, "arg");
    if (arg == nullptr) return true;
    if (const json* integer = member(*arg, "Integer")) {
        const json* ival = member(*integer, "ival");
        long long value = ival != nullptr && ival->is_number_integer()           ? ival->get<long long>()
                          : negative_integer_at(sql, count(defelem, "location")) ? -1
                                                                                 : 0;
        if (value == 0) return false;
        if (value == 1) return true;
    } else {
        std::string value = option_string(*arg);
        if (equals_ignoring_case(value, "true") || equals_ignoring_case(value, "on")) return true;
        if (equals_ignoring_case(value, "false") || equals_ignoring_case(value, "off")) return false;
    }
    throw ParseError(kSyntaxError, text(defelem, "defname") + " requires a Boolean value");
}

// ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY among the commands.
bool detaches_concurrently(const json& alter) {
    for (const auto& item : list(alter, "cmds")) {
        const json& cmd = node_of_type(item, "AlterTableCmd");
        if (text(cmd, "subtype") != "AT_DetachPartition") continue;
        const json* def = member(cmd, "def");
        if (def != nullptr && flag(node_of_type(*def, "PartitionCmd"), "concurrent")) return true;
    }
    return false;
}

bool has_option(const json& node, const char* key, const char* name) {
    for (const auto& item : list(node, key))
        if (text(node_of_type(item, "DefElem"), "defname") == name) return true;
    return false;
}

core::StatementFacts facts_of(const json& raw, std::string_view sql) {
    core::StatementFacts facts;
    facts.location = count(raw, "stmt_location");
    facts.length = count(raw, "stmt_len");
    const json* stmt = member(raw, "stmt");
    if (stmt == nullptr || !stmt->is_object() || stmt->size() != 1) return facts;
    facts.node = core::node_named(stmt->begin().key());
    const json& node = stmt->begin().value();
    switch (facts.node) {
        case StatementNode::TransactionStmt:
            facts.kind = text(node, "kind");
            break;
        case StatementNode::CopyStmt:
            facts.copy_from = flag(node, "is_from");
            facts.copy_file = member(node, "filename") != nullptr;
            break;
        case StatementNode::VacuumStmt:
            facts.vacuum = flag(node, "is_vacuumcmd");
            break;
        case StatementNode::IndexStmt:
            facts.concurrent = flag(node, "concurrent");
            facts.if_not_exists = flag(node, "if_not_exists");
            facts.index_name = text(node, "idxname");
            if (const json* relation = member(node, "relation")) {
                facts.relation_schema = text(*relation, "schemaname");
                facts.relation_name = text(*relation, "relname");
            }
            break;
        case StatementNode::DropStmt:
            facts.concurrent = flag(node, "concurrent");
            break;
        case StatementNode::ReindexStmt:
            facts.kind = text(node, "kind");
            for (const auto& item : list(node, "params")) {  // every one read, the last one wins (ExecReindex)
                const json& option = node_of_type(item, "DefElem");
                if (text(option, "defname") == "concurrently") facts.concurrent = boolean_option(option, sql);
            }
            break;
        case StatementNode::AlterTableStmt:
            facts.concurrent = detaches_concurrently(node);
            break;
        case StatementNode::AlterDatabaseStmt:
            facts.tablespace = has_option(node, "options", "tablespace");
            break;
        case StatementNode::CreateSubscriptionStmt:
            for (const auto& item : list(node, "options")) {  // in order, as parse_subscription_options
                const json& option = node_of_type(item, "DefElem");
                const std::string name = text(option, "defname");
                if (name == "connect") facts.connect = boolean_option(option, sql);
                if (name == "create_slot") facts.create_slot = boolean_option(option, sql);
            }
            break;
        case StatementNode::ClusterStmt:
            facts.has_relation = member(node, "relation") != nullptr;
            break;
        case StatementNode::DiscardStmt:
            facts.kind = text(node, "target");
            break;
        default:
            break;
    }
    return facts;
}

// Owns one libpg_query result.
class ParseResult {
public:
    explicit ParseResult(const std::string& sql) : result_(pg_query_parse(sql.c_str())) {}
    ~ParseResult() { pg_query_free_parse_result(result_); }
    ParseResult(const ParseResult&) = delete;
    ParseResult& operator=(const ParseResult&) = delete;
    const PgQueryParseResult& get() const { return result_; }

private:
    PgQueryParseResult result_;
};

}  // namespace

std::vector<core::StatementFacts> parse_statements(const std::string& sql) {
    ParseResult result(sql);
    if (result.get().error != nullptr) throw parser_error(*result.get().error);
    const json tree = json::parse(result.get().parse_tree);
    std::vector<core::StatementFacts> facts;
    for (const auto& raw : list(tree, "stmts")) facts.push_back(facts_of(raw, sql));
    return facts;
}

std::vector<core::CheckedStatement> checked_statements(const std::vector<core::MigrationToCheck>& migrations) {
    std::vector<core::CheckedStatement> checked = core::checked_list_for(migrations);
    for (const auto& migration : migrations) {
        const int total = static_cast<int>(migration.statements->size());
        for (const auto& piece : *migration.statements) {
            core::check_interrupts();
            std::vector<core::StatementFacts> facts;
            try {
                facts = parse_statements(std::string(piece.sql));
            } catch (const ParseError& e) {
                throw Failure(ServerMessage{"ERROR", e.sqlstate(), e.what(), e.detail(), e.hint(),
                                            core::statement_context(*migration.entry, piece, total)});
            }
            core::add_checked_statements(checked, migration, piece, facts);
        }
    }
    return checked;
}

void check_statements(const std::vector<core::MigrationToCheck>& migrations) {
    core::refuse_unless_transactional(checked_statements(migrations));
}

}  // namespace trovella::client
