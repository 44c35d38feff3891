// Output shared by the threads of a fleet: each call writes whole lines, and one call's lines stay
// together, so no two targets' lines ever interleave mid-line (one mutex around every write).
#pragma once

#include <mutex>
#include <ostream>
#include <string>

namespace trovella::client {

class LineWriter {
public:
    LineWriter(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}

    // Each line of `text` (a final newline added when missing), prefixed by `prefix`.
    void out(const std::string& text, const std::string& prefix = {}) { write(out_, text, prefix); }
    void err(const std::string& text, const std::string& prefix = {}) { write(err_, text, prefix); }
    // `to_out` on stdout, then `to_err` on stderr, as one unit.
    void both(const std::string& to_out, const std::string& to_err, const std::string& prefix = {});

private:
    static void put(std::ostream& stream, const std::string& text, const std::string& prefix);
    void write(std::ostream& stream, const std::string& text, const std::string& prefix);

    std::mutex mutex_;
    std::ostream& out_;
    std::ostream& err_;
};

}  // namespace trovella::client
