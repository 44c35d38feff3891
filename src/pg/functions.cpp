// The SQL-callable functions: each reads its arguments, runs the core's function against the
// database through SPI (core/run.hpp, core/reports.hpp), and returns the result built after
// SPI_finish, in the caller's memory context. Each goes through guarded_entry (see guard.hpp).
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/messages.hpp"
#include "core/reports.hpp"
#include "core/run.hpp"
#include "pg/arguments.hpp"
#include "pg/folder.hpp"
#include "pg/guard.hpp"
#include "pg/last_run.hpp"
#include "pg/results.hpp"
#include "pg/spi_database.hpp"

extern "C" {
PG_MODULE_MAGIC;
}

namespace trovella::pg {

namespace {

using Mode = SpiDatabase::Mode;

// Runs `body(db)` with an SPI connection and the database of `in`'s tracking table; SPI is closed
// before the result is built (nonatomic: apply_each, which commits).
template <class Body>
auto with_database(const core::Inputs& in, core::Function fn, Mode mode, Body&& body, bool nonatomic = false) {
    SpiConnection spi(nonatomic);
    SpiDatabase db(spi, in.options, fn, mode);
    auto result = body(db);
    spi.finish();
    return result;
}

// apply, apply_each, apply_folder: expected, applied_before, pending, applied, verified,
// applied_tags, message.
Datum apply_result(FunctionCallInfo fcinfo, const core::ApplyResult& r) {
    auto count = [](std::size_t n) { return std::optional<std::int64_t>(static_cast<std::int64_t>(n)); };
    OutputRow row(7);
    row.int4(0, count(r.expected)).int4(1, count(r.applied_before)).int4(2, count(r.pending)).int4(3, count(r.applied));
    row.boolean(4, r.verified).texts(5, r.applied_tags).text(6, core::messages::join(r.messages, "\n"));
    return composite_result(fcinfo, row);
}

Datum apply_inputs(FunctionCallInfo fcinfo, const core::Inputs& in) {
    auto result = with_database(in, core::Function::apply, Mode::write,
                                [&](SpiDatabase& db) { return core::apply(db, in); });
    return apply_result(fcinfo, result);
}

}  // namespace

Datum apply_impl(FunctionCallInfo fcinfo) {
    return apply_inputs(fcinfo, read_inputs(fcinfo, core::Function::apply, core::Texts::required));
}

Datum apply_each_impl(FunctionCallInfo fcinfo) {
    auto* call = fcinfo->context != nullptr && IsA(fcinfo->context, CallContext)
                     ? reinterpret_cast<CallContext*>(fcinfo->context)
                     : nullptr;
    if (call == nullptr || call->atomic)
        throw core::Error(core::ErrorKind::transaction_block,
                          "apply_each() commits after each migration, so it cannot run inside a transaction block",
                          "It was called inside BEGIN ... COMMIT, a function, or a procedure called from one.",
                          "Run CALL trovella_migrate.apply_each(...) on its own (autocommit), or use "
                          "SELECT * FROM trovella_migrate.apply(...) to apply everything in the current transaction.");
    const core::Inputs in = read_inputs(fcinfo, core::Function::apply_each, core::Texts::required);
    auto result = with_database(
        in, core::Function::apply_each, Mode::write, [&](SpiDatabase& db) { return core::apply_each(db, in); }, true);
    return apply_result(fcinfo, result);
}

Datum apply_folder_impl(FunctionCallInfo fcinfo) {
    const std::string path = required_text_arg(fcinfo, 0, "path");
    const auto options_text = text_arg(fcinfo, 1, true);
    core::Options options = core::parse_options(options_text ? *options_text : "{}", core::Function::apply);
    FolderContents folder = read_folder(path);
    return apply_inputs(fcinfo, inputs_of(folder.journal, std::move(folder.texts), std::move(options), core::Function::apply));
}

Datum baseline_impl(FunctionCallInfo fcinfo) {
    const core::Inputs in = read_inputs(fcinfo, core::Function::baseline, core::Texts::required, 3);
    const std::string through = required_text_arg(fcinfo, 2, "through_tag");
    auto recorded = with_database(in, core::Function::baseline, Mode::write,
                                  [&](SpiDatabase& db) { return core::baseline(db, in, through); });
    ResultSet rows(fcinfo);  // idx, tag, created_at, hash
    for (const auto& r : recorded) {
        OutputRow row(4);
        row.int4(0, r.idx).text(1, r.tag).int8(2, r.created_at).text(3, r.hash);
        rows.add(row);
    }
    return rows.done();
}

Datum repair_impl(FunctionCallInfo fcinfo) {
    const core::Inputs in = read_inputs(fcinfo, core::Function::repair, core::Texts::required, 3);
    const std::string tag = required_text_arg(fcinfo, 2, "tag");
    auto r = with_database(in, core::Function::repair, Mode::write,
                           [&](SpiDatabase& db) { return core::repair(db, in, tag); });
    OutputRow row(5);  // idx, tag, created_at, previous_hash, hash
    row.int4(0, r.idx).text(1, r.tag).int8(2, r.created_at).text(3, r.previous_hash).text(4, r.hash);
    return composite_result(fcinfo, row);
}

Datum status_impl(FunctionCallInfo fcinfo) {
    const core::Inputs in = read_inputs(fcinfo, core::Function::status, core::Texts::optional);
    ResultSet rows(fcinfo);  // idx, tag, created_at, state, hash, recorded_hash, applied_at, progress (0.3.0)
    const std::size_t columns = rows.columns();
    // Each row goes into the result as the core makes it (none of them kept on the way).
    with_database(in, core::Function::status, Mode::read_only, [&](SpiDatabase& db) {
        core::status(db, in, [&](const core::StatusRow& r) {
            rows.add(columns, [&](OutputRow& row) {
                row.int4(0, r.idx).text(1, r.tag).int8(2, r.created_at).text(3, r.state_name());
                row.text(4, r.hash).text(5, r.recorded_hash).timestamptz(6, r.applied_at);
                if (columns > 7) row.text(7, r.progress);
            });
        });
        return true;
    });
    return rows.done();
}

Datum verify_impl(FunctionCallInfo fcinfo) {
    const core::Inputs in = read_inputs(fcinfo, core::Function::verify, core::Texts::optional);
    auto report = with_database(in, core::Function::verify, Mode::read_only,
                                [&](SpiDatabase& db) { return core::verify(db, in); });
    OutputRow row(4);  // expected, actual, ok, problems
    row.int4(0, static_cast<std::int64_t>(report.expected)).int4(1, static_cast<std::int64_t>(report.actual));
    row.boolean(2, report.ok()).texts(3, report.problems);
    return composite_result(fcinfo, row);
}

Datum plan_impl(FunctionCallInfo fcinfo) {
    const core::Inputs in = read_inputs(fcinfo, core::Function::plan, core::Texts::required);
    auto planned = with_database(in, core::Function::plan, Mode::read_only,
                                 [&](SpiDatabase& db) { return core::plan(db, in); });
    ResultSet rows(fcinfo);  // idx, tag, statement, line, sql, in_transaction (0.3.0)
    const std::size_t columns = rows.columns();
    for (const auto& p : planned) {
        OutputRow row(columns);
        row.int4(0, p.idx).text(1, p.tag).int4(2, p.number).int4(3, p.line).text(4, std::string(p.sql));
        if (columns > 5) row.boolean(5, p.in_transaction);
        rows.add(row);
    }
    return rows.done();
}

// This session's last apply/apply_each/baseline/repair call, one row per migration it recorded.
Datum last_run_impl(FunctionCallInfo fcinfo) {
    const LastRun& run = last_run();
    ResultSet rows(fcinfo);  // run_id, function, action, tag, idx, statements, duration_ms, committed
    for (const auto& e : run.entries) {
        OutputRow row(8);
        row.int8(0, run.run_id).text(1, run.function).text(2, e.action).text(3, e.tag).int4(4, e.idx);
        row.int4(5, e.statements).float8(6, e.duration_ms).boolean(7, e.committed);
        rows.add(row);
    }
    return rows.done();
}

}  // namespace trovella::pg

TROVELLA_FUNCTION(last_run)
TROVELLA_FUNCTION(apply)
TROVELLA_FUNCTION(apply_each)
TROVELLA_FUNCTION(apply_folder)
TROVELLA_FUNCTION(baseline)
TROVELLA_FUNCTION(repair)
TROVELLA_FUNCTION(plan)
TROVELLA_FUNCTION(status)
TROVELLA_FUNCTION(verify)
