// The C++/PostgreSQL boundary (CONVENTIONS.md, "The C++ / PostgreSQL boundary"):
//  - pg_call() runs one call into PostgreSQL that may ereport(ERROR) and turns the error into a
//    C++ exception (PgError) after leaving the PG_TRY block, so no C++ frame is ever longjmp'd
//    over. It is safe by construction against the opposite mistake too: a C++ exception thrown
//    inside the guarded call is caught inside PG_TRY and rethrown only after PG_END_TRY has
//    restored PostgreSQL's error stacks.
//  - pg_cleanup() is the variant for destructors and other cleanup on an error path: it never
//    throws (a failure while cleaning up is dropped; the error being unwound is the one to report).
//  - guarded_entry() is the one wrapper of every SQL-callable function: it catches everything and
//    raises the PostgreSQL error only once the C++ exception object is gone.
// Rule for callers: inside the lambda given to pg_call, create no object with a destructor (a
// longjmp out of PostgreSQL would skip it); test/integration/boundary_rules.sh checks the source.
#pragma once

#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "pg/postgres_headers.hpp"

namespace trovella::pg {

// A PostgreSQL error caught by pg_call; edata lives in the memory context named at the call
// (by default the one current at the call).
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

// Adds a line to a caught error's DETAIL or HINT before it is raised again (keeps SQLSTATE and
// the rest).
void append_detail(ErrorData* edata, const std::string& line);
void append_hint(ErrorData* edata, const std::string& line);

// Inside PG_CATCH only: copies the error being handled into `target`, clears PostgreSQL's error
// state and makes `current` the current memory context again.
ErrorData* take_error(MemoryContext target, MemoryContext current);

namespace detail {

// The one PG_TRY of pg_call: runs `f` (which returns nothing), turning a PostgreSQL error into a
// PgError copied into `target`, and a C++ exception from `f` into itself, both thrown only once
// PG_END_TRY has restored PostgreSQL's error stacks.
template <typename F>
void run_guarded(F& f, MemoryContext target_context) {
    // Read after a longjmp into PG_CATCH: volatile, so no register holds a stale copy.
    MemoryContext volatile context = CurrentMemoryContext;
    MemoryContext volatile target = target_context != nullptr ? target_context : CurrentMemoryContext;
    ErrorData* volatile edata = nullptr;
    std::exception_ptr cpp_error;  // a C++ exception from f, rethrown once PG_TRY is left
    PG_TRY();
    {
        try {
            f();
        } catch (...) {
            cpp_error = std::current_exception();
        }
    }
    PG_CATCH();
    {
        edata = take_error(target, context);
    }
    PG_END_TRY();
    if (cpp_error) std::rethrow_exception(cpp_error);
    if (edata != nullptr) throw PgError(edata);
}

}  // namespace detail

// Runs one call into PostgreSQL; returns its result (plain values only: scalars, pointers).
// error_context: where a caught error is copied (default: the memory context current now).
template <typename F>
auto pg_call(F&& f, MemoryContext error_context = nullptr) -> decltype(f()) {
    using Result = decltype(f());
    if constexpr (std::is_void_v<Result>) {
        detail::run_guarded(f, error_context);
    } else {
        static_assert(std::is_trivially_destructible_v<Result>, "pg_call returns plain values only (scalars, pointers)");
        Result result{};
        auto store = [&] { result = f(); };
        detail::run_guarded(store, error_context);
        return result;
    }
}

// For destructors and error-path cleanup: runs f, never throws and never longjmps. An error
// raised by f is discarded.
template <typename F>
void pg_cleanup(F&& f) noexcept {
    MemoryContext context = CurrentMemoryContext;
    PG_TRY();
    {
        try {
            f();
        } catch (...) {
        }
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        FlushErrorState();
    }
    PG_END_TRY();
}

// Honours a pending cancel or statement_timeout (throws PgError); cheap when none is pending.
// Installed as the core's interrupt check by guarded_entry.
void check_for_interrupts();

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
