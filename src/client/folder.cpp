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
#include "core/folders.hpp"

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

// The sub-folders of `dir` holding a migration.sql (Drizzle 1.x migrations, as drizzle-orm 1.x
// finds them), by name; and those named like one (14 digits first) without it.
struct SubFolders {
    std::map<std::string, std::string> migrations;  // name -> path of its migration.sql
    std::vector<std::string> without_migration;
};

SubFolders sub_folders(const std::string& dir) {
    std::unique_ptr<DIR, int (*)(DIR*)> listing(::opendir(dir.c_str()), &::closedir);
    if (!listing) throw unreadable(dir);
    SubFolders found;
    while (const dirent* entry = ::readdir(listing.get())) {
        std::string name = entry->d_name;
        if (name == "." || name == ".." || !is_directory(dir + "/" + name)) continue;
        const std::string file = dir + "/" + name + "/" + std::string(core::kFolderMigrationFile);
        if (is_regular(file)) found.migrations.emplace(name, file);
        else if (core::starts_with_timestamp(name)) found.without_migration.push_back(name);
    }
    std::sort(found.without_migration.begin(), found.without_migration.end());
    return found;
}

Failure core_failure(const core::Error& e, const std::string& summary) {
    Failure failure(ServerMessage{"ERROR", core::sqlstate_of(e.kind()), e.what(), e.detail(), e.hint(), {}});
    failure.explain(summary);
    return failure;
}

// A Drizzle 1.x folder: the list of migrations from the folder names (checked by the core, as the
// extension checks the keys it is sent), then each migration.sql in that order.
void read_v1(MigrationFolder& folder, const SubFolders& found, const std::map<std::string, std::string>& loose_sql) {
    folder.layout = core::Layout::folders;
    core::MigrationTexts names;
    for (const auto& [name, path] : found.migrations) names.emplace(name, std::string());
    try {
        folder.journal = core::journal_of_folders(names);
    } catch (const core::Error& e) {
        throw core_failure(e, "invalid migrations folder " + folder.dir + ": nothing was sent");
    }
    folder.journal.warnings.clear();  // the engine reports them, as it reports a journal's
    for (const auto& name : found.without_migration)
        folder.warnings.push_back("folder " + folder.dir + "/" + name + " has no " +
                                  std::string(core::kFolderMigrationFile) +
                                  ": it is not a migration and never runs (drizzle-orm 1.x skips it too)");
    for (const auto& [tag, path] : loose_sql)
        folder.warnings.push_back(path + " is not in a <YYYYMMDDHHMMSS>_<name>/ folder: it is not a migration and "
                                         "never runs (drizzle-orm 1.x skips it too)");
    std::size_t bytes = 0, tag_bytes = 0;
    for (const auto& [name, path] : found.migrations) {
        bytes += size_of(path);
        tag_bytes += name.size();
    }
    folder.texts.reserve(found.migrations.size(), bytes);
    folder.tags.reserve(found.migrations.size(), tag_bytes);
    for (const auto& entry : folder.journal.entries) {
        check_text_of(folder.dir + "/" + entry.tag + " (its name)", entry.tag);
        folder.tags.append(entry.tag);
        read_into(folder.texts, found.migrations.at(entry.tag));
    }
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

std::string MigrationFolder::tag_source() const {
    return layout == core::Layout::journal ? "no entry of " + journal_path : "no migration folder of " + dir;
}

std::string resolve_dir(const std::optional<std::string>& dir) {
    if (dir) return *dir;
    for (const char* candidate : {".", "./drizzle", "./src/migrations"}) {
        if (is_regular(std::string(candidate) + "/meta/_journal.json")) return candidate;
        if (is_directory(candidate) && !sub_folders(candidate).migrations.empty()) return candidate;
    }
    return "./drizzle";
}

MigrationFolder read_folder(const std::string& dir) {
    if (!is_directory(dir)) throw Failure(ExitCode::usage, "migrations folder not found: " + dir, kDirHint);
    MigrationFolder folder;
    folder.dir = dir;
    folder.journal_path = dir + "/meta/_journal.json";
    const bool has_journal = is_regular(folder.journal_path);
    const SubFolders found = sub_folders(dir);
    if (has_journal && !found.migrations.empty()) {
        std::vector<std::string> names;
        for (const auto& [name, path] : found.migrations) names.push_back(name);
        const core::Error e = core::mixed_layout_error(dir, names);
        Failure failure(ExitCode::usage, e.what(), e.hint());
        failure.add_error_detail(e.detail());
        throw failure;
    }
    if (!has_journal) {
        if (found.migrations.empty())
            throw Failure(ExitCode::usage,
                          "no meta/_journal.json in " + dir +
                              " and no Drizzle 1.x migration folder (<YYYYMMDDHHMMSS>_<name>/migration.sql): not a "
                              "Drizzle migrations folder",
                          "Pass drizzle-kit's \"out\" folder with --dir: the one holding meta/_journal.json "
                          "(drizzle-kit 0.x) or the <YYYYMMDDHHMMSS>_<name> folders (Drizzle 1.x).");
        folder.journal_path.clear();
        read_v1(folder, found, sql_files(dir));
        return folder;
    }
    {
        TextArray journal;
        read_into(journal, folder.journal_path);
        folder.journal_text = std::string(journal.at(0));
    }
    try {
        folder.journal = core::parse_journal(folder.journal_text);
    } catch (const core::Error& e) {
        throw core_failure(e, "invalid journal " + folder.journal_path + ": nothing was sent");
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
