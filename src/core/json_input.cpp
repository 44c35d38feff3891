#include "core/json_input.hpp"

#include <cstdint>
#include <iterator>

#include "core/interrupts.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {

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

}  // namespace

nlohmann::json parse_json_input(std::string_view text) {
    return nlohmann::json::parse(PacedIterator(text.data()), PacedIterator(text.data() + text.size()));
}

}  // namespace trovella::core
