#include "client/libpq_session.hpp"

#include "client/failure.hpp"
#include "core/error.hpp"

namespace trovella::client {

namespace {

constexpr Oid kText = 25, kInt4 = 23, kInt8 = 20, kFloat8 = 701;

// SqlParams as libpq text parameters; the strings live in `storage` until the query is sent.
std::vector<Param> params_of(const std::vector<core::SqlParam>& params, std::vector<std::string>& storage) {
    storage.clear();
    storage.reserve(params.size());
    std::vector<Param> out;
    for (const auto& p : params) {
        Oid type = kText;
        switch (p.type) {
            case core::SqlParam::Type::text: type = kText; break;
            case core::SqlParam::Type::int4: type = kInt4; break;
            case core::SqlParam::Type::int8: type = kInt8; break;
            case core::SqlParam::Type::float8: type = kFloat8; break;
        }
        if (p.text) storage.push_back(*p.text);
        else if (p.number) storage.push_back(std::to_string(*p.number));
        else if (p.real) storage.push_back(std::to_string(*p.real));
        else {
            out.push_back(Param{nullptr, 0, false, type});
            continue;
        }
        out.push_back(Param{storage.back().c_str(), 0, false, type});
    }
    return out;
}

}  // namespace

std::vector<core::SqlRow> LibpqSession::query(const std::string& sql, const std::vector<core::SqlParam>& params) {
    std::vector<std::string> storage;
    const bool behind_queued = pipeline_next_ && !pipeline_.empty();
    pipeline_next_ = false;
    if (behind_queued) {
        pipeline_.send(sql, params_of(params, storage), {});
        std::vector<core::SqlRow> rows;
        pipeline_.flush(&rows);
        return rows;
    }
    pipeline_.flush();
    Result r = connection_.exec(sql, params_of(params, storage));
    std::vector<core::SqlRow> rows(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
        for (int c = 0; c < r.columns(); ++c) rows[static_cast<std::size_t>(i)].push_back(r.at(i, c));
    return rows;
}

void LibpqSession::execute_later(const std::string& sql, const std::vector<core::SqlParam>& params) {
    std::vector<std::string> storage;
    pipeline_.send(sql, params_of(params, storage), {});
}

void LibpqSession::execute_prepared_later(const std::string& name, const std::vector<core::SqlParam>& params) {
    std::vector<std::string> storage;
    pipeline_.send_prepared(name, params_of(params, storage), {});
}

void LibpqSession::execute_statement(const std::string& sql, const std::string& context) {
    pipeline_.send(sql, {}, context);
}

// The client cannot switch user: a tracking table another role owns is used as this role, so it
// must have no code of its own (triggers, rules, row security, column defaults other than its id
// sequence and Drizzle 1.x's applied_at DEFAULT now()) that would run with this role's privileges.
// The extension runs such code as the owner.
void LibpqSession::as_table_owner(const std::string& owner_oid, const std::string& table_oid,
                                  const std::function<void()>& body) {
    auto checked = table_checked_.find(table_oid);
    if (checked == table_checked_.end()) {
        auto rows = query(
            "SELECT c.relowner OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r "
            "  WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER), c.relhastriggers, c.relhasrules, "
            "c.relrowsecurity, EXISTS (SELECT 1 FROM pg_catalog.pg_attrdef d "
            "  WHERE d.adrelid OPERATOR(pg_catalog.=) c.oid AND pg_catalog.pg_get_expr(d.adbin, d.adrelid) "
            "  NOT LIKE 'nextval(%' "
            // Drizzle 1.x's applied_at DEFAULT now(): a call of pg_catalog.now() itself (oid 1299),
            // whatever a search_path or a function of the owner's called now might be.
            "  AND d.adbin::pg_catalog.text NOT LIKE '{FUNCEXPR :funcid 1299 %'), "
            "pg_catalog.pg_get_userbyid(c.relowner)::pg_catalog.text, "
            "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) "
            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
            "WHERE c.oid OPERATOR(pg_catalog.=) $1::pg_catalog.int8::pg_catalog.oid",
            {core::SqlParam::of(core::to_int64(table_oid))});
        if (rows.empty()) throw std::runtime_error("the tracking table disappeared (oid " + table_oid + ")");
        const auto& r = rows.front();
        auto yes = [&](std::size_t i) { return r[i] && *r[i] == "t"; };
        std::vector<std::string> code;
        if (yes(1)) code.push_back("triggers");
        if (yes(2)) code.push_back("rules");
        if (yes(3)) code.push_back("row security");
        if (yes(4)) code.push_back("column defaults");
        if (!yes(0) && !code.empty()) {
            std::string list;
            for (const auto& c : code) list += (list.empty() ? "" : ", ") + c;
            throw core::Error(core::ErrorKind::permission_denied,
                              "tracking table " + r[6].value_or("") + " belongs to role " + r[5].value_or("") +
                                  " and has " + list +
                                  " of its own: the client engine would run that code with your privileges",
                              {},
                              "Run trovella-migrate as " + r[5].value_or("") +
                                  ", remove that code, or use the extension engine (--engine extension), which runs "
                                  "it as the table's owner.");
        }
        checked = table_checked_.emplace(table_oid, true).first;
    }
    (void)owner_oid;
    body();
}

void LibpqSession::annotate(const std::exception_ptr& failure, const core::FailureNote& note) {
    try {
        std::rethrow_exception(failure);
    } catch (Failure& f) {
        f.add_error_detail(note.detail);
        f.add_error_hint(note.hint);
        if (!note.hint_if_lock_table_full.empty() && f.error().sqlstate == "53200")
            f.add_error_hint(note.hint_if_lock_table_full);
        if (!note.hint_if_new_enum_value_used.empty() && f.error().sqlstate == "55P04")
            f.add_error_hint(note.hint_if_new_enum_value_used);
    } catch (...) {
    }
}

}  // namespace trovella::client
