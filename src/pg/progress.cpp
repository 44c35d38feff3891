#include "pg/progress.hpp"

namespace trovella::pg {

namespace {

void statement_context_callback(void* arg) {
    auto* p = static_cast<StatementPosition*>(arg);
    if (p == nullptr) return;
    bool made = false;
    try {
        if (p->context.empty())
            p->context = core::statement_context(p->tag, p->number, p->total, p->line, core::statement_preview(p->sql));
        made = true;
    } catch (...) {
    }
    if (made) errcontext("%s", p->context.c_str());
}

}  // namespace

StatementContext::StatementContext(const StatementPosition* position) {
    callback_.callback = statement_context_callback;
    callback_.arg = const_cast<StatementPosition*>(position);
    callback_.previous = error_context_stack;
    error_context_stack = &callback_;
}

StatementContext::~StatementContext() { error_context_stack = callback_.previous; }

void ActivityReport::show(const std::string& tag, int number, int total) {
    std::string text = "trovella_migrate: applying " + tag + " statement " + std::to_string(number) + "/" +
                       std::to_string(total);
    pg_call([&] { pgstat_report_activity(STATE_RUNNING, text.c_str()); });
    changed_ = true;
}

ActivityReport::~ActivityReport() {
    if (changed_ && debug_query_string != nullptr)
        pg_cleanup([] { pgstat_report_activity(STATE_RUNNING, debug_query_string); });
}

}  // namespace trovella::pg
