// Building what the SQL functions return, in the caller's memory context (after SPI_finish): one
// composite row, or a set of rows (a materialized SRF), from C++ values.
#pragma once

#include <cstdint>
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
    void add(OutputRow& row);
    Datum done() const { return Datum(0); }
    // The columns the function is declared with: an older install script may declare fewer than
    // this library knows (before ALTER EXTENSION ... UPDATE); rows are built to that width.
    std::size_t columns() const;

private:
    ReturnSetInfo* rsinfo_;
};

}  // namespace trovella::pg
