# trovella_migrate: PGXS build of the extension (C++17). The PostgreSQL-free core and its unit
# tests also build on their own with CMake (CMakeLists.txt).
EXTENSION = trovella_migrate
MODULE_big = trovella_migrate
EXTVERSION = 0.1.0

CORE_SRCS = $(wildcard src/core/*.cpp)
PG_SRCS = $(wildcard src/pg/*.cpp)
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

DATA = $(EXTENSION)--$(EXTVERSION).sql
SCRIPTS = bin/trovella-migrate
PGFILEDESC = "trovella_migrate - Drizzle migrations applied and verified inside PostgreSQL"

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --outputdir=build/regress

PG_CPPFLAGS = -Isrc
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror -Wno-missing-field-initializers
SHLIB_LINK += -lstdc++
override BITCODE_CXXFLAGS += -std=c++17 -Wall -Wextra -Werror -Wno-missing-field-initializers -Wno-unused-command-line-argument

EXTRA_CLEAN = build/regress

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS on Debian tracks no header dependencies: rebuild every object when any header changes.
$(OBJS): $(wildcard src/core/*.hpp src/pg/*.hpp)

installcheck: | build/regress
build/regress:
	mkdir -p $@
