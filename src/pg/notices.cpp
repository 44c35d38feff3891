#include "pg/notices.hpp"

#include "pg/guard.hpp"

namespace trovella::pg {

void notice(const std::string& message) {
    pg_call([&] { ereport(NOTICE, (errmsg("%s", message.c_str()))); });
}

void warn(const std::string& message) {
    pg_call([&] { ereport(WARNING, (errmsg("%s", message.c_str()))); });
}

}  // namespace trovella::pg
