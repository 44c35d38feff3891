#include "client/conninfo.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <memory>

#include "client/failure.hpp"

namespace trovella::client {

namespace {

const char* kFormatHint =
    "A URL looks like postgresql://user:password@host:port/dbname, with '@', '/', ':', '%', '?' "
    "and '#' in the user name or password percent-encoded (%40, %2F, %3A, %25, %3F, %23); "
    "key=value pairs look like host=H port=P dbname=D user=U password='quoted if it has spaces'.";

bool is_url(const std::string& s) { return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0; }

struct OptionsDeleter {
    void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using OptionsPtr = std::unique_ptr<PQconninfoOption, OptionsDeleter>;

std::string value_of(const PQconninfoOption* options, const std::string& keyword) {
    for (const auto* o = options; o != nullptr && o->keyword != nullptr; ++o)
        if (keyword == o->keyword && o->val != nullptr) return o->val;
    return {};
}

// libpq reads the service file for its defaults only for the service of the environment
// (PGSERVICE). For a service the string names (a --targets line "tenant_a" is service=tenant_a),
// the defaults are read with PGSERVICE set to it for the call: describe_target runs before any
// thread of a fleet starts, so nothing else reads the environment meanwhile.
OptionsPtr defaults_for_service(const std::string& service) {
    if (service.empty()) return OptionsPtr(PQconndefaults());
    const char* before = std::getenv("PGSERVICE");
    const std::optional<std::string> saved = before != nullptr ? std::optional<std::string>(before) : std::nullopt;
    ::setenv("PGSERVICE", service.c_str(), 1);
    OptionsPtr defaults(PQconndefaults());
    if (saved)
        ::setenv("PGSERVICE", saved->c_str(), 1);
    else
        ::unsetenv("PGSERVICE");
    return defaults;
}

}  // namespace

std::string ConnectionSource::label() const {
    switch (kind) {
        case SourceKind::flag:
            return position > 0 ? "--database-url #" + std::to_string(position) : "--database-url";
        case SourceKind::targets_file:
            return targets_file + ":" + std::to_string(position);
        case SourceKind::database_url:
            return env_file.empty() ? "DATABASE_URL" : "DATABASE_URL from " + env_file;
        case SourceKind::libpq_environment:
            break;
    }
    return "PG* variables";
}

ConnectionSource resolve_source(const std::optional<std::string>& flag, const Environment& env,
                                const LoadedEnv& loaded) {
    ConnectionSource source;
    if (flag && !flag->empty()) {
        source.kind = SourceKind::flag;
        source.conninfo = *flag;
    } else if (auto url = env.get("DATABASE_URL"); url && !url->empty()) {
        source.kind = SourceKind::database_url;
        source.conninfo = *url;
        if (auto it = loaded.origin.find("DATABASE_URL"); it != loaded.origin.end()) source.env_file = it->second;
    }
    return source;
}

std::optional<std::string> ambiguous_url(const std::string& conninfo) {
    if (!is_url(conninfo)) return std::nullopt;
    const std::size_t start = conninfo.find("://") + 3;
    // libpq takes the user name and password up to the first '@' met before any '/'.
    std::size_t userinfo_end = std::string::npos;
    for (std::size_t i = start; i < conninfo.size() && conninfo[i] != '/'; ++i)
        if (conninfo[i] == '@') {
            userinfo_end = i;
            break;
        }
    std::size_t rest = userinfo_end == std::string::npos ? start : userinfo_end + 1;
    std::size_t query = conninfo.find('?', rest);
    std::size_t at = conninfo.find('@', rest);
    if (at == std::string::npos || at > query) return std::nullopt;
    if (userinfo_end != std::string::npos)
        return std::string(
            "it has more than one '@' before the host: an '@' in the user name or password must be "
            "written %40");
    return std::string(
        "it has an '@' after a '/': a '/' in the user name or password must be written %2F (and an "
        "'@' %40)");
}

std::string Target::text() const {
    std::string out = (user.empty() ? "?" : user) + "@" + (host.empty() ? "local socket" : host);
    if (!port.empty()) out += ":" + port;
    out += "/" + (dbname.empty() ? user : dbname);
    if (!service.empty()) out += " (service " + service + ")";
    return out;
}

Target describe_target(const ConnectionSource& source) {
    const std::string what = "the connection string (from " + source.label() + ")";
    if (auto reason = ambiguous_url(source.conninfo))
        throw Failure(
            ExitCode::usage,
            what + " is not a URL libpq reads as meant: " + *reason + "; it is not shown, since it holds a password",
            kFormatHint);
    OptionsPtr parsed;
    if (!source.conninfo.empty()) {
        char* error = nullptr;
        parsed.reset(PQconninfoParse(source.conninfo.c_str(), &error));
        // libpq's message can quote any part of the string, the password included: not shown.
        PQfreemem(error);
        if (!parsed)
            throw Failure(ExitCode::usage,
                          what + " is malformed: libpq cannot parse it (it is not shown, since it may hold a password)",
                          kFormatHint);
    }
    OptionsPtr defaults = defaults_for_service(parsed ? value_of(parsed.get(), "service") : std::string());
    auto field = [&](const char* keyword) {
        std::string value = parsed ? value_of(parsed.get(), keyword) : std::string();
        return value.empty() && defaults ? value_of(defaults.get(), keyword) : value;
    };
    Target target;
    target.user = field("user");
    target.host = field("host");
    if (target.host.empty()) target.host = field("hostaddr");
    target.port = field("port");
    target.dbname = field("dbname");
    target.service = field("service");
    for (const auto* options : {parsed.get(), defaults.get()}) {
        std::string password = options != nullptr ? value_of(options, "password") : std::string();
        if (!password.empty()) target.secrets.push_back(password);
    }
    return target;
}

}  // namespace trovella::client
