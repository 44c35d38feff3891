// Migrations that cannot run in a transaction (DESIGN section 6): a statement PostgreSQL refuses
// inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...), or the file's own
// BEGIN/COMMIT. A host that can leave the transaction block (the client, over libpq) runs such a
// migration statement by statement outside one, exactly as the file gives them, and records its
// progress after each statement in the history, so that an interrupted run resumes at the first
// statement that did not complete and no completed statement runs twice; then it records the
// Drizzle row. The extension cannot (SPI runs inside the caller's transaction) and refuses them.
//
// How each statement and its progress travel (the host's side, OutsideTransaction):
//   - a statement and the progress record after it go in one unit (one sync point of libpq's
//     pipeline): when the statement fails, the record is skipped; outside a block the two commit
//     together when the statement may run in a transaction, and follow each other at once when
//     it may not (only a crash between the two leaves a completed statement unrecorded: CREATE
//     and DROP INDEX CONCURRENTLY are then told apart in the catalog; the others named in the
//     README are ones that may run again);
//   - inside the file's own block, the record commits or rolls back with the block, so a resume
//     restarts at the block's BEGIN;
//   - the file's COMMIT goes after its progress record (they commit together); a COMMIT or
//     ROLLBACK with no block open is not sent (PostgreSQL would only warn), only recorded.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/database.hpp"
#include "core/inputs.hpp"

namespace trovella::core {

// An index, as the catalog has it.
struct IndexState {
    std::string name;  // schema-qualified and quoted, ready for DROP INDEX CONCURRENTLY
    bool valid = true;
};

class OutsideTransaction {
public:
    virtual ~OutsideTransaction() = default;

    // Commits the run's transaction (what preceded) and leaves it: statements then run outside
    // any transaction block until enter_transaction() opens the run's transaction again.
    virtual void leave_transaction() = 0;
    virtual void enter_transaction() = 0;
    // The migration's lock_timeout and statement_timeout at session level while it runs outside
    // (SET LOCAL would end with each statement); restore_settings() puts back the values before.
    virtual void apply_settings(const Options& options) = 0;
    virtual void restore_settings() noexcept = 0;

    // What the session shows while statement `number` of `total` of `tag` runs (the client:
    // application_name in pg_stat_activity); put back by restore_settings().
    virtual void show_progress(const std::string& tag, int number, int total) = 0;

    // Whether a transaction block the file opened (its own BEGIN) is open.
    virtual bool in_transaction_block() = 0;
    // Runs one SQL statement in a unit of its own and waits for it; throws its error with `context`.
    virtual void run_alone(std::string_view sql, const std::string& context) = 0;
    // Runs `sql` (when given) and records `progress` in one unit, the record after the statement,
    // or before it when `record_first` (the file's COMMIT); waits; throws the statement's error.
    virtual void run_and_record(std::optional<std::string_view> sql, const std::string& context,
                                const HistoryEvent& progress, bool record_first) = 0;
    // After a failure inside the file's own block: rolls it back. Must not throw.
    virtual void abandon_block() noexcept = 0;

    // The index a CREATE INDEX names, when it exists (its table resolved as the statement would).
    virtual std::optional<IndexState> index_of(const StatementFacts& facts) = 0;
    // Every invalid index of the database (pg_index.indisvalid false), qualified and quoted.
    virtual std::set<std::string> invalid_indexes() = 0;
    virtual void drop_index_concurrently(const std::string& qualified_name) = 0;
    // --rebuild-invalid-indexes: drop an invalid index a CREATE INDEX CONCURRENTLY is about to build.
    virtual bool rebuild_invalid_indexes() const = 0;
};

// A migration of the run that cannot run in a transaction: the first statement that makes it so
// (for the announcement), and every SQL statement of it in order.
struct OutsideMigration {
    const JournalEntry* entry = nullptr;
    const std::vector<Statement>* statements = nullptr;
    const CheckedStatement* reason = nullptr;
    std::vector<const CheckedStatement*> checked;
};

// "<tag> cannot run in a transaction (statement 3, line 7: CREATE INDEX CONCURRENTLY): running it
// statement by statement"
std::string outside_announcement(const OutsideMigration& m);

// Runs `m` outside a transaction block as described above, resuming after what the history says
// completed (Database::partial_migrations); returns the id of the tracking row it records. The run's transaction is open before
// and after. A failure leaves the completed statements recorded and says where a new run resumes.
std::int64_t run_outside_transaction(Database& db, OutsideTransaction& out, const Inputs& in,
                                     const OutsideMigration& m);

}  // namespace trovella::core
