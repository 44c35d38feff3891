#include "client/folder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "client/failure.hpp"
#include "client/text_check.hpp"
#include "core/error.hpp"

namespace trovella::client {

namespace {

const char* kDirHint =
    "Pass the folder holding meta/_journal.json with --dir (default: the current directory if it has "
    "meta/_journal.json, else ./drizzle, else ./src/migrations).";

bool is_regular(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Failure unreadable(const std::string& path) {
    return Failure(ExitCode::usage, "cannot read " + path + ": " + std::strerror(errno));
}

class FileDescriptor {
public:
    explicit FileDescriptor(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

std::size_t size_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw unreadable(path);
    return static_cast<std::size_t>(st.st_size);
}

void check_text_of(const std::string& path, std::string_view text) {
    if (auto problem = check_text(text))
        throw Failure(ExitCode::usage, path + " " + problem->what + " (line " + std::to_string(problem->line) +
                                           ", byte " + std::to_string(problem->offset) +
                                           "): migration files and the journal must be UTF-8 text");
}

void read_into(TextArray& texts, const std::string& path) {
    FileDescriptor fd(path);
    if (fd.get() < 0 || !texts.append_file(fd.get(), size_of(path))) throw unreadable(path);
    check_text_of(path, texts.at(texts.size() - 1));
}

// name -> path of every *.sql file directly in `dir` (not hidden ones, as a shell glob).
std::map<std::string, std::string> sql_files(const std::string& dir) {
    std::unique_ptr<DIR, int (*)(DIR*)> listing(::opendir(dir.c_str()), &::closedir);
    if (!listing) throw unreadable(dir);
    std::map<std::string, std::string> files;
    while (const dirent* entry = ::readdir(listing.get())) {
        std::string name = entry->d_name;
        if (name.size() <= 4 || name[0] == '.' || name.compare(name.size() - 4, 4, ".sql") != 0) continue;
        std::string path = dir + "/" + name;
        if (is_regular(path)) files.emplace(name.substr(0, name.size() - 4), path);
    }
    return files;
}

}  // namespace

std::string resolve_dir(const std::optional<std::string>& dir) {
    if (dir) return *dir;
    for (const char* candidate : {".", "./drizzle", "./src/migrations"})
        if (is_regular(std::string(candidate) + "/meta/_journal.json")) return candidate;
    return "./drizzle";
}

MigrationFolder read_folder(const std::string& dir) {
    if (!is_directory(dir)) throw Failure(ExitCode::usage, "migrations folder not found: " + dir, kDirHint);
    MigrationFolder folder;
    folder.dir = dir;
    folder.journal_path = dir + "/meta/_journal.json";
    if (!is_regular(folder.journal_path))
        throw Failure(
            ExitCode::usage, "no meta/_journal.json in " + dir + ": not a Drizzle migrations folder",
            "Pass the folder holding meta/_journal.json with --dir (drizzle-kit writes it in its \"out\" folder).");
    {
        TextArray journal;
        read_into(journal, folder.journal_path);
        folder.journal_text = std::string(journal.at(0));
    }
    try {
        folder.journal = core::parse_journal(folder.journal_text);
    } catch (const core::Error& e) {
        ServerMessage error{"ERROR", core::sqlstate_of(e.kind()), e.what(), e.detail(), e.hint(), {}};
        throw Failure(std::move(error)).explain("invalid journal " + folder.journal_path + ": nothing was sent");
    }

    auto files = sql_files(dir);
    std::vector<std::string> missing;
    for (const auto& entry : folder.journal.entries)
        if (files.count(entry.tag) == 0) missing.push_back(core::quote_tag(entry.tag));
    if (!missing.empty()) {
        std::string list;
        for (const auto& tag : missing) list += (list.empty() ? "" : ", ") + tag;
        throw Failure(ExitCode::usage,
                      "no .sql file in " + dir + " for journal " + (missing.size() == 1 ? "entry " : "entries ") + list,
                      "Every entry of meta/_journal.json needs its <tag>.sql beside it.");
    }
    std::size_t bytes = 0, tag_bytes = 0;
    for (const auto& [tag, path] : files) {
        bytes += size_of(path);
        tag_bytes += tag.size();
    }
    folder.texts.reserve(files.size(), bytes);
    folder.tags.reserve(files.size(), tag_bytes);
    for (const auto& [tag, path] : files) {
        if (folder.journal.find(tag) != nullptr) continue;
        check_text_of(path + " (its name)", tag);
        folder.tags.append(tag);
        read_into(folder.texts, path);
        ++folder.orphan_count;
    }
    for (const auto& entry : folder.journal.entries) {
        folder.tags.append(entry.tag);
        read_into(folder.texts, files.at(entry.tag));
    }
    return folder;
}

}  // namespace trovella::client
