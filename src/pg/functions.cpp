// The SQL-callable functions. Each goes through guarded_entry (see guard.hpp); results are built
// after SPI_finish, in the caller's memory context.
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/messages.hpp"
#include "pg/applier.hpp"
#include "pg/folder.hpp"
#include "pg/guard.hpp"
#include "pg/history.hpp"
#include "pg/inputs.hpp"
#include "pg/last_run.hpp"
#include "pg/tracking_table.hpp"

extern "C" {
PG_MODULE_MAGIC;
}

namespace trovella::pg {

namespace {

Datum text_datum(const std::string& s) {
    return pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); });
}

Datum text_array(const std::vector<std::string>& items) {
    std::vector<Datum> datums;
    datums.reserve(items.size());
    for (const auto& item : items) datums.push_back(text_datum(item));
    return pg_call([&] {
        return PointerGetDatum(construct_array(datums.data(), static_cast<int>(datums.size()), TEXTOID, -1, false, TYPALIGN_INT));
    });
}

Datum timestamptz_datum(const std::string& text) {
    return pg_call([&] {
        return DirectFunctionCall3(timestamptz_in, CStringGetDatum(text.c_str()), ObjectIdGetDatum(InvalidOid),
                                   Int32GetDatum(-1));
    });
}

TupleDesc result_descriptor(FunctionCallInfo fcinfo) {
    TupleDesc desc = nullptr;
    TypeFuncClass kind = pg_call([&] { return get_call_result_type(fcinfo, nullptr, &desc); });
    if (kind != TYPEFUNC_COMPOSITE)
        throw std::runtime_error("function returning record called in a context that cannot accept it");
    return pg_call([&] { return BlessTupleDesc(desc); });
}

// A std::vector<bool> is packed; tuple nulls need plain bools.
struct Nulls {
    std::vector<char> flags;
    explicit Nulls(std::size_t n) : flags(n, 0) {}
    bool* data() { return reinterpret_cast<bool*>(flags.data()); }
};

Datum int_datum(std::size_t n) { return Int32GetDatum(static_cast<int32>(n)); }

}  // namespace

Datum apply_result(FunctionCallInfo fcinfo, const ApplyResult& result) {
    std::vector<Datum> values{int_datum(result.expected), int_datum(result.applied_before), int_datum(result.pending),
                              int_datum(result.applied), BoolGetDatum(result.verified), text_array(result.applied_tags),
                              text_datum(core::messages::join(result.messages, "\n"))};
    Nulls nulls(values.size());
    TupleDesc desc = result_descriptor(fcinfo);
    return pg_call([&] { return HeapTupleGetDatum(heap_form_tuple(desc, values.data(), nulls.data())); });
}

std::string required_text_arg(FunctionCallInfo fcinfo, int n, const char* name) {
    auto value = text_arg(fcinfo, n, false);
    if (!value) throw core::invalid_input(std::string(name) + " must not be NULL");
    return *value;
}

Datum apply_impl(FunctionCallInfo fcinfo) {
    Inputs in = read_inputs(fcinfo, core::Function::apply, Texts::required);
    ApplyResult result;
    {
        SpiConnection spi;
        result = apply_migrations(spi, in);
        spi.finish();
    }
    return apply_result(fcinfo, result);
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
    Inputs in = read_inputs(fcinfo, core::Function::apply_each, Texts::required);
    ApplyResult result;
    {
        SpiConnection spi(true);
        result = apply_each_migration(spi, in);
        spi.finish();
    }
    return apply_result(fcinfo, result);
}

Datum apply_folder_impl(FunctionCallInfo fcinfo) {
    std::string path = required_text_arg(fcinfo, 0, "path");
    auto options_text = text_arg(fcinfo, 1, true);
    core::Options options = core::parse_options(options_text ? *options_text : "{}", core::Function::apply);
    FolderContents folder = read_folder(path);
    Inputs in = make_inputs(folder.journal, std::move(folder.texts), std::move(options), core::Function::apply,
                            Texts::required);
    ApplyResult result;
    {
        SpiConnection spi;
        result = apply_migrations(spi, in);
        spi.finish();
    }
    return apply_result(fcinfo, result);
}

Datum baseline_impl(FunctionCallInfo fcinfo) {
    Inputs in = read_inputs(fcinfo, core::Function::baseline, Texts::required, 3);
    std::string through = required_text_arg(fcinfo, 2, "through_tag");
    std::vector<RecordedEntry> recorded;
    {
        SpiConnection spi;
        recorded = baseline_migrations(spi, in, through);
        spi.finish();
    }
    pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (const auto& r : recorded) {  // idx, tag, created_at, hash
        std::vector<Datum> values{Int32GetDatum(static_cast<int32>(r.idx)), text_datum(r.tag), Int64GetDatum(r.created_at),
                                  text_datum(r.hash)};
        Nulls nulls(values.size());
        pg_call([&] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values.data(), nulls.data()); });
    }
    return Datum(0);
}

Datum repair_impl(FunctionCallInfo fcinfo) {
    Inputs in = read_inputs(fcinfo, core::Function::repair, Texts::required, 3);
    std::string tag = required_text_arg(fcinfo, 2, "tag");
    RecordedEntry r;
    {
        SpiConnection spi;
        r = repair_migration(spi, in, tag);
        spi.finish();
    }
    std::vector<Datum> values{Int32GetDatum(static_cast<int32>(r.idx)), text_datum(r.tag), Int64GetDatum(r.created_at),
                              text_datum(r.previous_hash), text_datum(r.hash)};
    Nulls nulls(values.size());
    TupleDesc desc = result_descriptor(fcinfo);
    return pg_call([&] { return HeapTupleGetDatum(heap_form_tuple(desc, values.data(), nulls.data())); });
}

Datum status_impl(FunctionCallInfo fcinfo) {
    Inputs in = read_inputs(fcinfo, core::Function::status, Texts::optional);
    std::vector<core::TrackingRow> rows;
    std::map<std::int64_t, KnownRow> known;
    {
        SpiConnection spi;
        TrackingTable tracking(spi, in.options, core::Function::status);
        rows = tracking.read_rows(true);
        History history(spi, tracking, core::Function::status);
        known = history.known_rows(true);
        spi.finish();
    }
    auto a = core::assess(in.journal, rows, &in.hashes);
    // When the extension applied (or baselined, or repaired) this very row; NULL for rows it only
    // adopted (drizzle-kit records no time) and for rows it has no event about.
    auto applied_at = [&](const core::TrackingRow& row) -> const std::string* {
        auto it = known.find(row.id);
        if (it == known.end() || !it->second.same_row(row) || it->second.action == "adopted") return nullptr;
        return &it->second.applied_at;
    };

    pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    auto put = [&](std::vector<Datum>& values, Nulls& nulls) {
        pg_call([&] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values.data(), nulls.data()); });
    };
    // Columns: idx, tag, created_at, state, hash, recorded_hash, applied_at.
    for (const auto& e : a.entries) {
        std::vector<Datum> values(7, Datum(0));
        Nulls nulls(7);
        values[0] = Int32GetDatum(static_cast<int32>(e.entry->idx.value_or(static_cast<std::int64_t>(e.entry->position))));
        values[1] = text_datum(e.entry->tag);
        values[2] = Int64GetDatum(e.entry->when);
        values[3] = text_datum(core::state_name(e.state));
        if (e.file_hash) values[4] = text_datum(*e.file_hash); else nulls.flags[4] = 1;
        if (e.row) values[5] = text_datum(e.row->hash); else nulls.flags[5] = 1;
        const std::string* at = e.row ? applied_at(*e.row) : nullptr;
        if (at != nullptr) values[6] = timestamptz_datum(*at); else nulls.flags[6] = 1;
        put(values, nulls);
    }
    for (const auto* row : a.unknown) {
        std::vector<Datum> values(7, Datum(0));
        Nulls nulls(7);
        nulls.flags[0] = nulls.flags[1] = nulls.flags[4] = 1;
        if (row->created_at) values[2] = Int64GetDatum(*row->created_at); else nulls.flags[2] = 1;
        values[3] = text_datum(core::state_name(core::State::unknown));
        values[5] = text_datum(row->hash);
        const std::string* at = applied_at(*row);
        if (at != nullptr) values[6] = timestamptz_datum(*at); else nulls.flags[6] = 1;
        put(values, nulls);
    }
    for (const auto& tag : in.orphans) {
        std::vector<Datum> values(7, Datum(0));
        Nulls nulls(7);
        nulls.flags[0] = nulls.flags[2] = nulls.flags[5] = nulls.flags[6] = 1;
        values[1] = text_datum(tag);
        values[3] = text_datum(core::state_name(core::State::orphan));
        values[4] = text_datum(in.hashes.at(tag));
        put(values, nulls);
    }
    return Datum(0);
}

Datum verify_impl(FunctionCallInfo fcinfo) {
    Inputs in = read_inputs(fcinfo, core::Function::verify, Texts::optional);
    std::vector<core::TrackingRow> rows;
    std::string table;
    {
        SpiConnection spi;
        TrackingTable tracking(spi, in.options, core::Function::verify);
        rows = tracking.read_rows(true);
        table = tracking.display_name();
        spi.finish();
    }
    auto a = core::assess(in.journal, rows, &in.hashes);
    auto problems = core::verify_problems(a);
    const bool ok = problems.empty();
    if (!ok && in.options.raise) {
        std::string message = a.recorded != a.expected ? problems.front()
                                                       : "verification failed: " + problems.front();
        throw core::Error(core::ErrorKind::verify_failed, message, core::messages::join(problems, "\n"),
                          "Compared the journal (" + std::to_string(a.expected) + " entries) with " + table + " (" +
                              std::to_string(a.recorded) + " rows). Run trovella_migrate.status() for the state of each migration.");
    }
    if (ok) notice(core::messages::verified(a.recorded));
    std::vector<Datum> values{int_datum(a.expected), int_datum(a.recorded), BoolGetDatum(ok), text_array(problems)};
    Nulls nulls(values.size());
    TupleDesc desc = result_descriptor(fcinfo);
    return pg_call([&] { return HeapTupleGetDatum(heap_form_tuple(desc, values.data(), nulls.data())); });
}

Datum plan_impl(FunctionCallInfo fcinfo) {
    Inputs in = read_inputs(fcinfo, core::Function::plan, Texts::required);
    std::vector<core::TrackingRow> rows;
    {
        SpiConnection spi;
        TrackingTable tracking(spi, in.options, core::Function::plan);
        rows = tracking.read_rows(true);
        spi.finish();
    }
    // The same decisions and checks as apply, without running or recording anything.
    auto a = core::assess(in.journal, rows, &in.hashes);
    core::check_can_apply(a, in.options);
    Work work = prepare(a, in);

    pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    // Columns: idx, tag, statement, line, sql.
    for (std::size_t i = 0; i < work.entries.size(); ++i) {
        const auto& entry = *work.entries[i]->entry;
        for (const auto& statement : work.statements[i]) {
            std::vector<Datum> values{
                Int32GetDatum(static_cast<int32>(entry.idx.value_or(static_cast<std::int64_t>(entry.position)))),
                text_datum(entry.tag), Int32GetDatum(statement.number), Int32GetDatum(statement.line),
                text_datum(std::string(statement.sql))};
            Nulls nulls(values.size());
            pg_call([&] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values.data(), nulls.data()); });
        }
    }
    return Datum(0);
}

// This session's last apply/apply_each/baseline/repair call, one row per migration it recorded.
Datum last_run_impl(FunctionCallInfo fcinfo) {
    pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    const LastRun& run = last_run();
    // Columns: run_id, function, action, tag, idx, statements, duration_ms, committed.
    for (const auto& e : run.entries) {
        std::vector<Datum> values(8, Datum(0));
        Nulls nulls(8);
        if (run.run_id) values[0] = Int64GetDatum(*run.run_id); else nulls.flags[0] = 1;
        values[1] = text_datum(run.function);
        values[2] = text_datum(e.action);
        values[3] = text_datum(e.tag);
        if (e.idx) values[4] = Int32GetDatum(static_cast<int32>(*e.idx)); else nulls.flags[4] = 1;
        if (e.statements) values[5] = Int32GetDatum(static_cast<int32>(*e.statements)); else nulls.flags[5] = 1;
        if (e.duration_ms) values[6] = Float8GetDatum(*e.duration_ms); else nulls.flags[6] = 1;
        if (e.committed) values[7] = BoolGetDatum(*e.committed); else nulls.flags[7] = 1;
        pg_call([&] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values.data(), nulls.data()); });
    }
    return Datum(0);
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
