#include "pg/folder.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "pg/guard.hpp"

extern "C" {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wregister"
#include "catalog/pg_authid_d.h"
#include "mb/pg_wchar.h"
#pragma GCC diagnostic pop
}

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

void check_encoding(const std::string& text, const fs::path& file) {
    bool ok = pg_call([&] { return pg_verifymbstr(text.data(), static_cast<int>(text.size()), true); });
    if (!ok || text.find('\0') != std::string::npos)
        throw core::invalid_input("\"" + file.string() + "\" is not valid text in the database encoding (" +
                                  GetDatabaseEncodingName() + ")");
}

}  // namespace

FolderContents read_folder(const std::string& path) {
    // The same rule as pg_read_file(): superusers and members of pg_read_server_files.
    bool allowed = pg_call([] { return superuser() || has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES); });
    if (!allowed)
        throw core::Error(core::ErrorKind::refused, "permission denied to read migrations folder \"" + path + "\"",
                          "apply_folder() reads files on the database server.",
                          "Only superusers and members of pg_read_server_files may call it; other roles use apply() with "
                          "the texts, as the trovella-migrate client does.");
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
    contents.journal = read_file(journal);
    check_encoding(contents.journal, journal);
    for (const auto& item : fs::directory_iterator(path, ec)) {
        if (!item.is_regular_file() || item.path().extension() != ".sql") continue;
        std::string text = read_file(item.path());
        check_encoding(text, item.path());
        contents.texts.emplace(item.path().stem().string(), std::move(text));
    }
    if (ec) throw core::invalid_input("could not list migrations folder \"" + path + "\": " + ec.message());
    return contents;
}

}  // namespace trovella::pg
