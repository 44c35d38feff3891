#include "client/text_array.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <stdexcept>

namespace trovella::client {

namespace {

constexpr Oid kTextOid = 25;
constexpr Oid kTextArrayOid = 1009;
constexpr std::size_t kHeaderBytes = 20;  // ndim, flags, element type, dimension, lower bound
constexpr std::size_t kDimensionOffset = 12;

void put_int32(char* at, std::uint32_t value) {
    at[0] = static_cast<char>(value >> 24);
    at[1] = static_cast<char>(value >> 16);
    at[2] = static_cast<char>(value >> 8);
    at[3] = static_cast<char>(value);
}

std::uint32_t checked_length(std::size_t n) {
    if (n > 0x7fffffffu) throw std::length_error("a text larger than 2 GB cannot be sent as one value");
    return static_cast<std::uint32_t>(n);
}

}  // namespace

TextArray::TextArray() : buffer_(kHeaderBytes, '\0') {
    put_int32(&buffer_[0], 1);         // one dimension
    put_int32(&buffer_[4], 0);         // no NULL elements
    put_int32(&buffer_[8], kTextOid);  // element type text
    put_int32(&buffer_[16], 1);        // lower bound 1
}

void TextArray::reserve(std::size_t elements, std::size_t bytes) {
    buffer_.reserve(buffer_.size() + elements * 4 + bytes);
    elements_.reserve(elements_.size() + elements);
}

void TextArray::append(std::string_view text) {
    std::size_t at = buffer_.size();
    buffer_.resize(at + 4);
    put_int32(&buffer_[at], checked_length(text.size()));
    buffer_.append(text);
    elements_.push_back({at + 4, text.size()});
}

bool TextArray::append_file(int fd, std::size_t size) {
    const std::size_t at = buffer_.size();
    buffer_.resize(at + 4 + size);
    std::size_t got = 0;
    while (true) {
        if (got == size) {  // the file may have grown since it was measured
            buffer_.resize(buffer_.size() + 65536);
            size += 65536;
        }
        ssize_t n = ::read(fd, &buffer_[at + 4 + got], size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            buffer_.resize(at);
            return false;
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    buffer_.resize(at + 4 + got);
    put_int32(&buffer_[at], checked_length(got));
    elements_.push_back({at + 4, got});
    return true;
}

void TextArray::freeze(std::size_t count) {
    param(count);
    frozen_ = true;
    frozen_count_ = count;
}

Param TextArray::param(std::size_t count) {
    static const std::string empty = "{}";
    if (frozen_ && count != frozen_count_)
        throw std::logic_error("a text[] shared by threads was asked for " + std::to_string(count) +
                               " elements, frozen at " + std::to_string(frozen_count_));
    if (count == 0) return Param::text(empty);
    if (!frozen_) put_int32(&buffer_[kDimensionOffset], checked_length(count));
    std::size_t end = count == elements_.size() ? buffer_.size() : elements_[count].offset - 4;
    return Param::bytes(std::string_view(buffer_).substr(0, end), kTextArrayOid);
}

}  // namespace trovella::client
