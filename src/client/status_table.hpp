// The status table and its summary line, as text.
#pragma once

#include <string>
#include <vector>

#include "client/engine.hpp"

namespace trovella::client {

// IDX  TAG  STATE  GENERATED (UTC)  APPLIED AT  NOTE, one line per row, columns padded.
std::string status_table(const std::vector<StatusRow>& rows, core::Layout layout = core::Layout::journal);

// "Migration state: 8 applied, 10 expected, 2 pending (1 out of order, 1 orphan)": the wiki's
// line, with the counts of the other states when there are any.
std::string status_summary(const std::vector<StatusRow>& rows);

// Counts per state, for --json.
struct StatusCounts {
    std::size_t recorded = 0, expected = 0, pending = 0;  // as the wiki counts them
    std::size_t applied = 0, pending_in_order = 0, modified = 0, out_of_order = 0, unknown = 0, orphan = 0;
    std::size_t partial = 0;  // counted as pending too: no tracking row records them yet
};
StatusCounts count_states(const std::vector<StatusRow>& rows);

}  // namespace trovella::client
