#include "client/line_writer.hpp"

namespace trovella::client {

void LineWriter::put(std::ostream& stream, const std::string& text, const std::string& prefix) {
    if (text.empty()) return;
    std::string block;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        block += prefix + text.substr(start, end - start) + "\n";
        start = end + 1;
    }
    stream << block;
    stream.flush();
}

void LineWriter::write(std::ostream& stream, const std::string& text, const std::string& prefix) {
    std::lock_guard<std::mutex> hold(mutex_);
    put(stream, text, prefix);
}

void LineWriter::both(const std::string& to_out, const std::string& to_err, const std::string& prefix) {
    std::lock_guard<std::mutex> hold(mutex_);
    put(out_, to_out, prefix);
    put(err_, to_err, prefix);
}

}  // namespace trovella::client
