// Building what the SQL functions return from C++ values: one composite row (in the caller's memory
// context, after SPI_finish), or a set of rows (a materialized SRF, whose tuplestore lives in the
// query's memory: rows may be added while SPI is connected).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pg/guard.hpp"

namespace trovella::pg {

// One output row under construction: values set by column, NULL where left unset.
class OutputRow {
public:
    explicit OutputRow(std::size_t columns) : values_(columns, Datum(0)), nulls_(columns, 1) {}

    OutputRow& text(std::size_t column, const std::optional<std::string>& value);
    OutputRow& texts(std::size_t column, const std::vector<std::string>& value);  // text[]
    OutputRow& int4(std::size_t column, const std::optional<std::int64_t>& value);
    OutputRow& int8(std::size_t column, const std::optional<std::int64_t>& value);
    OutputRow& float8(std::size_t column, const std::optional<double>& value);
    OutputRow& boolean(std::size_t column, const std::optional<bool>& value);
    OutputRow& timestamptz(std::size_t column, const std::optional<std::string>& text);

    Datum* values() { return values_.data(); }
    bool* nulls() { return reinterpret_cast<bool*>(nulls_.data()); }

private:
    OutputRow& set(std::size_t column, Datum value);
    std::vector<Datum> values_;
    std::vector<char> nulls_;  // a std::vector<bool> is packed; heap_form_tuple wants plain bools
};

// The function's single composite result.
Datum composite_result(FunctionCallInfo fcinfo, OutputRow& row);

// A set-returning function's rows, materialized.
class ResultSet {
public:
    explicit ResultSet(FunctionCallInfo fcinfo);
    ~ResultSet();
    ResultSet(const ResultSet&) = delete;
    ResultSet& operator=(const ResultSet&) = delete;
    void add(OutputRow& row);
    // Adds the row `fill` sets, its values made in a memory context of the result's own that is
    // emptied once the row is stored: a long result holds no value twice (status() of 10,000).
    void add(std::size_t columns, const std::function<void(OutputRow&)>& fill);
    Datum done() const { return Datum(0); }
    // The columns the function is declared with: an older install script may declare fewer than
    // this library knows (before ALTER EXTENSION ... UPDATE); rows are built to that width.
    std::size_t columns() const;

private:
    ReturnSetInfo* rsinfo_;
    MemoryContext row_memory_ = nullptr;
};

}  // namespace trovella::pg
