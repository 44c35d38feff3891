// A PostgreSQL text[] in binary wire format, built once and sent as one query parameter: every
// element is length-prefixed, so its bytes need no escaping and are never copied again. Files
// are read straight into it, so a 100 MB migration exists once in the client (plus libpq's own
// send buffer).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "client/connection.hpp"

namespace trovella::client {

class TextArray {
public:
    TextArray();

    // Room for `elements` more elements holding `bytes` bytes in all (avoids regrowing).
    void reserve(std::size_t elements, std::size_t bytes);

    void append(std::string_view text);

    // Appends the rest of the open file descriptor `fd` (expected `size` bytes; the actual
    // number read counts). Returns false, with errno set, when reading fails.
    bool append_file(int fd, std::size_t size);

    std::size_t size() const { return elements_.size(); }
    std::string_view at(std::size_t i) const {
        return std::string_view(buffer_).substr(elements_[i].offset, elements_[i].length);
    }

    // The first `count` elements as a text[] parameter. Valid until the array changes or
    // param() is called again with another count.
    Param param(std::size_t count);

    // For threads sharing the array (a fleet): fixes the count every later param() must ask
    // for, so that param() only reads and never rewrites the header; another count then is a bug
    // (std::logic_error) rather than a race.
    void freeze(std::size_t count);

private:
    struct Element {
        std::size_t offset, length;
    };
    std::string buffer_;  // header, then (int32 length, bytes) per element
    std::vector<Element> elements_;
    bool frozen_ = false;
    std::size_t frozen_count_ = 0;
};

}  // namespace trovella::client
