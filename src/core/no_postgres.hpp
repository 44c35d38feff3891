// Included last by every translation unit of the pure core: the core must build and be tested
// without a PostgreSQL server or its headers (the CMake build has no PostgreSQL include path at
// all), so a core file that pulls in postgres.h, directly or through a header, fails here.
#pragma once
#ifdef PG_VERSION_NUM
#error "src/core is PostgreSQL-free: a core translation unit must not include postgres.h"
#endif
