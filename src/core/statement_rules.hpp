// What PostgreSQL's parser found about one statement, and the one rule table that decides how it
// can run. Parser-neutral: the extension reads the facts from the nodes of pg_parse_query
// (src/pg/statement_check), the client from the JSON tree of libpg_query, the same parser as a
// library (src/client/statement_check); both ask classify(), so both engines refuse, run and name
// statements alike (test/integration/parser_agreement.sh compares them).
//
// The classes, and what each engine does with them:
//   transactional         runs inside the migration's transaction: everything not listed below.
//   no_transaction_block  PostgreSQL refuses it inside a transaction block and inside any function
//                         (PreventInTransactionBlock: CREATE INDEX CONCURRENTLY, VACUUM, CREATE
//                         DATABASE, ...), but runs it on its own outside one.
//   transaction_control   the file's own BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT,
//                         SAVEPOINT, RELEASE, ROLLBACK TO: they can only be honoured by running
//                         the migration outside a transaction block, statement by statement
//                         (Verdict::control says which, so a runner knows where the file's own
//                         blocks open and end).
//   two_phase_commit      PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED: a migration
//                         cannot hand its work to a transaction manager; no engine runs them.
//   copy_protocol         COPY ... FROM STDIN / TO STDOUT: needs the COPY sub-protocol and data
//                         that a migration file does not carry; no engine runs them.
// Where a migration runs inside a transaction (the extension's apply(), migrate
// --single-transaction) every statement that is not transactional is refused
// (refuse_unless_transactional in core/statement_check.hpp). The client, which can leave the
// transaction block, runs a migration holding no_transaction_block or transaction_control
// statements statement by statement outside one (core/outside_transaction.hpp), and still refuses
// the last two classes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trovella::core {

// The node types the rules read, named as PostgreSQL names them (the tag T_IndexStmt is
// IndexStmt, and libpg_query's JSON uses the same names): one list for the enum below and for
// both adapters, so a node cannot be spelled two ways.
#define TROVELLA_RULE_NODES(X) \
    X(TransactionStmt)         \
    X(CopyStmt)                \
    X(VacuumStmt)              \
    X(IndexStmt)               \
    X(DropStmt)                \
    X(ReindexStmt)             \
    X(AlterTableStmt)          \
    X(AlterDatabaseStmt)       \
    X(CreateSubscriptionStmt)  \
    X(CreatedbStmt)            \
    X(DropdbStmt)              \
    X(AlterSystemStmt)         \
    X(CreateTableSpaceStmt)    \
    X(DropTableSpaceStmt)      \
    X(ClusterStmt)             \
    X(DiscardStmt)

enum class StatementNode {
    other,  // a node type no rule reads
#define TROVELLA_RULE_NODE_ENUMERATOR(name) name,
    TROVELLA_RULE_NODES(TROVELLA_RULE_NODE_ENUMERATOR)
#undef TROVELLA_RULE_NODE_ENUMERATOR
};

const char* node_name(StatementNode node);        // "IndexStmt"; "other"
StatementNode node_named(std::string_view name);  // StatementNode::other for a node no rule reads

// What a parser found about one statement: its node type and the few fields and options the
// rules read, already evaluated as PostgreSQL evaluates them (REINDEX (CONCURRENTLY false) is not
// concurrent; an option without a value is true), and where it is in the text that was parsed.
struct StatementFacts {
    StatementNode node = StatementNode::other;
    // The node's kind, named as PostgreSQL names the enum value: TransactionStmt.kind
    // ("TRANS_STMT_COMMIT"), ReindexStmt.kind ("REINDEX_OBJECT_SYSTEM"), DiscardStmt.target
    // ("DISCARD_ALL"); empty for other nodes.
    std::string kind;
    // IndexStmt.concurrent, DropStmt.concurrent; ReindexStmt: its "concurrently" option (REINDEX
    // ... CONCURRENTLY is one too; the last one given wins, as in ExecReindex); AlterTableStmt:
    // one of its commands is DETACH PARTITION ... CONCURRENTLY.
    bool concurrent = false;
    bool vacuum = false;        // VacuumStmt.is_vacuumcmd: VACUUM (ANALYZE alone is false)
    bool copy_from = false;     // CopyStmt.is_from
    bool copy_file = false;     // CopyStmt.filename given: a server file or PROGRAM, not STDIN/STDOUT
    bool has_relation = false;  // ClusterStmt.relation given (CLUSTER without a table name: false)
    bool tablespace = false;    // AlterDatabaseStmt: a "tablespace" option (ALTER DATABASE ... SET TABLESPACE)
    // CreateSubscriptionStmt: the "connect" and "create_slot" options when given (the last one
    // given wins), as defGetBoolean reads them.
    std::optional<bool> connect;
    std::optional<bool> create_slot;
    // IndexStmt: the index's name (empty when PostgreSQL chooses one), IF NOT EXISTS, and its table
    // as written (the schema empty when not qualified): what a runner outside a transaction needs
    // to find an index that an interrupted CREATE INDEX CONCURRENTLY left invalid.
    std::string index_name;
    bool if_not_exists = false;
    std::string relation_schema;
    std::string relation_name;
    // RawStmt.stmt_location and stmt_len: the statement's byte offset in the parsed text, and its
    // length in bytes (0: to the end of the text).
    std::size_t location = 0;
    std::size_t length = 0;
};

enum class StatementClass {
    transactional,
    no_transaction_block,
    transaction_control,
    two_phase_commit,
    copy_protocol,
};

const char* class_name(StatementClass cls);  // "transactional", "no_transaction_block", ...

// A TransactionStmt, as a runner of the file's own transaction control needs to know it.
enum class TransactionControl {
    none,             // not a TransactionStmt
    begin,            // BEGIN, START TRANSACTION: opens a transaction block
    commit,           // COMMIT, END: ends it
    rollback,         // ROLLBACK, ABORT: ends it
    savepoint,        // SAVEPOINT, RELEASE, ROLLBACK TO: inside an open block only
    prepare,          // PREPARE TRANSACTION: ends the block, handing it to two-phase commit
    commit_prepared,  // COMMIT PREPARED, ROLLBACK PREPARED: another, prepared transaction
};

struct Verdict {
    StatementClass cls = StatementClass::transactional;
    // For messages, as the extension has always worded it ("CREATE INDEX CONCURRENTLY", "a
    // transaction control statement (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...)"); nullptr for a
    // transactional statement.
    const char* reason = nullptr;
    TransactionControl control = TransactionControl::none;
};

// The rule table.
Verdict classify(const StatementFacts& facts);

// One row of the rule table: for statements of type `node` for which `applies` holds (the first
// matching row decides); statements no row matches are transactional.
struct StatementRule {
    StatementNode node;
    bool (*applies)(const StatementFacts&);
    StatementClass cls;
    const char* reason;
};
const std::vector<StatementRule>& statement_rules();

}  // namespace trovella::core
