# exposim — top-level build.  `make help` lists the targets.
#
# Objects go to $(BUILD)/ (build/ normally, build-san/ for `make sanitize`,
# build-mpi/ for `make MPI=1`), with header dependencies tracked through -MMD.  Everything except sim/main.c
# goes into a static library that bin/exposim, the tests and the benchmark
# link against, so each is built from the same objects.

VERSION  := 0.1.0
CC       := gcc
# `make MPI=1`: the same program built with Open MPI's mpicc, so that
# `mpirun -np K bin/exposim sweep FILE` spreads a sweep over K ranks and
# `mpirun -np K bin/exposim run FILE` splits each replication's people
# across them (docs/cluster.md).  The default build has no MPI dependency.
ifeq ($(MPI),1)
CC       := mpicc
BUILD    ?= build-mpi
MPIFLAGS := -DEXPOSIM_MPI
endif
BUILD    ?= build
BIN      ?= bin/exposim
OPT      ?= -O2
PKGS     := gsl libxml-2.0 nettle igraph
DEBPKGS  := libgsl-dev libxml2-dev libcsv-dev nettle-dev libigraph-dev check pkg-config gnuplot-nox valgrind \
            libopenmpi-dev openmpi-bin tzdata

CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -D_POSIX_C_SOURCE=200809L -DHAVE_INLINE -DGSL_RANGE_CHECK_OFF -DEXPOSIM_VERSION='"$(VERSION)"' \
            $(MPIFLAGS)
# The engine (sim/) and its tests see no header of models/: the build
# enforces that sim/ never includes one.
INC       = -Isim -Imodels -Itests
$(BUILD)/sim/%.o $(BUILD)/tests/sim/%.o: INC = -Isim -Itests
PKGCFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm
CHECKLIBS = $(shell pkg-config --libs check 2>/dev/null)

# `make fuzz` builds with clang and libFuzzer's coverage into build-fuzz/.
ifeq ($(FUZZ),1)
CC       := clang
CFLAGS   += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=fuzzer,address,undefined
endif

ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

# Two libraries: the engine (sim/ but main.c), which links alone, and the
# model families (models/), which need the engine.  bin/exposim is main.c
# with both; the engine's tests link the engine only.
SIM_SRC  := $(filter-out sim/main.c,$(wildcard sim/*.c))
SIM_OBJ  := $(SIM_SRC:%.c=$(BUILD)/%.o) $(BUILD)/sim/schema.o
SIM_LIB  := $(BUILD)/libexposim-sim.a
MODELS_SRC := $(wildcard models/*.c)
MODELS_OBJ := $(MODELS_SRC:%.c=$(BUILD)/%.o)
MODELS_LIB := $(BUILD)/libexposim-models.a
LIB      := $(MODELS_LIB) $(SIM_LIB)
TEST_SIM_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/sim/*.c) tests/testutil.c)
TEST_MODELS_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/models/*.c) tests/testutil.c)
TEST_SIM_BIN := $(BUILD)/tests/check_sim
TEST_MODELS_BIN := $(BUILD)/tests/check_models
TEST_BIN := $(TEST_SIM_BIN) $(TEST_MODELS_BIN)
BENCH_BIN:= $(BUILD)/tests/bench/bench
# The fuzz targets (tests/fuzz/fuzz_TARGET.c): libFuzzer programs under
# `make fuzz`, and replay programs (the same code, the ordinary compiler)
# that `make check` runs on their corpora.
FUZZ_TARGETS := scenario graphio run collate plot
FUZZ_LIB_OBJ  = $(BUILD)/tests/fuzz/fuzz_files.o
REPLAY_BIN   := $(FUZZ_TARGETS:%=$(BUILD)/tests/replay_%)

# make install: PREFIX (default /usr/local) and DESTDIR (a staging root).
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
DATADIR   = $(PREFIX)/share
MANDIR    = $(DATADIR)/man
DOCDIR    = $(DATADIR)/doc/exposim
SHAREDIR  = $(DATADIR)/exposim
COMPDIR   = $(DATADIR)/bash-completion/completions
# The man pages and the bash completion: exposim.1 from man/, the scenario
# format's page and the --set paths from the schema (man/xsdman.c).
XSDMAN     := $(BUILD)/man/xsdman
MANPAGES   := $(BUILD)/man/exposim.1 $(BUILD)/man/exposim-scenario.5
COMPLETION := $(BUILD)/completion/exposim
# The browser check (make browser-check) needs these; make deps does not
# install them.
BROWSERPKGS := chromium chromium-driver curl

.PHONY: all deps have-deps run plots fuzz check check-mpi check-install golden golden-record test bench bench-estimate bench-mpi sanitize \
        valgrind clean help man install uninstall browser-deps browser-check fuzz-replay
all: have-deps $(BIN)

help:
	@echo "make deps      install the Debian packages exposim needs (as root)"
	@echo "make / all     build $(BIN)"
	@echo "make run       build and run scenarios/baseline.xml"
	@echo "make plots     figures and report.html for every results directory under results/"
	@echo "make install   install the program, man pages, completion, scenarios, docs (PREFIX, DESTDIR)"
	@echo "make uninstall remove what make install installed (same PREFIX, DESTDIR)"
	@echo "make browser-check  open report.html files in headless Chromium (installs it)"
	@echo "make check     build and run every test (with a 2-rank MPI sweep)"
	@echo "make golden    rerun the scenario library, compare its result files with tests/golden/"
	@echo "make MPI=1     build $(BIN) with mpicc, for mpirun -np K ... sweep (or run: one replication split)"
	@echo "make bench     build and run the benchmarks (prints figures)"
	@echo "make bench-estimate  the estimate against measured runs (docs/metrics.md's table)"
	@echo "make bench-mpi  one replication at N = 10^7 split over 2 MPI ranks against one process"
	@echo "make sanitize  build with ASan/UBSan into build-san/ and run every test"
	@echo "make valgrind  run every test under valgrind (memcheck, leaks are errors)"
	@echo "make fuzz      fuzz the loaders, tiny runs, merge/resume and plot (clang, libFuzzer, ASan/UBSan)"
	@echo "make clean     remove build outputs"

# --- dependencies ----------------------------------------------------------
# `deps` installs with apt-get when run as root, else prints the line to run.
deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEBPKGS); \
	else \
	  echo "exposim needs Debian packages; run as root:"; \
	  echo "  apt-get update && apt-get install -y $(DEBPKGS)"; exit 1; \
	fi

# `have-deps` is cheap when everything is there and runs `deps` otherwise.
have-deps:
	@if ! command -v pkg-config >/dev/null || ! pkg-config --exists $(PKGS) check \
	   || [ ! -f /usr/include/csv.h ] || ! command -v gnuplot >/dev/null \
	   || ! command -v valgrind >/dev/null || ! command -v mpicc >/dev/null \
	   || [ ! -f /usr/share/zoneinfo/Europe/Berlin ]; then \
	  $(MAKE) --no-print-directory deps; fi

# --- build -----------------------------------------------------------------
# Every object waits for have-deps (order-only), so `make -j` on a fresh
# machine installs the packages before the first compile.
$(BUILD)/%.o: %.c | have-deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) $(PKGCFLAGS) -MMD -MP -c $< -o $@

# The XSDs are compiled into the binary (.incbin), so they are dependencies.
$(BUILD)/sim/schema.o: sim/schema.S scenarios/scenario.xsd scenarios/sweep.xsd | have-deps
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(SIM_LIB): $(SIM_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(MODELS_LIB): $(MODELS_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/sim/main.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKGLIBS)

$(TEST_SIM_BIN): $(TEST_SIM_OBJ) $(SIM_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECKLIBS) $(PKGLIBS)

$(TEST_MODELS_BIN): $(TEST_MODELS_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECKLIBS) $(PKGLIBS)

$(BENCH_BIN): $(BUILD)/tests/bench/bench.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKGLIBS)

# --- use -------------------------------------------------------------------
run: all
	./$(BIN) run scenarios/baseline.xml

# `exposim plot` on every run, sweep or comparison directory under
# results/; one that fails does not stop the others, and make plots fails
# at the end naming them.
plots: all
	@found=0; failed=; for d in results/*/; do \
	  if [ -f "$$d/timeseries.csv" ] || [ -f "$$d/sweep-summary.csv" ] || [ -f "$$d/compare.csv" ] \
	     || [ -f "$$d/paired-summary.csv" ]; then \
	    found=1; ./$(BIN) plot "$${d%/}" || failed="$$failed $${d%/}"; fi; \
	done; \
	[ $$found = 1 ] || echo "nothing to plot under results/: run make run (or exposim run/sweep) first"; \
	if [ -n "$$failed" ]; then echo "make plots: could not plot:$$failed" >&2; exit 1; fi

# --- man pages, completion, install ------------------------------------------
$(XSDMAN): man/xsdman.c | have-deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags libxml-2.0 2>/dev/null) $< -o $@ $(LDFLAGS) \
	  $(shell pkg-config --libs libxml-2.0 2>/dev/null)

$(BUILD)/man/exposim-scenario.5: scenarios/scenario.xsd $(XSDMAN)
	$(XSDMAN) man $< $(VERSION) > $@.tmp && mv $@.tmp $@

$(BUILD)/man/exposim.1: man/exposim.1
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(VERSION)/' $< > $@

$(COMPLETION): completion/exposim.bash.in scenarios/scenario.xsd $(XSDMAN)
	@mkdir -p $(dir $@)
	paths=$$($(XSDMAN) paths scenarios/scenario.xsd | tr '\n' ' ') && sed "s|@SET_PATHS@|$${paths% }|" $< > $@.tmp \
	  && mv $@.tmp $@

man: $(MANPAGES) $(COMPLETION)

# What install puts where (uninstall removes the same list).
INSTALL_SCENARIOS := $(wildcard scenarios/*.xml scenarios/*.xsd)
INSTALL_DATA      := $(shell find scenarios/data -type f 2>/dev/null)
INSTALL_DOCS      := README.md $(wildcard docs/*.md)

install: all man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(COMPDIR) \
	  $(DESTDIR)$(SHAREDIR)/scenarios $(DESTDIR)$(DOCDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/exposim
	install -m 644 $(BUILD)/man/exposim.1 $(DESTDIR)$(MANDIR)/man1/exposim.1
	install -m 644 $(BUILD)/man/exposim-scenario.5 $(DESTDIR)$(MANDIR)/man5/exposim-scenario.5
	install -m 644 $(COMPLETION) $(DESTDIR)$(COMPDIR)/exposim
	install -m 644 $(INSTALL_SCENARIOS) $(DESTDIR)$(SHAREDIR)/scenarios/
	@for f in $(INSTALL_DATA); do \
	  install -d "$(DESTDIR)$(SHAREDIR)/$$(dirname $$f)" && install -m 644 "$$f" "$(DESTDIR)$(SHAREDIR)/$$f" || exit 1; \
	done
	install -m 644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)/
	@echo "installed exposim $(VERSION) under $(DESTDIR)$(PREFIX)"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/exposim $(DESTDIR)$(MANDIR)/man1/exposim.1 \
	  $(DESTDIR)$(MANDIR)/man5/exposim-scenario.5 $(DESTDIR)$(COMPDIR)/exposim
	rm -f $(addprefix $(DESTDIR)$(SHAREDIR)/scenarios/,$(notdir $(INSTALL_SCENARIOS)))
	rm -f $(addprefix $(DESTDIR)$(SHAREDIR)/,$(INSTALL_DATA))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INSTALL_DOCS)))
	-find $(DESTDIR)$(SHAREDIR) -depth -type d -empty -delete 2>/dev/null
	-rmdir $(DESTDIR)$(DOCDIR) $(DESTDIR)$(COMPDIR) 2>/dev/null
	@echo "removed exposim from $(DESTDIR)$(PREFIX)"

# make install into a scratch DESTDIR, use what it installed (the program,
# a scenario, the man pages, the completion), make uninstall, and nothing
# may be left (tests/install.sh).
check-install: $(BIN) man
	@sh tests/install.sh $(MAKE)

# --- the report in a browser -------------------------------------------------
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v curl >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(BROWSERPKGS); \
	else echo "make browser-check needs: apt-get install -y $(BROWSERPKGS)"; exit 1; fi

# Every kind of report.html (a run, a sweep, a comparison) opened in
# headless Chromium: fails when an image does not load or the page logs an
# error (tests/browser.sh).  Not part of make check; .ci/run runs it.
browser-check: browser-deps $(BIN)
	@sh tests/browser.sh ./$(BIN)

# Tests find the program under test and the data through the environment.
check test: have-deps $(BIN) $(TEST_BIN) man
	EXPOSIM_BIN=$(abspath $(BIN)) EXPOSIM_TOP=$(CURDIR) EXPOSIM_MAN=$(abspath $(BUILD)/man/exposim-scenario.5) \
	  EXPOSIM_TEST_SAN=$(SAN) $(TEST_SIM_BIN)
	EXPOSIM_BIN=$(abspath $(BIN)) EXPOSIM_TOP=$(CURDIR) EXPOSIM_TEST_SAN=$(SAN) $(TEST_MODELS_BIN)
	@for f in scenarios/*.xml; do ./$(BIN) validate $$f >/dev/null || exit 1; done; \
	  echo "scenario library: every file validates"
	@$(MAKE) --no-print-directory fuzz-replay
	@$(MAKE) --no-print-directory golden
	@$(MAKE) --no-print-directory check-install
	@$(MAKE) --no-print-directory check-mpi

# Every result file of every scenario and sweep in scenarios/ must have the
# bytes recorded in tests/golden/library.sha256 (tests/golden.sh).  A change
# that moves a number records the new hashes (make golden-record) in the same
# commit and says why.
golden: $(BIN)
	@sh tests/golden.sh ./$(BIN) check tests/golden/library.sha256

golden-record: $(BIN)
	@sh tests/golden.sh ./$(BIN) record tests/golden/library.sha256

# A sweep over 2 MPI ranks (a second binary, built with mpicc) must write
# the same sweep.csv and sweep-summary.csv bytes as one process, and one
# replication split across 2 and 3 ranks the same result files
# (tests/mpi_split.sh).  Skipped
# under the sanitizers (Open MPI's own allocations are reported as leaks).
check-mpi: $(BIN)
	@if [ "$(SAN)" = 1 ]; then echo "MPI sweep test: skipped under SAN=1 (make check runs it)"; \
	elif ! command -v mpicc >/dev/null || ! command -v mpirun >/dev/null; then \
	  echo "MPI sweep test: SKIPPED, mpicc/mpirun not found (make deps installs Open MPI)"; \
	else \
	  $(MAKE) --no-print-directory MPI=1 BUILD=build-mpi BIN=build/exposim-mpi build/exposim-mpi \
	  && sh tests/mpi_sweep.sh build/exposim-mpi $(BIN) && sh tests/mpi_split.sh build/exposim-mpi $(BIN); \
	fi

bench: have-deps $(BIN) $(BENCH_BIN)
	$(BENCH_BIN)

# One replication split across MPI ranks against one process: bulk-30 at
# N = 10^7 under mpirun -np 1 and -np 2, alternated, wall time and per-rank
# CPU and peak memory (tests/bench/mpi.sh; docs/cluster.md).
bench-mpi: have-deps
	$(MAKE) --no-print-directory MPI=1 BUILD=build-mpi BIN=build/exposim-mpi build/exposim-mpi
	sh tests/bench/mpi.sh 1 2

# The rows of docs/metrics.md's table "Measured against it" (The estimate):
# validate's estimate and one measured replication of each scenario.
bench-estimate: have-deps $(BIN)
	sh tests/bench/estimate.sh

# Every fuzz target under libFuzzer (tests/fuzz/fuzz_TARGET.c), with ASan
# and UBSan: FUZZ_RUNS inputs each, seed 1, so a run is repeatable, from
# its seeds (the scenario library for `scenario`, tests/fuzz/seeds-TARGET/
# for the others) and what earlier runs learnt (build-fuzz/corpus-TARGET/).
# An input that stops a run is saved as build-fuzz/crash-TARGET-*: copy it
# to tests/fuzz/corpus-TARGET/ with the fix, and `make check` replays it
# for ever.  FUZZ_TARGETS=... runs some only; docs/reliability.md has the
# figures of the long runs.
FUZZ_RUNS ?= 20000
fuzz: have-deps
	@command -v clang >/dev/null || { echo "make fuzz needs clang: apt-get install -y clang"; exit 1; }
	$(MAKE) --no-print-directory FUZZ=1 OPT=-O1 BUILD=build-fuzz $(FUZZ_TARGETS:%=build-fuzz/fuzz_%) \
	  build-fuzz/fake-gnuplot/gnuplot
	@for t in $(FUZZ_TARGETS); do \
	  case $$t in scenario) seeds=scenarios; len=16384;; graphio) seeds=tests/fuzz/seeds-graphio; len=4096;; \
	    collate) seeds=tests/fuzz/seeds-$$t; len=65536;; *) seeds=tests/fuzz/seeds-$$t; len=16384;; esac; \
	  mkdir -p build-fuzz/corpus-$$t; \
	  echo "build-fuzz/fuzz_$$t -runs=$(FUZZ_RUNS) build-fuzz/corpus-$$t $$seeds"; \
	  build-fuzz/fuzz_$$t -seed=1 -runs=$(FUZZ_RUNS) -max_len=$$len -timeout=10 -rss_limit_mb=4096 \
	    -artifact_prefix=build-fuzz/crash-$$t- build-fuzz/corpus-$$t $$seeds || exit 1; \
	done

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKGLIBS)

# gnuplot's stand-in for the plot target: it checks the script instead of
# drawing (tests/fuzz/fake_gnuplot.c), next to the program that uses it.
%/fake-gnuplot/gnuplot: tests/fuzz/fake_gnuplot.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -o $@ $<

# The targets' objects are made through pattern rules: keep them, so that
# make check does not compile them again each time.
.SECONDARY: $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/fuzz_%.o) $(BUILD)/tests/fuzz/replay.o $(FUZZ_LIB_OBJ)

$(BUILD)/tests/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(FUZZ_LIB_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKGLIBS)

# Part of make check: every input in tests/fuzz/corpus-TARGET/ (inputs
# that once stopped a fuzzing run) and the seeds, through each target.
fuzz-replay: $(REPLAY_BIN) $(BUILD)/tests/fake-gnuplot/gnuplot
	@for t in $(FUZZ_TARGETS); do \
	  seeds=tests/fuzz/seeds-$$t; [ $$t = scenario ] && seeds=scenarios; \
	  n=$$($(BUILD)/tests/replay_$$t tests/fuzz/corpus-$$t $$seeds) || { echo "fuzz replay: $$t failed"; exit 1; }; \
	  echo "fuzz replay $$t: $$n"; \
	done

# The sanitized program runs a few times slower: the tests' time limits
# (Check's per-test timeouts) are scaled to match.
sanitize: have-deps
	CK_TIMEOUT_MULTIPLIER=4 $(MAKE) --no-print-directory SAN=1 OPT=-O1 BUILD=build-san BIN=build-san/exposim check

# Check runs tests in the same process here (CK_FORK=no) so that valgrind
# sees them; the program under test runs under valgrind too.
valgrind: have-deps $(BIN) $(TEST_BIN) man
	@command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
	printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect %s "$$@"\n' \
	  "$(abspath $(BIN))" > $(BUILD)/exposim-vg && chmod +x $(BUILD)/exposim-vg
	CK_FORK=no EXPOSIM_BIN=$(abspath $(BUILD)/exposim-vg) EXPOSIM_TOP=$(CURDIR) EXPOSIM_TEST_SLOW=1 \
	  EXPOSIM_MAN=$(abspath $(BUILD)/man/exposim-scenario.5) \
	  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect $(TEST_SIM_BIN)
	CK_FORK=no EXPOSIM_BIN=$(abspath $(BUILD)/exposim-vg) EXPOSIM_TOP=$(CURDIR) EXPOSIM_TEST_SLOW=1 \
	  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect $(TEST_MODELS_BIN)

clean:
	rm -rf build build-san build-mpi build-fuzz bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
