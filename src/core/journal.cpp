#include "core/journal.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/json_input.hpp"
#include "core/messages.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {

using json = nlohmann::json;

// What the checks read of one JSON value: a scalar's value, or only the type of an object or
// array (no check reads inside one). Held as plain values: a nlohmann::json per scalar (a heap
// string each) was a fifth of the time of reading a long journal.
struct Seen {
    enum class Kind { absent, null, boolean, integer, unsigned_integer, floating, string, object, array };
    Kind kind = Kind::absent;
    bool boolean = false;
    std::int64_t integer = 0;
    std::uint64_t unsigned_integer = 0;
    double floating = 0;
    std::string string;

    bool present() const { return kind != Kind::absent; }
    bool is(Kind k) const { return kind == k; }
    bool is_integer() const { return kind == Kind::integer || kind == Kind::unsigned_integer; }
    // The value as nlohmann would hold it (for messages only: built on the way to an error).
    json scalar() const {
        switch (kind) {
            case Kind::boolean: return json(boolean);
            case Kind::integer: return json(integer);
            case Kind::unsigned_integer: return json(unsigned_integer);
            case Kind::floating: return json(floating);
            case Kind::string: return json(string);
            default: return json(nullptr);
        }
    }
    std::string type() const {
        if (kind == Kind::object) return "object";
        if (kind == Kind::array) return "array";
        return scalar().type_name();
    }
    // A value as shown in messages (a structured one by its type: dump() would recurse once per
    // nesting level).
    std::string describe() const { return kind == Kind::object || kind == Kind::array ? type() : scalar().dump(); }
};

// "journal entries[3] (tag "0003_x")": how an entry is named in every message.
std::string entry_name(std::size_t position, const std::string* tag) {
    std::string name = "journal entries[" + std::to_string(position) + "]";
    if (tag != nullptr) name += " (tag " + quote_tag(*tag) + ")";
    return name;
}

std::optional<std::string> optional_string(const Seen& seen) {
    if (!seen.present() || seen.is(Seen::Kind::null)) return std::nullopt;
    if (seen.is(Seen::Kind::string)) return seen.string;
    return seen.describe();
}

struct SeenEntry {
    const char* type = "object";  // of the array element: only an object is an entry
    Seen tag, when, idx, version, breakpoints;
};

// Checks each entry as soon as the reader has read it, into the journal's entries: no copy of
// every entry's raw values is held until the end (it was a tenth of the memory a first status()
// of 10,000 entries touched). A problem is kept, not thrown, until the whole text has parsed, so
// that invalid JSON anywhere is reported as such and the document's own checks come first; the
// first problem wins, as when the entries were checked in order after the parse.
class EntryChecker {
public:
    explicit EntryChecker(std::size_t expected) : expected_(expected) { start(); }

    // A (later) "entries" key: what an earlier one held is replaced.
    void start() {
        entries_.clear();
        entries_.reserve(expected_);
        warnings_.clear();
        tag_at_.clear();
        when_at_.clear();
        when_at_.reserve(expected_);
        problem_ = nullptr;
        position_ = 0;
    }

    void add(SeenEntry& item) {
        check_interrupts();
        const std::size_t position = position_++;
        if (problem_) return;
        try {
            check(item, position);
        } catch (...) {
            problem_ = std::current_exception();
        }
    }

    // After the document's checks: the first entry's problem, else the entries and their warnings.
    void finish(Journal& journal) {
        if (problem_) std::rethrow_exception(problem_);
        journal.entries = std::move(entries_);
        journal.warnings.insert(journal.warnings.end(), std::make_move_iterator(warnings_.begin()),
                                std::make_move_iterator(warnings_.end()));
    }

    std::map<std::string, std::size_t, std::less<>>& tag_at() { return tag_at_; }

private:
    void check(SeenEntry& item, std::size_t position);

    std::size_t expected_;
    std::vector<JournalEntry> entries_;
    std::vector<std::string> warnings_;
    std::map<std::string, std::size_t, std::less<>> tag_at_;
    std::unordered_map<std::int64_t, std::size_t> when_at_;
    std::exception_ptr problem_;
    std::size_t position_ = 0;
};

struct SeenJournal {
    const char* root = "object";  // the document's type
    Seen version, dialect;
    bool has_entries = false;
    const char* entries_type = "array";
};

// Reads the journal with nlohmann's SAX interface straight into the few values the checks read:
// no document tree (a map per entry, a string per key) is built and torn down, which was most of
// the time of a no-op apply() or a status() of a long history. Duplicate keys: the last one wins,
// as in nlohmann's tree. The checks run once the whole text has parsed, so invalid JSON is
// reported as such wherever it is.
class JournalReader {
public:
    JournalReader(SeenJournal& out, EntryChecker& entries) : out_(out), entries_(entries) {}

    bool null() {
        scalar(Seen::Kind::null, "null");
        return true;
    }
    bool boolean(bool v) {
        if (Seen* slot = scalar(Seen::Kind::boolean, "boolean")) slot->boolean = v;
        return true;
    }
    bool number_integer(json::number_integer_t v) {
        if (Seen* slot = scalar(Seen::Kind::integer, "number")) slot->integer = v;
        return true;
    }
    bool number_unsigned(json::number_unsigned_t v) {
        if (Seen* slot = scalar(Seen::Kind::unsigned_integer, "number")) slot->unsigned_integer = v;
        return true;
    }
    bool number_float(json::number_float_t v, const json::string_t&) {
        if (Seen* slot = scalar(Seen::Kind::floating, "number")) slot->floating = v;
        return true;
    }
    bool string(json::string_t& v) {
        if (Seen* slot = scalar(Seen::Kind::string, "string")) slot->string = std::move(v);
        return true;
    }
    bool binary(json::binary_t&) {  // not produced by the JSON reader
        scalar(Seen::Kind::null, "null");
        return true;
    }
    bool start_object(std::size_t) { return open("object"); }
    bool start_array(std::size_t) { return open("array"); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(json::string_t& key_text) {
        const std::string_view k(key_text);  // compared by size first
        slot_ = nullptr;
        entries_key_ = false;
        if (frames_.back() == Frame::root) {
            if (k == std::string_view("version")) slot_ = &out_.version;
            else if (k == std::string_view("dialect")) slot_ = &out_.dialect;
            else if (k == std::string_view("entries")) entries_key_ = true;
        } else if (frames_.back() == Frame::entry) {
            SeenEntry& e = entry_;
            if (k == std::string_view("tag")) slot_ = &e.tag;
            else if (k == std::string_view("when")) slot_ = &e.when;
            else if (k == std::string_view("idx")) slot_ = &e.idx;
            else if (k == std::string_view("version")) slot_ = &e.version;
            else if (k == std::string_view("breakpoints")) slot_ = &e.breakpoints;
        }
        return true;
    }
    template <class Exception>
    bool parse_error(std::size_t, const std::string&, const Exception& ex) {
        throw ex;
    }

private:
    enum class Frame { root, entries, entry, other };

    // A scalar value (of nlohmann's type name `type_name`) where the frame and the key put it:
    // the slot it fills (its kind set, other values cleared), or nullptr when no check reads it.
    Seen* scalar(Seen::Kind kind, const char* type_name) {
        Seen* slot = nullptr;
        if (frames_.empty()) {
            out_.root = type_name;
        } else if (frames_.back() == Frame::entries) {
            entry_ = SeenEntry{};
            entry_.type = type_name;
            entries_.add(entry_);
        } else if (entries_key_ && frames_.back() == Frame::root) {
            out_.has_entries = true;
            out_.entries_type = type_name;
            entries_.start();
        } else if (slot_ != nullptr && (frames_.back() == Frame::root || frames_.back() == Frame::entry)) {
            slot = slot_;
            *slot = Seen{};
            slot->kind = kind;
        }
        slot_ = nullptr;
        entries_key_ = false;
        return slot;
    }

    // An object or array starts: what it is depends on where.
    bool open(const char* type) {
        Frame frame = Frame::other;
        const bool object = type[0] == 'o';
        if (frames_.empty()) {
            out_.root = object ? "object" : "array";
            if (object) frame = Frame::root;
        } else if (frames_.back() == Frame::entries) {
            entry_ = SeenEntry{};
            entry_.type = object ? "object" : "array";
            if (object) frame = Frame::entry;
            else entries_.add(entry_);  // not an entry: reported as such, in its turn
        } else if (entries_key_ && frames_.back() == Frame::root) {
            out_.has_entries = true;
            out_.entries_type = object ? "object" : "array";
            entries_.start();
            if (!object) frame = Frame::entries;
        } else if (slot_ != nullptr && (frames_.back() == Frame::root || frames_.back() == Frame::entry)) {
            *slot_ = Seen{};
            slot_->kind = object ? Seen::Kind::object : Seen::Kind::array;
        }
        slot_ = nullptr;
        entries_key_ = false;
        frames_.push_back(frame);
        return true;
    }

    bool close() {
        if (frames_.back() == Frame::entry) entries_.add(entry_);
        frames_.pop_back();
        slot_ = nullptr;
        entries_key_ = false;
        return true;
    }

    SeenJournal& out_;
    EntryChecker& entries_;
    SeenEntry entry_;  // the entry being read
    std::vector<Frame> frames_;
    Seen* slot_ = nullptr;      // where the value after the current key goes
    bool entries_key_ = false;  // the current key is the root's "entries"
};

}  // namespace

std::string quote_tag(std::string_view tag) {
    constexpr std::size_t kShown = 80;
    std::size_t cut = std::min(kShown, tag.size());
    while (cut > 0 && cut < tag.size() && (static_cast<unsigned char>(tag[cut]) & 0xC0) == 0x80)
        --cut;  // never cut a UTF-8 sequence in half
    std::string shown(tag.substr(0, cut));
    for (char& c : shown)
        if (c == '\0') c = '?';
    if (cut < tag.size()) shown += "...(" + std::to_string(tag.size()) + " bytes)";
    return "\"" + shown + "\"";
}

std::optional<std::string> tag_problem(std::string_view tag) {
    if (tag.empty()) return std::string("tag is empty");
    if (tag.size() > kMaxTagBytes)
        return "tag is " + std::to_string(tag.size()) + " bytes long; a migration file name allows at most " +
               std::to_string(kMaxTagBytes) + " bytes before \".sql\"";
    if (tag.find('\0') != std::string_view::npos) return std::string("tag contains a NUL byte");
    if (tag.find('/') != std::string_view::npos || tag.find('\\') != std::string_view::npos)
        return std::string("tag contains a path separator; a tag is a file name without \".sql\"");
    if (tag.find("..") != std::string_view::npos)
        return std::string("tag contains \"..\"; a tag is a file name without \".sql\"");
    return std::nullopt;
}

void check_tag(std::string_view tag, const std::string& where) {
    if (auto problem = tag_problem(tag)) throw invalid_input(where + ": " + *problem);
}

const JournalEntry* Journal::find(std::string_view tag) const {
    auto it = position_of_tag_.find(tag);
    return it == position_of_tag_.end() ? nullptr : &entries[it->second];
}

bool Journal::append(JournalEntry entry) {
    if (!position_of_tag_.emplace(entry.tag, entries.size()).second) return false;
    entry.position = entries.size();
    entries.push_back(std::move(entry));
    return true;
}

void EntryChecker::check(SeenEntry& item, std::size_t position) {
    if (std::string_view(item.type) != "object")
        throw invalid_input(entry_name(position, nullptr) + " must be an object, not " + std::string(item.type));
    JournalEntry entry;
    entry.position = position;

    if (!item.tag.is(Seen::Kind::string)) throw invalid_input(entry_name(position, nullptr) + " has no string \"tag\"");
    entry.tag = std::move(item.tag.string);
    // How messages name the entry: made only on the way to one.
    auto name = [&] { return entry_name(position, &entry.tag); };
    if (auto problem = tag_problem(entry.tag)) throw invalid_input(name() + ": " + *problem);

    if (!item.when.present()) throw invalid_input(name() + " has no \"when\"");
    if (item.when.is(Seen::Kind::unsigned_integer)) {
        if (item.when.unsigned_integer > static_cast<std::uint64_t>(INT64_MAX))
            throw invalid_input(name() + ": \"when\" is out of range for a bigint");
        entry.when = static_cast<std::int64_t>(item.when.unsigned_integer);
    } else if (item.when.is(Seen::Kind::integer)) {
        entry.when = item.when.integer;
        if (entry.when < 0)
            throw invalid_input(name() + ": \"when\" must not be negative, got " + item.when.describe());
    } else {
        throw invalid_input(name() + ": \"when\" must be a non-negative integer (milliseconds), got " +
                            item.when.describe());
    }

    if (auto [seen, added] = tag_at_.try_emplace(entry.tag, position); !added)
        throw invalid_input(name() + ": duplicate tag, also at journal entries[" + std::to_string(seen->second) + "]");
    if (auto [seen, added] = when_at_.try_emplace(entry.when, position); !added)
        throw invalid_input(name() + ": duplicate \"when\" " + std::to_string(entry.when) +
                            ", also at journal entries[" + std::to_string(seen->second) +
                            "]; the tracking table identifies a migration by its \"when\"");

    // idx is informative (entries apply in array order) but shown as an integer column.
    if (item.idx.is_integer()) {
        bool in_range = item.idx.is(Seen::Kind::unsigned_integer)
                            ? item.idx.unsigned_integer <= static_cast<std::uint64_t>(kMaxIdx)
                            : item.idx.integer >= -kMaxIdx - 1;
        if (!in_range)
            throw invalid_input(name() + ": idx " + item.idx.describe() + " is out of range for an integer (" +
                                std::to_string(-kMaxIdx - 1) + " to " + std::to_string(kMaxIdx) + ")");
        entry.idx = item.idx.is(Seen::Kind::unsigned_integer) ? static_cast<std::int64_t>(item.idx.unsigned_integer)
                                                              : item.idx.integer;
    }
    if (!entry.idx)
        warnings_.push_back(name() + " has no integer \"idx\"");
    else if (*entry.idx != static_cast<std::int64_t>(position))
        warnings_.push_back(name() + ": idx is " + std::to_string(*entry.idx) + " but the entry is number " +
                            std::to_string(position) + " in the array (entries apply in array order)");

    if (auto version = optional_string(item.version)) entry.version = *version;
    if (item.breakpoints.is(Seen::Kind::boolean)) entry.breakpoints = item.breakpoints.boolean;

    if (!entries_.empty() && entry.when <= entries_.back().when)
        warnings_.push_back(name() + ": when " + std::to_string(entry.when) +
                            " is not newer than the previous entry's " + std::to_string(entries_.back().when));
    entries_.push_back(std::move(entry));
}

Journal parse_journal(std::string_view text) {
    SeenJournal root;
    // Room for the entries before reading (an entry drizzle-kit writes takes 90 bytes or more):
    // growing the vector a doubling at a time touched its pages twice. Capped, so that a huge text
    // reserves no more than 64Ki.
    EntryChecker entries(std::min<std::size_t>(text.size() / 64 + 1, std::size_t{1} << 16));
    try {
        JournalReader reader(root, entries);
        sax_parse_json_input(text, &reader);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
        throw invalid_input("journal is not valid JSON: " + messages::json_error(e.what()),
                            {}, "Pass the exact text of meta/_journal.json.");
    }
    if (std::string(root.root) != "object")
        throw invalid_input("journal must be a JSON object with an \"entries\" array, not " + std::string(root.root));

    Journal journal;
    if (auto version = optional_string(root.version)) {
        journal.version = *version;
        if (journal.version != "5" && journal.version != "6" && journal.version != "7")
            journal.warnings.push_back("journal version \"" + journal.version +
                                       "\" is not one drizzle-kit writes for PostgreSQL (5, 6 or 7)");
    }
    if (auto dialect = optional_string(root.dialect)) {
        journal.dialect = *dialect;
        if (journal.dialect != "postgresql" && journal.dialect != "pg")
            throw invalid_input("journal dialect is \"" + journal.dialect +
                                "\"; only \"postgresql\" (or the legacy \"pg\") journals can be applied to PostgreSQL");
    }

    if (!root.has_entries)
        throw invalid_input("journal has no \"entries\" array");
    if (std::string(root.entries_type) != "array")
        throw invalid_input("journal \"entries\" must be an array, not " + std::string(root.entries_type));

    entries.finish(journal);
    journal.position_of_tag_ = std::move(entries.tag_at());
    return journal;
}

}  // namespace trovella::core
