#include "pg/spi.hpp"


#include <cstdlib>
#include <functional>
#include <unordered_map>

#include "core/error.hpp"

namespace trovella::pg {

SpiConnection::SpiConnection(bool nonatomic) {
    int rc = pg_call([&] { return nonatomic ? SPI_connect_ext(SPI_OPT_NONATOMIC) : SPI_connect(); });
    if (rc != SPI_OK_CONNECT) throw std::runtime_error("SPI_connect failed");
    connected_ = true;
}

SpiConnection::~SpiConnection() {
    // On the error path the transaction is about to abort, which cleans SPI up itself.
}

void SpiConnection::finish() {
    if (!connected_) return;
    connected_ = false;
    pg_call([] { SPI_finish(); });
}

namespace {

// Each query of the extension's own runs in a memory context of its own, deleted when the query's
// values have been copied out (as plpy_spi.c does): nothing SPI or the conversions allocate
// survives the query. In apply_each, which commits between migrations, the SPI procedure context
// lives for the whole call, so memory would otherwise grow with every query of every migration.
class QueryMemory {
public:
    QueryMemory() : outer_(CurrentMemoryContext) {
        scratch_ = pg_call([this] {
            return AllocSetContextCreate(outer_, "trovella_migrate query", ALLOCSET_DEFAULT_SIZES);
        });
        enter();
    }
    ~QueryMemory() {
        MemoryContextSwitchTo(outer_);
        MemoryContext scratch = scratch_;
        pg_cleanup([scratch] { MemoryContextDelete(scratch); });
    }
    QueryMemory(const QueryMemory&) = delete;
    QueryMemory& operator=(const QueryMemory&) = delete;

    // SPI switches to its procedure context at the end of every call: come back after each.
    void enter() { MemoryContextSwitchTo(scratch_); }
    // Where a caught error is copied, so that it outlives the scratch context.
    MemoryContext outer() const { return outer_; }

private:
    MemoryContext outer_;
    MemoryContext scratch_ = nullptr;
};

// The plans of the extension's own queries, prepared once per backend and kept (SPI_keepplan), as
// PL/pgSQL keeps the plans of its functions: a run issues the same few queries for every migration
// (the tracking row, the history event), and parsing and planning each anew cost more than running
// it. PostgreSQL's plan cache re-plans a kept plan when what it depends on changes (a table
// dropped and made again, the search_path); privileges are checked at each execution, under the
// role of the moment. The key is the text and the parameter types; the texts are the extension's
// own (identifiers quoted in, values always parameters), so the set stays small; it is emptied
// if it ever grows past kMaxPlans (one session touching many tracking tables).
constexpr std::size_t kMaxPlans = 256;

std::unordered_map<std::string, SPIPlanPtr>& kept_plans() {
    static auto* plans = new std::unordered_map<std::string, SPIPlanPtr>();  // never destroyed: lives with the backend
    return *plans;
}

std::string plan_key(const char* sql, const std::vector<Oid>& types) {
    std::string key(reinterpret_cast<const char*>(types.data()), types.size() * sizeof(Oid));
    key += '\0';
    key += sql;
    return key;
}

SPIPlanPtr kept_plan(const char* sql, std::vector<Oid>& types, MemoryContext keep) {
    auto& plans = kept_plans();
    std::string key = plan_key(sql, types);
    auto found = plans.find(key);
    if (found != plans.end()) return found->second;
    if (plans.size() >= kMaxPlans) {
        for (auto& [text, plan] : plans) {
            SPIPlanPtr p = plan;
            pg_call([p] { SPI_freeplan(p); }, keep);
        }
        plans.clear();
    }
    const int nargs = static_cast<int>(types.size());
    SPIPlanPtr plan = pg_call([&] { return SPI_prepare(sql, nargs, types.data()); }, keep);
    if (plan == nullptr) throw std::runtime_error(std::string("internal query failed: ") + SPI_result_code_string(SPI_result));
    pg_call([plan] { SPI_keepplan(plan); }, keep);
    plans.emplace(std::move(key), plan);
    return plan;
}

}  // namespace

namespace {

// A query's parameters as SPI takes them (text values made in the current memory context).
struct Arguments {
    std::vector<Oid> types;
    std::vector<Datum> values;
    std::vector<char> nulls;
};

Arguments arguments_of(const std::vector<SqlParam>& params, MemoryContext keep) {
    Arguments a{std::vector<Oid>(params.size()), std::vector<Datum>(params.size()), std::vector<char>(params.size(), ' ')};
    for (std::size_t i = 0; i < params.size(); ++i) {
        const SqlParam& p = params[i];
        switch (p.type) {
            case SqlParam::Type::text: a.types[i] = TEXTOID; break;
            case SqlParam::Type::int4: a.types[i] = INT4OID; break;
            case SqlParam::Type::int8: a.types[i] = INT8OID; break;
            case SqlParam::Type::float8: a.types[i] = FLOAT8OID; break;
        }
        if (p.text) {
            const std::string& s = *p.text;
            a.values[i] = pg_call(
                [&] { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); }, keep);
        } else if (p.number) {
            a.values[i] = p.type == SqlParam::Type::int4 ? Int32GetDatum(static_cast<int32>(*p.number))
                                                         : Int64GetDatum(*p.number);
        } else if (p.real) {
            a.values[i] = Float8GetDatum(*p.real);
        } else {
            a.nulls[i] = 'n';
        }
    }
    return a;
}

// Copies the rows of an SPI result into `row` one at a time (its strings reused from row to row)
// and hands each to `each`. Integers, booleans, names and text are read from their binary values,
// as their output functions would print them; anything else through its output function.
void read_rows(SPITupleTable* table, uint64 count, Row& row, const std::function<void(const Row&)>& each,
               MemoryContext keep) {
    const int columns = table->tupdesc->natts;
    row.resize(static_cast<std::size_t>(columns));
    std::vector<Oid> column_types(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) column_types[static_cast<std::size_t>(c)] = TupleDescAttr(table->tupdesc, c)->atttypid;
    for (uint64 r = 0; r < count; ++r) {
        if ((r & 1023) == 1023) check_for_interrupts();
        HeapTuple tuple = table->vals[r];
        for (int c = 1; c <= columns; ++c) {
            auto& out = row[static_cast<std::size_t>(c - 1)];
            const Oid type = column_types[static_cast<std::size_t>(c - 1)];
            if (type == INT8OID || type == INT4OID || type == BOOLOID || type == TEXTOID || type == NAMEOID ||
                type == TIMESTAMPTZOID) {
                bool isnull = false;
                Datum d = pg_call([&] { return SPI_getbinval(tuple, table->tupdesc, c, &isnull); }, keep);
                if (isnull) {
                    out.reset();
                    continue;
                }
                std::string& value = out ? *out : out.emplace();
                switch (type) {
                    case INT8OID: value = std::to_string(DatumGetInt64(d)); break;
                    case INT4OID: value = std::to_string(DatumGetInt32(d)); break;
                    case BOOLOID: value = DatumGetBool(d) ? "t" : "f"; break;
                    case NAMEOID: value.assign(NameStr(*DatumGetName(d))); break;
                    // Only ever turned back into a timestamptz (OutputRow::timestamptz).
                    case TIMESTAMPTZOID: value = raw_timestamp(DatumGetTimestampTz(d)); break;
                    default: {
                        text* t = pg_call([&] { return DatumGetTextPP(d); }, keep);
                        value.assign(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
                    }
                }
                continue;
            }
            char* text = pg_call([&] { return SPI_getvalue(tuple, table->tupdesc, c); }, keep);
            if (text != nullptr) out = std::string(text);
            else out.reset();
        }
        each(row);
    }
}

// Rows fetched at a time by SpiConnection::query_each: the memory of a result of any length stays
// that of one batch.
constexpr long kRowsPerFetch = 1000;

}  // namespace

std::vector<Row> SpiConnection::query(const char* sql, const std::vector<SqlParam>& params, bool read_only) {
    QueryMemory memory;
    MemoryContext keep = memory.outer();
    Arguments args = arguments_of(params, keep);
    SPIPlanPtr plan = kept_plan(sql, args.types, keep);
    memory.enter();
    int rc = pg_call([&] { return SPI_execute_plan(plan, args.values.data(), args.nulls.data(), read_only, 0); }, keep);
    memory.enter();
    if (rc < 0) throw std::runtime_error(std::string("internal query failed: ") + SPI_result_code_string(rc));

    std::vector<Row> rows;
    SPITupleTable* table = SPI_tuptable;
    if (table == nullptr) return rows;
    rows.reserve(SPI_processed);
    Row row;
    read_rows(table, SPI_processed, row, [&](const Row& r) { rows.push_back(r); }, keep);
    pg_call([&] { SPI_freetuptable(table); }, keep);
    return rows;
}

void SpiConnection::query_each(const char* sql, const std::vector<SqlParam>& params, bool read_only,
                               const std::function<void(const Row&)>& each) {
    QueryMemory memory;
    MemoryContext keep = memory.outer();
    Arguments args = arguments_of(params, keep);
    SPIPlanPtr plan = kept_plan(sql, args.types, keep);
    memory.enter();
    Portal portal =
        pg_call([&] { return SPI_cursor_open(nullptr, plan, args.values.data(), args.nulls.data(), read_only); }, keep);
    memory.enter();
    try {
        Row row;
        for (;;) {
            pg_call([&] { SPI_cursor_fetch(portal, true, kRowsPerFetch); }, keep);
            memory.enter();
            SPITupleTable* table = SPI_tuptable;
            const uint64 count = SPI_processed;
            if (table == nullptr || count == 0) {
                if (table != nullptr) pg_call([&] { SPI_freetuptable(table); }, keep);
                break;
            }
            try {
                read_rows(table, count, row, each, keep);
            } catch (...) {
                pg_cleanup([table] { SPI_freetuptable(table); });
                throw;
            }
            pg_call([&] { SPI_freetuptable(table); }, keep);
        }
    } catch (...) {
        pg_cleanup([portal] { SPI_cursor_close(portal); });
        throw;
    }
    pg_call([&] { SPI_cursor_close(portal); }, keep);
}

int SpiConnection::execute_statement(const char* sql) {
    int rc = pg_call([&] { return SPI_execute(sql, false, 0); });
    if (SPI_tuptable != nullptr) pg_call([] { SPI_freetuptable(SPI_tuptable); });
    return rc;
}

std::string raw_timestamp(std::int64_t microseconds) {
    char raw[24];
    const int n = snprintf(raw, sizeof raw, "%c%llx", kRawTimestampMark, static_cast<unsigned long long>(microseconds));
    return std::string(raw, static_cast<std::size_t>(n));
}

std::optional<std::int64_t> from_raw_timestamp(const std::string& text) {
    if (text.empty() || text.front() != kRawTimestampMark) return std::nullopt;
    return static_cast<std::int64_t>(std::strtoull(text.c_str() + 1, nullptr, 16));
}

}  // namespace trovella::pg
