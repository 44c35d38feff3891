#include "pg/encoding.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"


namespace trovella::pg {

void require_utf8_database() {
    const int encoding = GetDatabaseEncoding();
    if (encoding == PG_UTF8 || encoding == PG_SQL_ASCII) return;
    throw core::Error(core::ErrorKind::unsupported,
                      std::string("trovella_migrate works in UTF8 databases; this database's encoding is ") +
                          GetDatabaseEncodingName(),
                      "Drizzle's journal and migration files are UTF-8 and Drizzle hashes their UTF-8 bytes: held in "
                      "another encoding, the texts would hash differently from what drizzle-kit recorded.",
                      "Create the database with ENCODING 'UTF8' (the default of initdb on a UTF-8 system).");
}

void require_utf8_file(const std::string& bytes, const std::string& file) {
    const bool valid = pg_call([&] {
        return pg_verify_mbstr(PG_UTF8, bytes.data(), static_cast<int>(bytes.size()), true);
    });
    if (!valid)
        throw core::invalid_input("\"" + file + "\" is not valid UTF-8 text", {},
                                  "drizzle-kit writes migration files in UTF-8; so must an edited file be.");
}

}  // namespace trovella::pg
