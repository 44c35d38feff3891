#include "pg/spi.hpp"

#include <charconv>

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

}  // namespace

std::vector<Row> SpiConnection::query(const char* sql, const std::vector<Param>& params, bool read_only) {
    QueryMemory memory;
    MemoryContext keep = memory.outer();
    const int nargs = static_cast<int>(params.size());
    std::vector<Oid> types(params.size());
    std::vector<Datum> values(params.size());
    std::vector<char> nulls(params.size(), ' ');
    for (std::size_t i = 0; i < params.size(); ++i) {
        const Param& p = params[i];
        types[i] = p.type;
        if (p.text) {
            const std::string& s = *p.text;
            values[i] = pg_call(
                [&] { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); }, keep);
        } else if (p.number) {
            values[i] = p.type == INT4OID ? Int32GetDatum(static_cast<int32>(*p.number)) : Int64GetDatum(*p.number);
        } else if (p.real) {
            values[i] = Float8GetDatum(*p.real);
        } else {
            nulls[i] = 'n';
        }
    }
    int rc = pg_call(
        [&] { return SPI_execute_with_args(sql, nargs, types.data(), values.data(), nulls.data(), read_only, 0); },
        keep);
    memory.enter();
    if (rc < 0) throw std::runtime_error(std::string("internal query failed: ") + SPI_result_code_string(rc));

    std::vector<Row> rows;
    SPITupleTable* table = SPI_tuptable;
    if (table == nullptr) return rows;
    const uint64 count = SPI_processed;
    const int columns = table->tupdesc->natts;
    rows.reserve(count);
    for (uint64 r = 0; r < count; ++r) {
        if ((r & 1023) == 1023) check_for_interrupts();
        Row row(static_cast<std::size_t>(columns));
        for (int c = 1; c <= columns; ++c) {
            char* text = pg_call([&] { return SPI_getvalue(table->vals[r], table->tupdesc, c); }, keep);
            if (text != nullptr) row[static_cast<std::size_t>(c - 1)] = std::string(text);
        }
        rows.push_back(std::move(row));
    }
    pg_call([&] { SPI_freetuptable(table); }, keep);
    return rows;
}

Value SpiConnection::query_value(const char* sql, const std::vector<Param>& params, bool read_only) {
    auto rows = query(sql, params, read_only);
    if (rows.size() != 1 || rows[0].size() != 1)
        throw std::runtime_error(std::string("internal query returned ") + std::to_string(rows.size()) + " rows: " + sql);
    return rows[0][0];
}

int SpiConnection::execute_statement(const char* sql) {
    int rc = pg_call([&] { return SPI_execute(sql, false, 0); });
    if (SPI_tuptable != nullptr) pg_call([] { SPI_freetuptable(SPI_tuptable); });
    return rc;
}

std::int64_t to_int64(const Value& value) {
    if (!value) throw std::runtime_error("unexpected NULL from an internal query");
    std::int64_t out = 0;
    auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), out);
    if (ec != std::errc() || ptr != value->data() + value->size())
        throw std::runtime_error("unexpected non-integer \"" + *value + "\" from an internal query");
    return out;
}

}  // namespace trovella::pg
