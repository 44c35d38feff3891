# trovella_migrate: PGXS build of the extension (C++17). The PostgreSQL-free core and its unit
# tests also build on their own with CMake (CMakeLists.txt).
EXTENSION = trovella_migrate
MODULE_big = trovella_migrate
# The version has one place: default_version in the control file.
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

CORE_SRCS = $(wildcard src/core/*.cpp)
PG_SRCS = $(wildcard src/pg/*.cpp)
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

# The install script is kept as trovella_migrate.sql and installed under the version's name;
# the upgrade scripts (trovella_migrate--<from>--<to>.sql) are installed as they are.
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(wildcard $(EXTENSION)--*--*.sql)
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

$(EXTENSION)--$(EXTVERSION).sql: $(EXTENSION).sql $(EXTENSION).control
	cp $< $@

installcheck: | build/regress
build/regress:
	mkdir -p $@
