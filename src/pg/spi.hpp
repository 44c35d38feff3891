// Guarded SPI: every call that can raise goes through pg_call, results are copied into C++ values
// before the next query, so SPI's memory can go away at any time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/guard.hpp"

namespace trovella::pg {

// One query parameter; text values are converted to Datums inside the guarded call.
struct Param {
    Oid type;
    std::optional<std::string> text;    // for TEXTOID / NAMEOID
    std::optional<std::int64_t> number;  // for INT4OID / INT8OID
    std::optional<double> real;          // for FLOAT8OID

    static Param of(std::string value) { return Param{TEXTOID, std::move(value), std::nullopt, std::nullopt}; }
    static Param of(std::int64_t value) { return Param{INT8OID, std::nullopt, value, std::nullopt}; }
    static Param of_int4(std::int32_t value) { return Param{INT4OID, std::nullopt, value, std::nullopt}; }
    static Param of_real(double value) { return Param{FLOAT8OID, std::nullopt, std::nullopt, value}; }
    static Param null(Oid type) { return Param{type, std::nullopt, std::nullopt, std::nullopt}; }
};

// A result value copied out of SPI; absent = SQL NULL.
using Value = std::optional<std::string>;
using Row = std::vector<Value>;

class SpiConnection {
public:
    explicit SpiConnection(bool nonatomic = false);
    ~SpiConnection();
    SpiConnection(const SpiConnection&) = delete;
    SpiConnection& operator=(const SpiConnection&) = delete;

    // Runs one parameterized query of the extension's own; values come back as text.
    std::vector<Row> query(const char* sql, const std::vector<Param>& params = {}, bool read_only = false);
    // Runs a query and returns its single value (error if not exactly one row).
    Value query_value(const char* sql, const std::vector<Param>& params = {}, bool read_only = false);
    // Runs a migration statement as given; returns SPI's return code (negative codes are not raised).
    int execute_statement(const char* sql);

    void finish();

private:
    bool connected_ = false;
};

std::int64_t to_int64(const Value& value);

}  // namespace trovella::pg
