#include "pg/folder.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
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
    fs::path journal = fs::path(path) / "meta" / "_journal.json";
    if (!fs::is_regular_file(journal, ec))
        throw core::invalid_input("no meta/_journal.json in migrations folder \"" + path + "\"", {},
                                  "Point at drizzle-kit's `out` folder (the one holding meta/_journal.json).");
    FolderContents contents;
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
