// Plain-text tables of the client's output (status, the fleet's summary): columns padded to
// their widest cell, two spaces apart, no trailing spaces.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace trovella::client {

// Width on a terminal: UTF-8 characters, not bytes.
std::size_t display_width(const std::string& s);

// One line per row; rows may have different lengths.
std::string text_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace trovella::client
