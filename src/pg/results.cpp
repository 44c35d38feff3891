#include "pg/results.hpp"

#include <stdexcept>
#include <string>

#include "pg/spi.hpp"

namespace trovella::pg {

OutputRow& OutputRow::set(std::size_t column, Datum value) {
    values_.at(column) = value;
    nulls_.at(column) = 0;
    return *this;
}

OutputRow& OutputRow::text(std::size_t column, const std::optional<std::string>& value) {
    if (!value) return *this;
    const std::string& s = *value;
    return set(column, pg_call([&] {
                   return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
               }));
}

OutputRow& OutputRow::texts(std::size_t column, const std::vector<std::string>& items) {
    std::vector<Datum> datums;
    datums.reserve(items.size());
    for (const auto& item : items)
        datums.push_back(pg_call(
            [&] { return PointerGetDatum(cstring_to_text_with_len(item.data(), static_cast<int>(item.size()))); }));
    return set(column, pg_call([&] {
                   return PointerGetDatum(construct_array(datums.data(), static_cast<int>(datums.size()), TEXTOID, -1,
                                                          false, TYPALIGN_INT));
               }));
}

OutputRow& OutputRow::int4(std::size_t column, const std::optional<std::int64_t>& value) {
    return value ? set(column, Int32GetDatum(static_cast<int32>(*value))) : *this;
}

OutputRow& OutputRow::int8(std::size_t column, const std::optional<std::int64_t>& value) {
    return value ? set(column, Int64GetDatum(*value)) : *this;
}

OutputRow& OutputRow::float8(std::size_t column, const std::optional<double>& value) {
    return value ? set(column, Float8GetDatum(*value)) : *this;
}

OutputRow& OutputRow::boolean(std::size_t column, const std::optional<bool>& value) {
    return value ? set(column, BoolGetDatum(*value)) : *this;
}

OutputRow& OutputRow::timestamptz(std::size_t column, const std::optional<std::string>& text) {
    if (!text) return *this;
    if (const auto raw = from_raw_timestamp(*text))  // as SpiConnection::query reads one
        return set(column, TimestampTzGetDatum(static_cast<TimestampTz>(*raw)));
    const char* in = text->c_str();
    return set(column, pg_call([&] {
                   return DirectFunctionCall3(timestamptz_in, CStringGetDatum(in), ObjectIdGetDatum(InvalidOid),
                                              Int32GetDatum(-1));
               }));
}

Datum composite_result(FunctionCallInfo fcinfo, OutputRow& row) {
    TupleDesc desc = nullptr;
    TypeFuncClass kind = pg_call([&] { return get_call_result_type(fcinfo, nullptr, &desc); });
    if (kind != TYPEFUNC_COMPOSITE)
        throw std::runtime_error("function returning record called in a context that cannot accept it");
    desc = pg_call([&] { return BlessTupleDesc(desc); });
    return pg_call([&] { return HeapTupleGetDatum(heap_form_tuple(desc, row.values(), row.nulls())); });
}

ResultSet::ResultSet(FunctionCallInfo fcinfo) {
    pg_call([&] { materialized_srf(fcinfo); });
    rsinfo_ = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
}

std::size_t ResultSet::columns() const { return static_cast<std::size_t>(rsinfo_->setDesc->natts); }

ResultSet::~ResultSet() {
    if (row_memory_ == nullptr) return;
    MemoryContext memory = row_memory_;
    pg_cleanup([memory] { MemoryContextDelete(memory); });
}

void ResultSet::add(OutputRow& row) {
    pg_call([&] { tuplestore_putvalues(rsinfo_->setResult, rsinfo_->setDesc, row.values(), row.nulls()); });
}

void ResultSet::add(std::size_t columns, const std::function<void(OutputRow&)>& fill) {
    // A child of the query's memory, where the tuplestore lives: it outlives SPI's contexts.
    if (row_memory_ == nullptr)
        row_memory_ = pg_call([&] {
            return AllocSetContextCreate(rsinfo_->econtext->ecxt_per_query_memory, "trovella_migrate result row",
                                         ALLOCSET_SMALL_SIZES);
        });
    MemoryContext outer = MemoryContextSwitchTo(row_memory_);
    try {
        OutputRow row(columns);
        fill(row);
        add(row);
    } catch (...) {
        MemoryContextSwitchTo(outer);
        throw;
    }
    MemoryContextSwitchTo(outer);
    MemoryContextReset(row_memory_);
}

}  // namespace trovella::pg
