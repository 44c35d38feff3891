// The one place the glue includes PostgreSQL's C headers, and the one place that looks at
// PG_VERSION_NUM (test/package/pg_compat.sh checks both). The headers use `register`, which C++17
// rejects under clang, so that warning is silenced for them only.
#pragma once

extern "C" {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wregister"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_authid_d.h"
#include "catalog/pg_type_d.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#pragma GCC diagnostic pop
}

// Version-specific calls. The code calls PostgreSQL 15's API; a major that lacks a call gets it
// here, under 15's name, so a port is this one place (and debian/pgversions, META.json.in).
// Built and tested: PostgreSQL 15 only, the only major installable on the project's machines; the
// branch for 14 follows 14's headers and is not compiled here.
#if PG_VERSION_NUM < 140000
#error "trovella_migrate needs PostgreSQL 14 or later (common/cryptohash.h, utils/backend_status.h); it is built and tested on 15"
#endif

#if PG_VERSION_NUM < 150000
// InitMaterializedSRF (15): a set-returning function in materialize mode, its tuplestore and tuple
// descriptor in the query's memory (flags 0: the descriptor of the function's declared result).
inline void InitMaterializedSRF(FunctionCallInfo fcinfo, bits32 /*flags*/) {
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    if (rsinfo == nullptr || !IsA(rsinfo, ReturnSetInfo))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("set-valued function called in context that cannot accept a set")));
    if (!(rsinfo->allowedModes & SFRM_Materialize))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("materialize mode required, but it is not allowed in this context")));
    MemoryContext old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) elog(ERROR, "return type must be a row type");
    rsinfo->returnMode = SFRM_Materialize;
    rsinfo->setDesc = CreateTupleDescCopy(desc);
    rsinfo->setResult = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0, false, work_mem);
    MemoryContextSwitchTo(old);
}

// pg_cryptohash_final takes the output length, and pg_cryptohash_error explains a failure (15).
inline int pg_cryptohash_final(pg_cryptohash_ctx* ctx, uint8* dest, size_t /*len*/) {
    return pg_cryptohash_final(ctx, dest);
}
inline const char* pg_cryptohash_error(pg_cryptohash_ctx* /*ctx*/) { return "the cryptohash library failed"; }
#endif
