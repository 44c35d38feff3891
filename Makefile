# trovella_migrate: PGXS build of the extension (C++17), and of the trovella-migrate client through
# CMake (CMakeLists.txt, which also builds the PostgreSQL-free core's unit tests on their own).
EXTENSION = trovella_migrate
MODULE_big = trovella_migrate
# The version has one place: default_version in the control file.
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)
ifeq ($(EXTVERSION),)
$(error cannot read default_version from $(EXTENSION).control)
endif

CORE_SRCS = $(wildcard src/core/*.cpp)
PG_SRCS = $(wildcard src/pg/*.cpp)
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

# The install script is kept as trovella_migrate.sql and installed under the version's name;
# the upgrade scripts (trovella_migrate--<from>--<to>.sql) are installed as they are.
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(wildcard $(EXTENSION)--*--*.sql)
PGFILEDESC = "trovella_migrate - Drizzle migrations applied and verified inside PostgreSQL"

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --outputdir=build/regress
# Interleavings of concurrent sessions (PostgreSQL's isolation tester): test/isolation/specs.
ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=build/isolation

PG_CPPFLAGS = -Isrc
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror -Wno-missing-field-initializers
# libcrypto: the core's SHA-256 (core/sha256), as in the client.
SHLIB_LINK += -lstdc++ -lcrypto
override BITCODE_CXXFLAGS += -std=c++17 -Wall -Wextra -Werror -Wno-missing-field-initializers -Wno-unused-command-line-argument

EXTRA_CLEAN = build/regress build/isolation

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS on Debian tracks no header dependencies: rebuild every object when any header changes.
$(OBJS): $(wildcard src/core/*.hpp src/pg/*.hpp)

$(EXTENSION)--$(EXTVERSION).sql: $(EXTENSION).sql $(EXTENSION).control
	cp $< $@

installcheck: | build/regress build/isolation
build/regress build/isolation:
	mkdir -p $@

# PGXN: META.json takes the version from the control file; `make dist` packs the distribution
# (the committed tree of HEAD, plus the generated META.json) as trovella_migrate-<version>.zip.
META.json: META.json.in $(EXTENSION).control
	sed 's/@VERSION@/$(EXTVERSION)/g' $< > $@
dist: META.json
	git archive --format zip --prefix=$(EXTENSION)-$(EXTVERSION)/ --add-file=META.json -o $(EXTENSION)-$(EXTVERSION).zip HEAD

# TAP tests (PostgreSQL::Test::Cluster: replicas, restarts) in test/tap/t; they make their own
# clusters (as the postgres user when run as root: initdb refuses root).
taptest:
	PG_CONFIG='$(PG_CONFIG)' bash test/tap/run.sh
.PHONY: taptest

# The client: built with CMake into build/client (no GoogleTest needed), installed into
# PostgreSQL's bindir and linked into CLIENT_LINK_DIR, which is on PATH (Debian's PostgreSQL
# bindir is not, and npm scripts must find the client). CLIENT_LINK_DIR= installs no link.
CLIENT_BUILD_DIR = build/client
CLIENT_LINK_DIR ?= /usr/local/bin
CMAKE ?= cmake

all: client
client:
	@$(CMAKE) -S . -B $(CLIENT_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTROVELLA_TESTS=OFF >/dev/null
	+@$(CMAKE) --build $(CLIENT_BUILD_DIR) --target trovella-migrate >/dev/null

install: install-client
install-client: client
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) $(CLIENT_BUILD_DIR)/trovella-migrate '$(DESTDIR)$(bindir)/trovella-migrate'
ifneq ($(CLIENT_LINK_DIR),)
	$(MKDIR_P) '$(DESTDIR)$(CLIENT_LINK_DIR)'
	ln -sfn '$(bindir)/trovella-migrate' '$(DESTDIR)$(CLIENT_LINK_DIR)/trovella-migrate'
endif

uninstall: uninstall-client
uninstall-client:
	rm -f '$(DESTDIR)$(bindir)/trovella-migrate'
ifneq ($(CLIENT_LINK_DIR),)
	if [ "$$(readlink '$(DESTDIR)$(CLIENT_LINK_DIR)/trovella-migrate')" = '$(bindir)/trovella-migrate' ]; then \
		rm -f '$(DESTDIR)$(CLIENT_LINK_DIR)/trovella-migrate'; fi
endif

clean: clean-client
clean-client:
	rm -rf $(CLIENT_BUILD_DIR)

.PHONY: client install-client uninstall-client clean-client dist
