// What a user sees while a migration runs: the CONTEXT line of any error raised below a statement,
// and the current migration and statement in pg_stat_activity.query.
#pragma once

#include <string>
#include <string_view>

#include "core/statement_check.hpp"
#include "pg/guard.hpp"

namespace trovella::pg {

// Where we are: the CONTEXT line of an error raised below (core::statement_context, the words
// the client engine uses too). Made by the callback only when an error is reported (most
// statements raise none, and making it for each cost a few percent of a run of small statements),
// into `context`, which outlives the callback; a failure to make it leaves the line out.
struct StatementPosition {
    StatementPosition(std::string_view tag, int number, int total, int line, std::string_view sql)
        : tag(tag), number(number), total(total), line(line), sql(sql) {}
    std::string_view tag;
    int number;
    int total;
    int line;
    std::string_view sql;  // the statement: its preview is shown
    std::string context;
};

// Pushes an error context callback naming `position` for its lifetime.
class StatementContext {
public:
    explicit StatementContext(const StatementPosition* position);
    ~StatementContext();
    StatementContext(const StatementContext&) = delete;
    StatementContext& operator=(const StatementContext&) = delete;

private:
    ErrorContextCallback callback_;
};

// Shows "trovella_migrate: applying <tag> statement i/n" in pg_stat_activity; restores the
// caller's query text when destroyed.
class ActivityReport {
public:
    ActivityReport() = default;
    ~ActivityReport();
    ActivityReport(const ActivityReport&) = delete;
    ActivityReport& operator=(const ActivityReport&) = delete;

    void show(const std::string& tag, int number, int total);

private:
    bool changed_ = false;
};

}  // namespace trovella::pg
