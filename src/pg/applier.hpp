// apply(): layer 1 of the wiki (count before, guard, apply, count and hashes after), in the
// caller's transaction.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "pg/inputs.hpp"
#include "pg/spi.hpp"

namespace trovella::pg {

struct ApplyResult {
    std::size_t expected = 0;
    std::size_t applied_before = 0;
    std::size_t pending = 0;
    std::size_t applied = 0;
    bool verified = false;
    std::vector<std::string> applied_tags;
    std::vector<std::string> messages;  // the wiki's lines, in order
};

ApplyResult apply_migrations(SpiConnection& spi, const Inputs& in, core::Function fn);

}  // namespace trovella::pg
