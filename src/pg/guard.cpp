#include "pg/guard.hpp"

#include <cstring>
#include <new>

#include "core/error.hpp"
#include "core/interrupts.hpp"

namespace trovella::pg {

ErrorData* take_error(MemoryContext target, MemoryContext current) {
    MemoryContextSwitchTo(target);
    ErrorData* edata = CopyErrorData();
    FlushErrorState();
    MemoryContextSwitchTo(current);
    return edata;
}

void check_for_interrupts() {
    if (unlikely(InterruptPending)) pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

void append_detail(ErrorData* edata, const std::string& line) {
    const char* before = edata->detail;
    edata->detail = pg_call([&] {
        return before != nullptr ? psprintf("%s\n%s", before, line.c_str()) : pstrdup(line.c_str());
    });
}

void append_hint(ErrorData* edata, const std::string& line) {
    const char* before = edata->hint;
    edata->hint = pg_call([&] {
        return before != nullptr ? psprintf("%s\n%s", before, line.c_str()) : pstrdup(line.c_str());
    });
}

namespace {

// Copies a message out of a C++ exception without raising (no ereport inside a catch block).
char* copy_text(const char* text) {
    if (text == nullptr || *text == '\0') return nullptr;
    std::size_t length = std::strlen(text);
    auto* copy = static_cast<char*>(
        MemoryContextAllocExtended(CurrentMemoryContext, length + 1, MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE));
    if (copy != nullptr) std::memcpy(copy, text, length + 1);
    return copy;
}

int sqlstate_for(core::ErrorKind kind) {
    switch (kind) {
        case core::ErrorKind::invalid_input: return ERRCODE_INVALID_PARAMETER_VALUE;
        case core::ErrorKind::refused: return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
        case core::ErrorKind::unsupported: return ERRCODE_FEATURE_NOT_SUPPORTED;
        case core::ErrorKind::verify_failed: return ERRCODE_DATA_EXCEPTION;
        case core::ErrorKind::read_only: return ERRCODE_READ_ONLY_SQL_TRANSACTION;
        case core::ErrorKind::transaction_state: return ERRCODE_INVALID_TRANSACTION_STATE;
        case core::ErrorKind::transaction_block: return ERRCODE_ACTIVE_SQL_TRANSACTION;
        case core::ErrorKind::permission_denied: return ERRCODE_INSUFFICIENT_PRIVILEGE;
        case core::ErrorKind::wrong_object_type: return ERRCODE_WRONG_OBJECT_TYPE;
    }
    return ERRCODE_INTERNAL_ERROR;
}

}  // namespace

Datum guarded_entry(FunctionCallInfo fcinfo, Datum (*impl)(FunctionCallInfo)) {
    ErrorData* pg_error = nullptr;
    int sqlstate = ERRCODE_INTERNAL_ERROR;
    const char* message = nullptr;
    char* detail = nullptr;
    char* hint = nullptr;
    char* context = nullptr;
    core::set_interrupt_check(&check_for_interrupts);
    try {
        return impl(fcinfo);
    } catch (const PgError& e) {
        pg_error = e.edata();
    } catch (const core::Error& e) {
        sqlstate = sqlstate_for(e.kind());
        message = copy_text(e.what());
        detail = copy_text(e.detail().c_str());
        hint = copy_text(e.hint().c_str());
        if (!e.context().empty()) context = copy_text(e.context().c_str());
    } catch (const std::bad_alloc&) {
        sqlstate = ERRCODE_OUT_OF_MEMORY;
        message = "out of memory in trovella_migrate";
    } catch (const std::exception& e) {
        message = copy_text(e.what());
    } catch (...) {
        message = "unexpected C++ exception in trovella_migrate";
    }
    // Every exception object is gone here: raising (a longjmp) is safe.
    if (pg_error != nullptr) ReThrowError(pg_error);
    ereport(ERROR, (errcode(sqlstate), errmsg("%s", message != nullptr ? message : "trovella_migrate error"),
                    detail != nullptr ? errdetail("%s", detail) : 0, hint != nullptr ? errhint("%s", hint) : 0,
                    context != nullptr ? errcontext_msg("%s", context) : 0));
    pg_unreachable();
}

}  // namespace trovella::pg
