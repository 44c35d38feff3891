#include "pg/folder.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/folders.hpp"
#include "pg/guard.hpp"
#include "pg/encoding.hpp"


namespace trovella::pg {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw core::invalid_input("could not open \"" + file.string() + "\"");
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) throw core::invalid_input("could not read \"" + file.string() + "\"");
    return content.str();
}

// Drizzle's files are UTF-8 text (the database is UTF8 or SQL_ASCII: see encoding.hpp).
std::string as_text(std::string bytes, const fs::path& file) {
    if (bytes.find('\0') != std::string::npos)
        throw core::invalid_input("\"" + file.string() + "\" contains a NUL byte: migration files must be text");
    require_utf8_file(bytes, file.string());
    return bytes;
}

std::string current_role() {
    const char* name = pg_call([] { return quote_identifier(GetUserNameFromId(GetUserId(), false)); });
    return name;
}

}  // namespace

FolderContents read_folder(const std::string& path) {
    require_utf8_database();
    // The same rule as pg_read_file(): superusers and members of pg_read_server_files.
    bool allowed = pg_call([] { return superuser() || has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES); });
    if (!allowed)
        throw core::Error(core::ErrorKind::permission_denied,
                          "permission denied to read migrations folder \"" + path + "\"",
                          "apply_folder() reads files on the database server: only superusers and members of "
                          "pg_read_server_files may call it; other roles use apply() with the texts, as the "
                          "trovella-migrate client does.",
                          "GRANT pg_read_server_files TO " + current_role() + ";");
    if (path.empty() || fs::path(path).is_relative())
        throw core::invalid_input("migrations folder must be an absolute path on the database server, got \"" + path + "\"");
    std::error_code ec;
    if (!fs::is_directory(path, ec))
        throw core::invalid_input("migrations folder \"" + path + "\" does not exist on the database server or is not a directory");
    const fs::path journal = fs::path(path) / "meta" / "_journal.json";
    const bool has_journal = fs::is_regular_file(journal, ec);
    // Drizzle 1.x: every sub-folder with a migration.sql (as drizzle-orm 1.x reads them).
    std::vector<std::string> v1_folders;
    for (const auto& item : fs::directory_iterator(path, ec)) {
        check_for_interrupts();
        std::error_code item_ec;
        if (item.is_directory(item_ec) && fs::is_regular_file(item.path() / core::kFolderMigrationFile, item_ec))
            v1_folders.push_back(item.path().filename().string());
    }
    if (ec) throw core::invalid_input("could not list migrations folder \"" + path + "\": " + ec.message());
    if (has_journal && !v1_folders.empty()) {
        std::sort(v1_folders.begin(), v1_folders.end());
        throw core::mixed_layout_error("migrations folder \"" + path + "\"", v1_folders);
    }
    FolderContents contents;
    if (!has_journal) {
        if (v1_folders.empty())
            throw core::invalid_input("no meta/_journal.json in migrations folder \"" + path +
                                          "\" and no Drizzle 1.x migration folder "
                                          "(<YYYYMMDDHHMMSS>_<name>/migration.sql)",
                                      {}, "Point at drizzle-kit's `out` folder.");
        for (const auto& name : v1_folders) {
            check_for_interrupts();
            const fs::path file = fs::path(path) / name / core::kFolderMigrationFile;
            contents.texts.emplace(name, as_text(read_file(file), file));
        }
        return contents;
    }
    contents.journal = as_text(read_file(journal), journal);
    for (const auto& item : fs::directory_iterator(path, ec)) {
        if (!item.is_regular_file() || item.path().extension() != ".sql") continue;
        check_for_interrupts();
        contents.texts.emplace(item.path().stem().string(), as_text(read_file(item.path()), item.path()));
    }
    if (ec) throw core::invalid_input("could not list migrations folder \"" + path + "\": " + ec.message());
    return contents;
}

}  // namespace trovella::pg
