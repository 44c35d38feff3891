#include "client/targets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>

#include "client/failure.hpp"

namespace trovella::client {

namespace {

const char* kTargetsHint =
    "A targets file has one target per line: a postgresql:// URL, a key=value connection string "
    "(host=H dbname=D ...), or the name of a service in the libpq service file; # starts a comment line.";

bool is_url(const std::string& s) { return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0; }

bool is_service_name(const std::string& s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!(std::isalnum(c) || c == '_' || c == '.' || c == '-')) return false;
    return true;
}

std::string trimmed(const std::string& line) {
    const char* space = " \t\r\f\v";
    auto begin = line.find_first_not_of(space);
    if (begin == std::string::npos) return {};
    return line.substr(begin, line.find_last_not_of(space) - begin + 1);
}

Failure targets_error(const std::string& message) { return Failure(ExitCode::usage, message, kTargetsHint); }

}  // namespace

void add_fleet_options(CLI::App* app, std::vector<std::string>& targets_files, std::string& parallel, bool& fail_fast,
                       const std::string& group) {
    app->add_option("--targets", targets_files,
                    "run the command on every database FILE lists: one postgresql:// URL, key=value connection "
                    "string or service name per line, # comments. May be repeated, and combined with "
                    "--database-url")
        ->type_name("FILE")
        ->group(group);
    app->add_option("--parallel", parallel,
                    "with more than one target: how many run at once, each with its own connection "
                    "(default 4, at most 256)")
        ->type_name("N")
        ->group(group);
    app->add_flag("--fail-fast", fail_fast,
                  "with more than one target: start no new target once one has failed (those running finish)")
        ->group(group);
}

int parse_parallel(const std::string& text) {
    int value = 0;
    bool digits = !text.empty() && text.size() <= 4;
    for (char c : text) digits = digits && c >= '0' && c <= '9';
    if (digits) value = std::stoi(text);
    if (!digits || value < 1 || value > kMaxParallel)
        throw Failure(ExitCode::usage,
                      "--parallel must be a whole number from 1 to " + std::to_string(kMaxParallel) +
                          " (how many targets run at once), not \"" + text + "\"",
                      "Run 'trovella-migrate --help' for the commands, options and exit codes.");
    return value;
}

std::vector<ConnectionSource> parse_targets(const std::string& text, const std::string& file) {
    std::vector<ConnectionSource> out;
    std::size_t number = 0, start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string raw = text.substr(start, end - start);
        start = end + 1;
        ++number;
        const std::string where = file + ":" + std::to_string(number);
        if (raw.find('\0') != std::string::npos)
            throw targets_error("--targets " + where + " holds a NUL byte: a targets file is text");
        const std::string line = trimmed(raw);
        if (line.empty() || line[0] == '#') continue;
        ConnectionSource source;
        source.kind = SourceKind::targets_file;
        source.targets_file = file;
        source.position = number;
        if (is_url(line) || line.find('=') != std::string::npos) {
            source.conninfo = line;
        } else if (is_service_name(line)) {
            source.conninfo = "service=" + line;
        } else {
            throw targets_error("--targets " + where +
                                " is neither a connection string (postgresql://... or key=value pairs) nor a "
                                "service name (one word of letters, digits, '_', '.', '-'); it is not shown, "
                                "since it may hold a password");
        }
        out.push_back(std::move(source));
    }
    return out;
}

std::vector<ConnectionSource> read_targets_file(const std::string& file) {
    auto cannot_read = [&](int error) {
        return targets_error("cannot read --targets " + file + ": " + std::strerror(error));
    };
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw cannot_read(errno);
    struct stat info {};
    if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
        int error = S_ISDIR(info.st_mode) ? EISDIR : errno;
        ::close(fd);
        throw cannot_read(error);
    }
    std::string text;
    char buffer[65536];
    while (true) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int error = errno;
            ::close(fd);
            throw cannot_read(error);
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    auto sources = parse_targets(text, file);
    if (sources.empty())
        throw targets_error("--targets " + file + " lists no target (only blank lines and # comments)");
    return sources;
}

std::vector<ConnectionSource> target_sources(const Invocation& inv, const Environment& env, const LoadedEnv& loaded) {
    if (inv.targets_files.empty() && inv.database_urls.size() <= 1)
        return {resolve_source(inv.database_url, env, loaded)};  // one target, as it always was
    std::vector<ConnectionSource> out;
    for (std::size_t i = 0; i < inv.database_urls.size(); ++i) {
        ConnectionSource source;
        source.kind = SourceKind::flag;
        source.conninfo = inv.database_urls[i];
        source.position = inv.database_urls.size() > 1 ? i + 1 : 0;
        if (source.conninfo.empty())
            throw targets_error(source.label() + " is empty: with more than one target, each names its database");
        out.push_back(std::move(source));
    }
    for (const auto& file : inv.targets_files) {
        auto sources = read_targets_file(file);
        out.insert(out.end(), sources.begin(), sources.end());
    }
    return out;
}

void refuse_duplicates(const std::vector<ConnectionSource>& sources, const std::vector<Target>& targets) {
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < targets.size() && i < sources.size(); ++i) {
        auto [it, fresh] = seen.emplace(targets[i].text(), i);
        if (fresh) continue;
        throw targets_error(sources[it->second].label() + " and " + sources[i].label() + " name the same database (" +
                            targets[i].text() + "): each target is migrated once, so list it once");
    }
}

}  // namespace trovella::client
