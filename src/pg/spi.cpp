#include "pg/spi.hpp"


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

std::vector<Row> SpiConnection::query(const char* sql, const std::vector<SqlParam>& params, bool read_only) {
    QueryMemory memory;
    MemoryContext keep = memory.outer();
    const int nargs = static_cast<int>(params.size());
    std::vector<Oid> types(params.size());
    std::vector<Datum> values(params.size());
    std::vector<char> nulls(params.size(), ' ');
    for (std::size_t i = 0; i < params.size(); ++i) {
        const SqlParam& p = params[i];
        switch (p.type) {
            case SqlParam::Type::text: types[i] = TEXTOID; break;
            case SqlParam::Type::int4: types[i] = INT4OID; break;
            case SqlParam::Type::int8: types[i] = INT8OID; break;
            case SqlParam::Type::float8: types[i] = FLOAT8OID; break;
        }
        if (p.text) {
            const std::string& s = *p.text;
            values[i] = pg_call(
                [&] { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); }, keep);
        } else if (p.number) {
            values[i] = p.type == SqlParam::Type::int4 ? Int32GetDatum(static_cast<int32>(*p.number))
                                                        : Int64GetDatum(*p.number);
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

int SpiConnection::execute_statement(const char* sql) {
    int rc = pg_call([&] { return SPI_execute(sql, false, 0); });
    if (SPI_tuptable != nullptr) pg_call([] { SPI_freetuptable(SPI_tuptable); });
    return rc;
}

}  // namespace trovella::pg
