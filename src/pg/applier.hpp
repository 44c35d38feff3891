// Running migrations: apply() in the caller's transaction, apply_each() committing after each
// migration, and the two bookkeeping-only operations baseline() and repair(). Each follows the
// wiki's layer 1: count before, guard, apply, count and hashes after.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/splitter.hpp"
#include "pg/inputs.hpp"
#include "pg/spi.hpp"

namespace trovella::pg {

struct ApplyResult {
    std::size_t expected = 0;
    std::size_t applied_before = 0;
    std::size_t pending = 0;
    std::size_t applied = 0;
    bool verified = false;
    std::vector<std::string> applied_tags;
    std::vector<std::string> messages;  // the wiki's lines, in order
};

// The migrations apply would run, in journal order, split and checked by PostgreSQL's parser
// before any of them runs (refused statements and syntax errors raise here).
struct Work {
    std::vector<const core::EntryState*> entries;
    std::vector<std::vector<core::Statement>> statements;
};
Work prepare(const core::Assessment& assessment, const Inputs& in);

// All pending migrations in the caller's transaction.
ApplyResult apply_migrations(SpiConnection& spi, const Inputs& in);

// One transaction per migration (spi must be nonatomic): progress survives a later failure.
ApplyResult apply_each_migration(SpiConnection& spi, const Inputs& in);

struct RecordedEntry {
    std::int64_t idx = 0;
    std::string tag;
    std::int64_t created_at = 0;
    std::string hash;
    std::string previous_hash;  // repair only
};

// Records the entries up to and including `through_tag` as applied without running them.
std::vector<RecordedEntry> baseline_migrations(SpiConnection& spi, const Inputs& in, const std::string& through_tag);

// Records the new hash of an applied migration whose file was edited on purpose.
RecordedEntry repair_migration(SpiConnection& spi, const Inputs& in, const std::string& tag);

}  // namespace trovella::pg
