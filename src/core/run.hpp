// The order of a run, the same for every host (DESIGN section 11): lock, create the tracking
// table, count and check before (the wiki's layer 1), check every statement before any runs,
// bring the history up to date, run each migration and record it, count and check after.
// apply() runs in the caller's transaction; apply_each() commits after each migration and checks
// again, before each, what other runners committed meanwhile; baseline() and repair() record
// without running. The database is reached only through core::Database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/database.hpp"
#include "core/inputs.hpp"
#include "core/outside_transaction.hpp"

namespace trovella::core {

struct ApplyResult {
    std::size_t expected = 0;
    std::size_t applied_before = 0;
    std::size_t pending = 0;
    std::size_t applied = 0;
    bool verified = false;
    std::vector<std::string> applied_tags;
    std::vector<std::string> messages;  // the wiki's lines, in order
};

// The migrations a run would apply, in journal order, split into statements; each SQL statement
// as the parser read it; and, for each migration that cannot run in a transaction, what the run
// needs to run it outside one (core/outside_transaction.hpp). A Work refers to itself: keep it
// where it was made or move it whole.
struct Work {
    std::vector<const EntryState*> entries;
    std::vector<std::vector<Statement>> statements;
    std::vector<CheckedStatement> checked;
    std::vector<std::optional<OutsideMigration>> outside;  // per entry
};

// What prepare() is for: a run refuses a migration that cannot run in a transaction unless the
// database can leave it (the client); a plan lists it, marked.
enum class Purpose { run, plan };

// Splits what `assessment` says to apply and has the database's parser read every statement
// before any runs: syntax errors, statements no migration can run (COPY ... FROM STDIN, two-phase
// commit) and, for a run in a database that cannot leave its transaction, statements that cannot
// run in one, are refused here.
Work prepare(const Assessment& assessment, const Inputs& in, Database& db, Purpose purpose = Purpose::run);

ApplyResult apply(Database& db, const Inputs& in);
ApplyResult apply_each(Database& db, const Inputs& in);

struct RecordedEntry {
    std::int64_t idx = 0;
    std::string tag;
    std::int64_t created_at = 0;
    std::string hash;
    std::string previous_hash;  // repair only
};

// Records the entries up to and including `through_tag` as applied without running them.
std::vector<RecordedEntry> baseline(Database& db, const Inputs& in, const std::string& through_tag);

// Records the new hash of an applied migration whose file was edited on purpose.
RecordedEntry repair(Database& db, const Inputs& in, const std::string& tag);

// idx as shown: the journal's, else the entry's position.
std::int64_t idx_of(const JournalEntry& entry);

// The name of the tracking row recorded for `entry`: its folder name, or for a 0.x journal entry
// the folder name `drizzle-kit up` will give it (written only where the table has the column).
std::string row_name(const Inputs& in, const JournalEntry& entry);

// The tracking table's rows with the names they have or get (core/upgrade.hpp).
Naming read_names(Database& db, const Inputs& in);

// Before anything changes: an upgrade with unmatched rows is refused; writing names needs the
// owner's rights (an upgrade) and UPDATE.
void check_naming(Database& db, const Naming& naming);

// Writes the names `naming` gives (the upgrade, or names for rows that had none) and says so.
void write_names(Database& db, const Naming& naming);

}  // namespace trovella::core
