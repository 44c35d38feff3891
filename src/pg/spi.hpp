// Guarded SPI: every call that can raise goes through pg_call, results are copied into C++ values
// before the next query, so SPI's memory can go away at any time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sql_session.hpp"
#include "pg/guard.hpp"

namespace trovella::pg {

using core::SqlParam;

// A timestamptz value read by SpiConnection::query: this mark, then its microseconds since
// 2000-01-01 UTC (PostgreSQL's TimestampTz) as 64-bit two's complement in hex, as
// OutputRow::timestamptz reads it back; not the text timestamptz_out makes in the session's time
// zone (which cost more than the rest of a 10,000-row status()). In hex so that with the mark a
// time of this era fits inside the string (14 characters: no allocation per row).
inline constexpr char kRawTimestampMark = '@';
std::string raw_timestamp(std::int64_t microseconds);
// The microseconds of a raw_timestamp() text, or nullopt when `text` is not one.
std::optional<std::int64_t> from_raw_timestamp(const std::string& text);
using Row = core::SqlRow;

class SpiConnection {
public:
    explicit SpiConnection(bool nonatomic = false);
    ~SpiConnection();
    SpiConnection(const SpiConnection&) = delete;
    SpiConnection& operator=(const SpiConnection&) = delete;

    // Runs one parameterized query of the extension's own; values come back as text (a timestamptz
    // as kRawTimestampMark and its microseconds).
    std::vector<Row> query(const char* sql, const std::vector<SqlParam>& params = {}, bool read_only = false);
    // The same, handing the rows to `each` one at a time as they are fetched through a cursor, a
    // batch at a time (`each` must not run queries): for results of any length, nothing holds them
    // all at once.
    void query_each(const char* sql, const std::vector<SqlParam>& params, bool read_only,
                    const std::function<void(const Row&)>& each);
    // Runs a migration statement as given; returns SPI's return code (negative codes are not raised).
    int execute_statement(const char* sql);

    void finish();

private:
    bool connected_ = false;
};

}  // namespace trovella::pg
