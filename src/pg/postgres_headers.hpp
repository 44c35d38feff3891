// The one place the glue includes PostgreSQL's C headers, and the one place for what differs
// between PostgreSQL versions. The headers use `register`, which C++17 rejects under clang, so that
// warning (and a few others of theirs) is silenced for these headers only.
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
#include "catalog/namespace.h"
#include "catalog/pg_authid_d.h"
#include "catalog/pg_type_d.h"
#include "commands/defrem.h"
#include "commands/extension.h"
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

// Supported: PostgreSQL 15 (the only version this project is built and tested with). A port to
// another version starts here: every call whose form differs between versions goes through a
// shim below.
#if PG_VERSION_NUM < 150000
#error "trovella_migrate needs PostgreSQL 15 or later"
#endif

namespace trovella::pg {

// A set-returning function's materialized result (InitMaterializedSRF since PostgreSQL 15;
// SetSingleFuncCall in 14).
inline void materialized_srf(FunctionCallInfo fcinfo) { InitMaterializedSRF(fcinfo, 0); }

}  // namespace trovella::pg
