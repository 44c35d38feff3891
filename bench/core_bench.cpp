// Micro-benchmarks of the PostgreSQL-free core: journal parsing, splitting, planning.
// Synthetic inputs shaped like drizzle-kit output, so the figures do not depend on ../shared.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/journal.hpp"
#include "core/planner.hpp"
#include "core/splitter.hpp"

namespace core = trovella::core;

namespace {

std::string make_journal(int entries) {
    std::string json = "{\n  \"version\": \"7\",\n  \"dialect\": \"postgresql\",\n  \"entries\": [";
    for (int i = 0; i < entries; ++i) {
        json += (i ? ",\n" : "\n");
        json += "    {\n      \"idx\": " + std::to_string(i) + ",\n      \"version\": \"7\",\n      \"when\": " +
                std::to_string(1700000000000LL + i) + ",\n      \"tag\": \"" + std::to_string(10000 + i).substr(1) +
                "_adjective_noun\",\n      \"breakpoints\": true\n    }";
    }
    return json + "\n  ]\n}";
}

// A migration of `statements` drizzle-kit style statements, with a DO $$ block every tenth.
std::string make_migration(int statements) {
    std::string sql;
    for (int i = 0; i < statements; ++i) {
        if (i) sql += "--> statement-breakpoint\n";
        if (i % 10 == 9)
            sql += "DO $$ BEGIN\n ALTER TABLE \"t" + std::to_string(i) +
                   "\" ADD CONSTRAINT \"fk\" FOREIGN KEY (\"a\") REFERENCES \"u\"(\"id\");\nEXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n";
        else
            sql += "CREATE TABLE IF NOT EXISTS \"t" + std::to_string(i) +
                   "\" (\n\t\"id\" serial PRIMARY KEY NOT NULL,\n\t\"name\" text NOT NULL,\n\t\"created_at\" timestamp DEFAULT now()\n);\n";
    }
    return sql;
}

void BM_ParseJournal(benchmark::State& state) {
    const std::string text = make_journal(static_cast<int>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(core::parse_journal(text));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
    state.counters["entries"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_ParseJournal)->Arg(200)->Arg(3000);

void BM_SplitStatements(benchmark::State& state) {
    const std::string text = make_migration(static_cast<int>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(core::split_statements(text));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_SplitStatements)->Arg(20)->Arg(20000);

void BM_SplitOneHugeStatement(benchmark::State& state) {
    const std::string text = "INSERT INTO t VALUES " + std::string(static_cast<std::size_t>(state.range(0)), '1') + ";";
    for (auto _ : state) benchmark::DoNotOptimize(core::split_statements(text));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_SplitOneHugeStatement)->Arg(50 << 20);

void BM_Assess(benchmark::State& state) {
    const int n = static_cast<int>(state.range(0));
    const core::Journal journal = core::parse_journal(make_journal(n));
    std::vector<core::TrackingRow> rows;
    core::FileHashes hashes;
    for (int i = 0; i < n; ++i) {
        hashes.emplace(journal.entries[static_cast<std::size_t>(i)].tag, std::string(64, 'a'));
        if (i < n / 2) rows.push_back({i + 1, std::string(64, 'a'), 1700000000000LL + i});
    }
    for (auto _ : state) benchmark::DoNotOptimize(core::assess(journal, rows, &hashes));
    state.counters["entries"] = n;
}
BENCHMARK(BM_Assess)->Arg(200)->Arg(3000);

}  // namespace

BENCHMARK_MAIN();
