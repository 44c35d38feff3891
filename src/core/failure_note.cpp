#include "core/failure_note.hpp"

#include "core/error.hpp"
#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

void annotate_failure(const std::exception_ptr& failure, const FailureNote& note, const HostAnnotator& host) {
    try {
        std::rethrow_exception(failure);
    } catch (Error& e) {
        e.add_detail(note.detail);
        e.add_hint(note.hint);
        return;
    } catch (...) {
    }
    host(failure, note);
}

}  // namespace trovella::core
