// Parsing a JSON argument (journal, migration texts, options) so that a large one can be
// cancelled: the parser calls the host's interrupt check as it goes.
#pragma once

#include <cstdint>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/interrupts.hpp"

namespace trovella::core {

// Walks the text for nlohmann's parser and runs the host's interrupt check once every 64 KiB.
// (nlohmann's parse callback cannot serve: its DOM builder rescans the parent container after
// every object, which is quadratic in the number of journal entries.)
class PacedIterator {
public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    explicit PacedIterator(const char* at) : at_(at) {}
    reference operator*() const { return *at_; }
    PacedIterator& operator++() {
        ++at_;
        if ((reinterpret_cast<std::uintptr_t>(at_) & 0xFFFF) == 0) check_interrupts();
        return *this;
    }
    PacedIterator operator++(int) {
        PacedIterator before = *this;
        ++*this;
        return before;
    }
    bool operator==(const PacedIterator& other) const { return at_ == other.at_; }
    bool operator!=(const PacedIterator& other) const { return at_ != other.at_; }

private:
    const char* at_;
};

// Throws nlohmann::json::exception for invalid JSON, as nlohmann::json::parse does.
nlohmann::json parse_json_input(std::string_view text);

// Feeds the text to a nlohmann SAX handler (parse errors go to its parse_error, as in
// nlohmann::json::sax_parse), with the same interrupt checks.
template <class Sax>
bool sax_parse_json_input(std::string_view text, Sax* sax) {
    return nlohmann::json::sax_parse(PacedIterator(text.data()), PacedIterator(text.data() + text.size()), sax);
}

}  // namespace trovella::core
