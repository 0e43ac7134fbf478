# kvraft build. Sources are found by directory, so adding a .cc file needs no
# edit here. Every target depends on `deps`, which installs missing Debian
# packages (fast and silent when all are present).
#
#   make            build/bin/{kvraft,kvraft-agent,kvraftctl} (-O2, warnings are errors)
#   make test       unit + integration + conformance + real-client tests
#   make run        a local member on 127.0.0.1:2379 / :2380
#   make asan       ASan+UBSan build in build/asan, then the test suite against it
#   make bench      kvraft vs real etcd 3.4, as ratios
#   make fuzz       libFuzzer targets (clang, ASan+UBSan) in build/fuzz, each run
#                   for FUZZ_SECONDS (default 60) and/or FUZZ_RUNS executions;
#                   FUZZ_ONLY="form go_path" picks targets (README: Fuzzing)
#   make soak       SOAK_MINUTES (default 10) of mixed load, restarts and a
#                   replacement on a 3-member cluster; fails on growth that
#                   does not level off (not part of make test)

MAKEFLAGS += --no-builtin-rules
JOBS ?= $(shell nproc)
# The sub-makes below run in parallel by default; a -j the user gave wins
# (forcing -jN on a sub-make of a parallel make resets its jobserver, with a warning).
SUBMAKE_J = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))

BUILD ?= build
CXX ?= g++
SAN_FLAGS ?=
OPT ?= -O2
# Boost's assertions go through server/http/boost_assert.cc, which lets one
# known-wrong Beast assertion pass (the file says which and why).
BOOST_FLAGS := -DBOOST_ENABLE_ASSERT_HANDLER
CXXFLAGS := -std=c++17 $(OPT) -g -Wall -Wextra -Werror -I. $(SAN_FLAGS) $(BOOST_FLAGS) \
            $(shell pkg-config --cflags cpp-httplib 2>/dev/null) -pthread
LDFLAGS := $(SAN_FLAGS) -pthread
LIBS := $(shell pkg-config --libs cpp-httplib 2>/dev/null) -lyaml-cpp -lcares -lsqlite3 -lssl -lcrypto -lcrypt
# The server allocates through jemalloc, linked statically so the runtime needs
# no extra library: glibc's malloc/free were ~11% of a loaded leader's CPU. Not
# in sanitizer builds, where ASan must own malloc.
MALLOC_LIBS := $(if $(SAN_FLAGS),,-l:libjemalloc_pic.a)

OBJ := $(BUILD)/obj
BIN := $(BUILD)/bin

COMMON_SRCS := $(sort $(wildcard common/*.cc))
SERVER_SRCS := $(sort $(filter-out server/main.cc,$(wildcard server/*/*.cc)))
AGENT_SRCS  := $(sort $(filter-out discovery-agent/main.cc,$(wildcard discovery-agent/*.cc)))
CLI_SRCS    := $(sort $(filter-out cli/main.cc,$(wildcard cli/*.cc)))
TEST_SRCS   := $(sort $(shell find tests/unit -name '*.cc' 2>/dev/null))

obj = $(patsubst %.cc,$(OBJ)/%.o,$(1))

BINARIES := $(BIN)/kvraft $(BIN)/unit_tests
ifneq ($(wildcard discovery-agent/main.cc),)
BINARIES += $(BIN)/kvraft-agent
endif
ifneq ($(wildcard cli/main.cc),)
BINARIES += $(BIN)/kvraftctl
endif

.PHONY: all deps build test unit run asan bench sim fuzz fuzz-build soak clean
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory $(SUBMAKE_J) build

deps:
	@scripts/deps.sh

build: $(BINARIES)

$(BIN)/kvraft: $(call obj,server/main.cc $(SERVER_SRCS) $(COMMON_SRCS))
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(MALLOC_LIBS) $(LIBS)

$(BIN)/kvraft-agent: $(call obj,discovery-agent/main.cc $(AGENT_SRCS) $(COMMON_SRCS))
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BIN)/kvraftctl: $(call obj,cli/main.cc $(CLI_SRCS) $(COMMON_SRCS))
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BIN)/unit_tests: $(call obj,$(TEST_SRCS) $(SERVER_SRCS) $(AGENT_SRCS) $(CLI_SRCS) $(COMMON_SRCS))
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)

# The raft core is pure: it may include only the standard library, common/ and
# itself. This rule fails the build when it reaches for anything else.
$(OBJ)/server/raft/%.o: server/raft/%.cc
	@mkdir -p $(@D)
	@! grep -nE '^#include "' $< $(wildcard server/raft/*.h) | grep -vE '"(server/raft|common)/' || \
	  (echo "server/raft may include only server/raft/ and common/"; exit 1)
	$(CXX) $(CXXFLAGS) -MMD -MP -c -o $@ $<

$(OBJ)/%.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)

test: all
	@tests/run_all.sh $(BUILD)

unit: all
	@$(BIN)/unit_tests

# Only the server: a newcomer need not wait for the tests to compile.
run: deps
	@$(MAKE) --no-print-directory $(SUBMAKE_J) $(BIN)/kvraft
	@scripts/run_local.sh

# GCC 12 reports false -Wmaybe-uninitialized inside std::regex when
# sanitizing, so that one warning is off in this build only. A sanitizer
# report ends the process (halt_on_error, abort_on_error); the integration
# harness also fails a test whose server printed one (tests/integration/harness.py).
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=1:strict_init_order=1 \
            UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
asan: deps
	@$(MAKE) --no-print-directory $(SUBMAKE_J) build BUILD=build/asan OPT=-O1 \
	  SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -Wno-maybe-uninitialized"
	@$(ASAN_ENV) tests/run_all.sh build/asan

# Deterministic raft simulation over more seeds than the unit run's 1,000.
# Replay one seed: KVRAFT_SIM_SEED=n build/bin/unit_tests -ts=raft -tc='simulation*'
SEEDS ?= 20000
sim: deps
	@$(MAKE) --no-print-directory $(SUBMAKE_J) $(BIN)/unit_tests
	@KVRAFT_SIM_SEEDS=$(SEEDS) $(BIN)/unit_tests -ts=raft -tc='simulation*'

bench: all
	@bench/run.sh

# libFuzzer targets, built with clang apart from the g++ build. Objects get
# -fsanitize=fuzzer-no-link (coverage without libFuzzer's main); the project
# sources fuzz/targets.mk names go into one (thin: two files may share a
# name) archive the targets link.
FUZZ_BUILD := build/fuzz
FUZZ_CXX ?= clang++
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CXXFLAGS := -std=c++17 -O1 -gline-tables-only -Wall -Wextra -Werror -I. $(FUZZ_SAN) $(BOOST_FLAGS) \
                 -fsanitize=fuzzer-no-link $(shell pkg-config --cflags cpp-httplib 2>/dev/null) -pthread
FUZZ_SECONDS ?=
FUZZ_RUNS ?=
FUZZ_ONLY ?=
include fuzz/targets.mk
fuzz_obj = $(patsubst %.cc,$(FUZZ_BUILD)/obj/%.o,$(1))

$(FUZZ_BUILD)/obj/%.o: %.cc
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/libkvraft.a: $(call fuzz_obj,$(FUZZ_LIB_SRCS))
	@rm -f $@
	ar rcsT $@ $^

$(FUZZ_BUILD)/bin/%_fuzz: $(FUZZ_BUILD)/obj/fuzz/%_fuzz.o $(FUZZ_BUILD)/libkvraft.a
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -pthread -o $@ $^ $(LIBS)
.SECONDARY: $(call fuzz_obj,$(patsubst %,fuzz/%_fuzz.cc,$(FUZZ_TARGETS)))
-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)

fuzz-build: $(patsubst %,$(FUZZ_BUILD)/bin/%_fuzz,$(or $(FUZZ_ONLY),$(FUZZ_TARGETS)))

fuzz: deps
	@$(MAKE) --no-print-directory $(SUBMAKE_J) fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) fuzz/run.sh $(FUZZ_BUILD) $(or $(FUZZ_ONLY),$(FUZZ_TARGETS))

# Samples, chart, summary and the members' logs go to $(BUILD)/soak.
# SOAK_ARGS: more flags for tests/soak/run.py (--rate, --interval, --snapshot-count).
SOAK_MINUTES ?= 10
soak: deps
	@$(MAKE) --no-print-directory $(SUBMAKE_J) $(BIN)/kvraft
	@KVRAFT_BIN=$(abspath $(BIN)/kvraft) /usr/bin/python3 tests/soak/run.py \
	  --minutes $(SOAK_MINUTES) --out $(BUILD)/soak $(SOAK_ARGS)

clean:
	rm -rf build
