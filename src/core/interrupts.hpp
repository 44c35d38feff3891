// Cancellation inside long loops over input. The core cannot call PostgreSQL's
// CHECK_FOR_INTERRUPTS itself (it is PostgreSQL-free), so its host installs a check: the
// extension installs one that honours statement_timeout and pg_cancel_backend (by throwing), the
// client none or its own. Every loop of the core whose length the input decides calls it.
#pragma once

#include <cstddef>

namespace trovella::core {

using InterruptCheck = void (*)();

// Installs `check` (nullptr: none); returns the previous one.
InterruptCheck set_interrupt_check(InterruptCheck check) noexcept;

// Runs the installed check; it may throw to abandon the work.
void check_interrupts();

// For the tightest loops: runs the check once every `every` calls.
class InterruptPacer {
public:
    explicit InterruptPacer(std::size_t every = 1024) : every_(every) {}
    void tick() {
        if (++count_ >= every_) {
            count_ = 0;
            check_interrupts();
        }
    }

private:
    std::size_t every_;
    std::size_t count_ = 0;
};

}  // namespace trovella::core
