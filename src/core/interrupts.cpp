#include "core/interrupts.hpp"

#include "core/no_postgres.hpp"  // keep last

namespace trovella::core {

namespace {
InterruptCheck installed = nullptr;
}  // namespace

InterruptCheck set_interrupt_check(InterruptCheck check) noexcept {
    InterruptCheck previous = installed;
    installed = check;
    return previous;
}

void check_interrupts() {
    if (installed != nullptr) installed();
}

}  // namespace trovella::core
