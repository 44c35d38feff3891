#include "client/env_file.hpp"

#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <iterator>

#include "client/failure.hpp"

namespace trovella::client {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string trim(std::string_view s) {
    std::size_t begin = 0, end = s.size();
    while (begin < end && is_space(s[begin])) ++begin;
    while (end > begin && is_space(s[end - 1])) --end;
    return std::string(s.substr(begin, end - begin));
}

bool is_name(const std::string& key) {
    if (key.empty()) return false;
    auto first = static_cast<unsigned char>(key[0]);
    if (!(std::isalpha(first) || key[0] == '_')) return false;
    for (char c : key)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string line(text.substr(start, end - start));
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
        start = end + 1;
    }
    return lines;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_env_text(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto lines = split_lines(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string line = trim(lines[i]);
        if (line.empty() || line[0] == '#') continue;
        if (line.rfind("export", 0) == 0 && line.size() > 6 && is_space(line[6])) line = trim(line.substr(6));
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string key = trim(std::string_view(line).substr(0, eq));
        std::string value = trim(std::string_view(line).substr(eq + 1));
        if (!is_name(key)) continue;
        char quote = value.empty() ? '\0' : value[0];
        if (quote == '"' || quote == '\'' || quote == '`') {
            std::string rest = value.substr(1);
            std::size_t j = i;
            while (rest.find(quote) == std::string::npos && j + 1 < lines.size()) rest += "\n" + lines[++j];
            if (auto close = rest.find(quote); close != std::string::npos) {
                value = rest.substr(0, close);
                i = j;
            }
            if (quote == '"') replace_all(value, "\\n", "\n");
        } else {
            value = trim(std::string_view(value).substr(0, value.find('#')));
        }
        out.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

LoadedEnv load_env_files(const std::vector<std::string>& paths, Environment& env) {
    LoadedEnv loaded;
    for (const auto& path : paths) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // missing: fine
        std::ifstream file(path, std::ios::binary);
        std::string text;
        if (file) text.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
        if (!file.is_open() || file.bad())
            throw Failure(ExitCode::usage, "cannot read the env file " + path,
                          "Check its permissions, or drop --env-file-if-exists=" + path + ".");
        for (auto& [key, value] : parse_env_text(text)) {
            if (env.get(key) && loaded.origin.count(key) == 0) continue;  // never override the environment
            env.set(key, value);
            loaded.origin[key] = path;
        }
    }
    return loaded;
}

}  // namespace trovella::client
