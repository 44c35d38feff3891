// The C++/PostgreSQL boundary (CONVENTIONS.md, "The C++ / PostgreSQL boundary"):
//  - pg_call() runs one call into PostgreSQL that may ereport(ERROR) and turns the error into a
//    C++ exception (PgError) after leaving the PG_TRY block, so no C++ frame is ever longjmp'd over;
//  - guarded_entry() is the one wrapper of every SQL-callable function: it catches everything and
//    raises the PostgreSQL error only once the C++ exception object is gone.
// Rule for callers: inside the lambda given to pg_call, create no object with a destructor.
#pragma once

#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "pg/postgres_headers.hpp"

namespace trovella::pg {

// A PostgreSQL error caught by pg_call; edata lives in the memory context current at the call.
class PgError : public std::exception {
public:
    explicit PgError(ErrorData* edata) : edata_(edata) {}
    ErrorData* edata() const noexcept { return edata_; }
    const char* what() const noexcept override {
        return edata_ != nullptr && edata_->message != nullptr ? edata_->message : "PostgreSQL error";
    }

private:
    ErrorData* edata_;
};

// Adds a line to a caught error's DETAIL before it is raised again (keeps SQLSTATE and the rest).
void append_detail(ErrorData* edata, const std::string& line);
void append_hint(ErrorData* edata, const std::string& line);

// Copies the error being handled and clears PostgreSQL's error state (inside PG_CATCH only).
ErrorData* take_error(MemoryContext context);

template <typename F>
auto pg_call(F&& f) -> decltype(f()) {
    using Result = decltype(f());
    MemoryContext context = CurrentMemoryContext;
    ErrorData* volatile edata = nullptr;
    if constexpr (std::is_void_v<Result>) {
        PG_TRY();
        {
            f();
        }
        PG_CATCH();
        {
            edata = take_error(context);
        }
        PG_END_TRY();
        if (edata != nullptr) throw PgError(edata);
    } else {
        static_assert(std::is_trivially_destructible_v<Result>, "pg_call returns plain values only (scalars, pointers)");
        volatile Result result{};
        PG_TRY();
        {
            result = f();
        }
        PG_CATCH();
        {
            edata = take_error(context);
        }
        PG_END_TRY();
        if (edata != nullptr) throw PgError(edata);
        return result;
    }
}

// Runs impl, converting every C++ exception into a PostgreSQL ERROR raised after the catch.
Datum guarded_entry(FunctionCallInfo fcinfo, Datum (*impl)(FunctionCallInfo));

}  // namespace trovella::pg

// Declares the SQL-callable C symbol trovella_migrate_<name>, whose body is trovella::pg::<name>_impl.
#define TROVELLA_FUNCTION(name)                                                                  \
    extern "C" {                                                                                 \
    PG_FUNCTION_INFO_V1(trovella_migrate_##name);                                                \
    Datum trovella_migrate_##name(PG_FUNCTION_ARGS) {                                            \
        return trovella::pg::guarded_entry(fcinfo, &trovella::pg::name##_impl);                  \
    }                                                                                            \
    }
