#include "core/folders.hpp"

#include <algorithm>

#include "core/interrupts.hpp"
#include "core/messages.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {

constexpr std::size_t kTimestampDigits = 14;
constexpr std::int64_t kMillisPerDay = 86'400'000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int digits(std::string_view text, std::size_t from, std::size_t count) {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) value = value * 10 + (text[i] - '0');
    return value;
}

// Days since 1970-01-01 of a date of the proleptic Gregorian calendar (H. Hinnant's algorithm,
// which is what Date.UTC computes for valid fields).
std::int64_t days_from_civil(std::int64_t year, int month, int day) {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const std::int64_t year_of_era = year - era * 400;
    const std::int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

struct Civil {
    std::int64_t year;
    int month, day, hour, minute, second;
};

Civil civil_from_millis(std::int64_t millis) {
    std::int64_t days = millis / kMillisPerDay;
    std::int64_t rest = millis % kMillisPerDay;
    if (rest < 0) {
        rest += kMillisPerDay;
        --days;
    }
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t day_of_era = z - era * 146097;
    const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const std::int64_t mp = (5 * day_of_year + 2) / 153;
    const int day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
    const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    const std::int64_t seconds = rest / 1000;
    return Civil{year_of_era + era * 400 + (month <= 2 ? 1 : 0),
                 month,
                 day,
                 static_cast<int>(seconds / 3600),
                 static_cast<int>(seconds / 60 % 60),
                 static_cast<int>(seconds % 60)};
}

bool is_leap(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(std::int64_t year, int month) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

std::string two(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

std::string compact(const Civil& c) {
    return std::to_string(c.year) + two(c.month) + two(c.day) + two(c.hour) + two(c.minute) + two(c.second);
}

Error bad_name(std::string_view name, const std::string& why, const std::string& hint) {
    return invalid_input("migration folder " + quote_tag(name) + ": " + why, {}, hint);
}

const char* kRenameHint =
    "drizzle-kit names each migration folder YYYYMMDDHHMMSS_<name> after the UTC time it generated it "
    "(20260301120000_add_users); rename the folder so. drizzle-orm 1.x takes the migration's created_at from "
    "those 14 digits.";

}  // namespace

bool starts_with_timestamp(std::string_view name) {
    if (name.size() < kTimestampDigits) return false;
    for (std::size_t i = 0; i < kTimestampDigits; ++i)
        if (!is_digit(name[i])) return false;
    return true;
}

std::int64_t folder_millis(std::string_view name) {
    if (name.empty()) throw invalid_input("migration folder name is empty");
    if (name.size() > kMaxFolderNameBytes)
        throw bad_name(name,
                       "the name is " + std::to_string(name.size()) + " bytes long; a folder name has at most " +
                           std::to_string(kMaxFolderNameBytes),
                       {});
    if (name.find('\0') != std::string_view::npos) throw bad_name(name, "the name contains a NUL byte", {});
    if (name.find('/') != std::string_view::npos || name.find('\\') != std::string_view::npos)
        throw bad_name(name, "the name contains a path separator; it names one folder", {});
    if (!starts_with_timestamp(name))
        throw bad_name(name, "the name does not start with the 14 digits of a UTC time (YYYYMMDDHHMMSS)", kRenameHint);
    const std::int64_t year = digits(name, 0, 4);
    const int month = digits(name, 4, 2), day = digits(name, 6, 2);
    const int hour = digits(name, 8, 2), minute = digits(name, 10, 2), second = digits(name, 12, 2);
    std::string wrong;
    if (year < 1970)
        wrong = "year " + std::to_string(year) + ", before 1970";
    else if (month < 1 || month > 12)
        wrong = "month " + two(month);
    else if (day < 1 || day > days_in_month(year, month))
        wrong = "day " + two(day) + " of month " + two(month);
    else if (hour > 23)
        wrong = "hour " + two(hour);
    else if (minute > 59)
        wrong = "minute " + two(minute);
    else if (second > 59)
        wrong = "second " + two(second);
    if (!wrong.empty())
        throw bad_name(name, std::string(name.substr(0, kTimestampDigits)) + " is not a UTC time (" + wrong + ")",
                       kRenameHint);
    return ((days_from_civil(year, month, day) * 24 + hour) * 60 + minute) * 60'000 + second * 1000LL;
}

Journal journal_of_folders(const MigrationTexts& texts) {
    std::vector<std::string> names;
    names.reserve(texts.size());
    for (const auto& item : texts) names.push_back(item.first);  // a std::map: byte order
    return journal_of_folders(names);
}

Journal journal_of_folders(const std::vector<std::string>& unsorted) {
    std::vector<std::string_view> names(unsorted.begin(), unsorted.end());
    std::sort(names.begin(), names.end());  // byte order (char_traits<char> compares as unsigned char)
    Journal journal;
    journal.layout = Layout::folders;
    journal.entries.reserve(names.size());
    for (const auto& name : names) {
        check_interrupts();
        JournalEntry entry;
        entry.when = folder_millis(name);
        entry.tag = name;
        entry.idx = static_cast<std::int64_t>(journal.entries.size());
        if (!journal.append(std::move(entry)))
            throw invalid_input("migration folder " + quote_tag(name) + " is named twice");
    }
    // Folders in one second: their order is the only one trovella and drizzle-orm may disagree on.
    for (std::size_t first = 0; first < journal.entries.size();) {
        std::size_t end = first + 1;
        while (end < journal.entries.size() && journal.entries[end].when == journal.entries[first].when) ++end;
        if (end - first > 1) {
            constexpr std::size_t kShown = 10;
            std::vector<std::string> names;
            for (std::size_t i = first; i < end && i < first + kShown; ++i)
                names.push_back(quote_tag(journal.entries[i].tag));
            if (end - first > kShown) names.push_back("and " + std::to_string(end - first - kShown) + " more");
            journal.warnings.push_back(
                std::to_string(end - first) + " migration folders share the second " +
                utc_time(journal.entries[first].when) + " (" + messages::join(names, ", ") +
                "): trovella_migrate applies them in the byte order of their names, drizzle-orm 1.x in the "
                "collation order of its locale, which can differ (\"_\", digits, case, accents); keep migrations "
                "that depend on each other in different seconds, as drizzle-kit generate does");
        }
        first = end;
    }
    return journal;
}

std::string up_name(std::string_view tag, std::int64_t when) {
    const auto underscore = tag.find('_');
    const std::string_view rest =
        underscore == std::string_view::npos ? std::string_view() : tag.substr(underscore + 1);
    return compact(civil_from_millis(when)) + "_" + std::string(rest);
}

std::string utc_time(std::int64_t millis) {
    const Civil c = civil_from_millis(millis);
    return std::to_string(c.year) + "-" + two(c.month) + "-" + two(c.day) + " " + two(c.hour) + ":" + two(c.minute) +
           ":" + two(c.second) + " UTC";
}

Error mixed_layout_error(const std::string& where, const std::vector<std::string>& v1_folders) {
    constexpr std::size_t kShown = 5;
    std::vector<std::string> shown;
    for (std::size_t i = 0; i < v1_folders.size() && i < kShown; ++i) shown.push_back(quote_tag(v1_folders[i]));
    std::string list = messages::join(shown, ", ");
    if (v1_folders.size() > kShown) list += " and " + std::to_string(v1_folders.size() - kShown) + " more";
    return invalid_input(
        where + " holds both layouts: meta/_journal.json (drizzle-kit 0.x) and " +
            messages::plural(v1_folders.size(), "Drizzle 1.x migration folder", "Drizzle 1.x migration folders") +
            " (" + list + ")",
        "drizzle-orm 1.x refuses a migrations folder that still has meta/_journal.json (\"You must "
        "upgrade drizzle-kit and run drizzle-kit up\"), and drizzle-orm 0.x ignores the folders.",
        "Run drizzle-kit up (drizzle-kit 1.x) to move the journal's migrations into folders, or "
        "remove the 1.x folders to stay on drizzle-kit 0.x.");
}

}  // namespace trovella::core
