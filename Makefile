# SPDX-License-Identifier: GPL-3.0-or-later
# deeprelax build. `make` builds the library and the CLI; see `make help`.
# Sources are found by wildcard, so a new module, test or benchmark needs no edit here:
#   solver/*.c nn/*.c viz/*.c   -> libdeeprelax (static and shared)
#   cli/*.c                     -> the `deeprelax` binary
#   tests/test_*.c              -> one cmocka binary each;  tests/cli/test_*.sh -> CLI checks
#   bench/bench_*.c             -> one benchmark binary each

PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
OPT     ?= -O2 -march=x86-64-v2
# The user's CFLAGS/CPPFLAGS/LDFLAGS (GNU conventions: `make CFLAGS="-O3 -g"`) add to the project's
# own flags below, which are never overridden.
CFLAGS  ?= $(OPT) -g
DR_CPPFLAGS = -Iinclude -D_DEFAULT_SOURCE
DR_CFLAGS   = -std=c11 -Wall -Wextra -fPIC -fopenmp $(SANITIZE) -MMD -MP
DR_LDFLAGS  = -fopenmp $(SANITIZE)
PKGS     = fftw3 gsl libpng zlib libmatheval
# OpenBLAS: the OpenMP build when Debian's libopenblas0-openmp is installed (one OpenMP runtime
# for our loops and the BLAS, and 1.5x the pthread build's training throughput on 2 cores),
# else whatever libopenblas the system's alternatives select.
OPENBLAS_OMP = /usr/lib/$(shell $(CC) -print-multiarch 2>/dev/null)/openblas-openmp
comma := ,
BLAS_LIBS = $(if $(wildcard $(OPENBLAS_OMP)/libopenblas.so.0),-L$(OPENBLAS_OMP) -Wl$(comma)-rpath$(comma)$(OPENBLAS_OMP) -l:libopenblas.so.0,-lopenblas)
# libmvec (glibc's vector math, solver/vmath.c) on x86-64 glibc systems
MVEC_LIBS = $(if $(filter x86_64,$(shell uname -m)),-lmvec)
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null | sed 's/-lgslcblas//') -lfftw3_omp $(BLAS_LIBS) -lgomp $(MVEC_LIBS) -lm
PY      ?= /usr/bin/python3
# The one version source is include/deeprelax/version.h (pkg-config and Python read it from there).
VERSION := $(shell sed -n 's/^#define DR_VERSION "\(.*\)"/\1/p' include/deeprelax/version.h)
PYDIR    = $(PREFIX)/lib/python3/dist-packages

# MPI (optional): `make` uses mpicc's flags when mpicc is on PATH, `make MPI=1` insists on it,
# `make MPI=0` builds without. Only the deeprelax binary links MPI (nn/*_mpi.c with the train
# command's replica driver); libdeeprelax stays MPI-free, so its users and the tests do not
# inherit an MPI runtime, and a binary launched without mpirun never initialises MPI.
MPICC ?= mpicc
ifeq ($(MPI),0)
  HAVE_MPI :=
else ifeq ($(MPI),1)
  HAVE_MPI := $(or $(shell command -v $(MPICC) 2>/dev/null),$(error MPI=1 but $(MPICC) is not on PATH (Debian: apt-get install openmpi-bin libopenmpi-dev)))
else
  HAVE_MPI := $(shell command -v $(MPICC) 2>/dev/null)
endif
MPI_SRC   = $(if $(HAVE_MPI),$(wildcard nn/*_mpi.c))
MPI_FLAGS = $(if $(HAVE_MPI),-DDEEPRELAX_MPI $(shell $(MPICC) --showme:compile 2>/dev/null || $(MPICC) -show 2>/dev/null | sed 's/^[^ ]* //;s/-l[^ ]*//g;s/-L[^ ]*//g'))
MPI_LIBS  = $(if $(HAVE_MPI),$(shell $(MPICC) --showme:link 2>/dev/null || $(MPICC) -link_info 2>/dev/null | sed 's/^[^ ]* //'))

LIB_SRC   = $(filter-out %_mpi.c,$(wildcard solver/*.c nn/*.c viz/*.c))
CLI_SRC   = $(wildcard cli/*.c)
TEST_SRC  = $(wildcard tests/test_*.c)
BENCH_SRC = $(wildcard bench/bench_*.c)
LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ   = $(CLI_SRC:%.c=$(BUILD)/obj/%.o) $(MPI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN  = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
STATIC    = $(BUILD)/libdeeprelax.a
SHARED    = $(BUILD)/libdeeprelax.so
BIN       = $(BUILD)/bin/deeprelax
MAN       = $(BUILD)/deeprelax.1

.PHONY: all deps test check-asan demo gallery bench convergence examples install uninstall clean help man
all: $(STATIC) $(SHARED) $(BIN)

deps:
	@scripts/install-deps.sh build

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(DR_CPPFLAGS) $(CPPFLAGS) $(DR_CFLAGS) $(CFLAGS) -c $< -o $@

# The explore page's template is assembled into its object (.incbin), which -MMD cannot see.
$(BUILD)/obj/cli/explore_page.o: cli/explore_template.html

$(STATIC): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libdeeprelax.so.0 $(DR_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BIN): $(CLI_OBJ) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(DR_LDFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(STATIC) $(LIBS) $(MPI_LIBS)

# the objects that see MPI, rebuilt when MPI is switched on or off (the stamp records the flags)
MPI_STAMP = $(BUILD)/mpi-flags
$(shell mkdir -p $(BUILD); echo '$(MPI_FLAGS)' | cmp -s - $(MPI_STAMP) || echo '$(MPI_FLAGS)' > $(MPI_STAMP))
$(BUILD)/obj/cli/cmd_train.o $(BUILD)/obj/cli/cmd_train_replicas.o $(MPI_SRC:%.c=$(BUILD)/obj/%.o): DR_CFLAGS += $(MPI_FLAGS)
$(BUILD)/obj/cli/cmd_train.o $(BUILD)/obj/cli/cmd_train_replicas.o $(MPI_SRC:%.c=$(BUILD)/obj/%.o): $(MPI_STAMP)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(DR_LDFLAGS) $(LDFLAGS) -o $@ $< $(STATIC) $(LIBS) -lcmocka

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(DR_LDFLAGS) $(LDFLAGS) -o $@ $< $(STATIC) $(LIBS)

# The man page, from the binary's own --help texts (help2man).
man: $(MAN)
$(MAN): $(BIN) scripts/make-man.sh
	scripts/make-man.sh $(BIN) $@

# The test command of the README: installs what is missing, builds, runs every test.
test:
	@scripts/install-deps.sh test
	@$(MAKE) --no-print-directory all $(MAN) $(TEST_BIN)
	@BUILD=$(BUILD) PY=$(PY) scripts/run-tests.sh $(TEST_BIN)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer, in their own build tree.
check-asan:
	@scripts/install-deps.sh test
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	    SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    DEEPRELAX_SANITIZED=1 test

demo:
	@scripts/install-deps.sh demo
	@$(MAKE) --no-print-directory all
	$(BIN) demo --out out

# The paper's claims, one script each (examples/[0-9]*.sh), into out/examples/; each script
# checks its claims against its numbers and fails on one that does not hold. `make test` runs
# them with QUICK=1 (tests/cli/test_examples.sh).
examples:
	@scripts/install-deps.sh demo
	@$(MAKE) --no-print-directory all
	@for s in examples/[0-9]*.sh; do echo "== $$s"; DEEPRELAX=$(BIN) sh $$s >/dev/null || exit 1; done
	@echo "pictures: $$(find out/examples -name '*.png' -o -name '*.gif' | wc -l) files in out/examples/"

.PHONY: notebooks
# The course: every notebook executed headless into out/notebooks/ (.ipynb with outputs, .html).
notebooks:
	@scripts/install-deps.sh test
	@$(MAKE) --no-print-directory all
	DEEPRELAX_LIB=$(CURDIR)/$(SHARED) PYTHONPATH=$(CURDIR)/python $(PY) scripts/run-notebooks.py out/notebooks notebooks/*.ipynb

# The README's pictures: the demo's images and animation, copied into docs/.
gallery:
	@scripts/install-deps.sh demo
	@$(MAKE) --no-print-directory all
	rm -rf $(BUILD)/gallery
	$(BIN) demo --out $(BUILD)/gallery
	cp $(BUILD)/gallery/*.png docs/
	if [ -f $(BUILD)/gallery/paper1d-viscous.gif ]; then cp $(BUILD)/gallery/*.gif docs/; fi

bench:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; ./$$b || exit 1; done
	@for p in bench/*.py; do [ -f "$$p" ] || continue; echo "== $$p"; $(PY) $$p || exit 1; done

# Convergence tables of the finite-difference solver (grids n, 2n, 4n, 8n; see bench/convergence_fd.c).
convergence:
	@$(MAKE) --no-print-directory $(BUILD)/bench/convergence_fd
	./$(BUILD)/bench/convergence_fd

# Fuzz harnesses (tests/fuzz/fuzz_*.c, libFuzzer with ASan and UBSan, clang): `make fuzz` builds
# them into build-fuzz/ from the library's sources compiled with the same instrumentation;
# `make fuzz-run FUZZ_SECONDS=600` runs each in turn on its committed seed corpus
# (tests/fuzz/corpus/NAME, copied into build-fuzz/corpus so the committed one stays small).
# Not part of `make test`: a fuzz run takes minutes, a test seconds.
FUZZ_CC      ?= clang
FUZZ_BUILD    = build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_FLAGS    = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC      = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN      = $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJ  = $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o) $(FUZZ_BUILD)/obj/cli/plot_table.o
FUZZ_LIB      = $(FUZZ_BUILD)/libdeeprelax-fuzz.a
.PHONY: fuzz fuzz-run
.SECONDARY: $(FUZZ_LIB_OBJ)
fuzz: $(FUZZ_BIN)
$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^
$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(DR_CPPFLAGS) -Icli -std=c11 -fopenmp $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_BUILD)/%: tests/fuzz/%.c tests/fuzz/fuzz_util.h $(FUZZ_LIB)
	$(FUZZ_CC) $(DR_CPPFLAGS) -Icli -std=c11 -fopenmp $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_LIB) $(LIBS)
fuzz-run: fuzz
	@for b in $(FUZZ_BIN); do n=$$(basename $$b); mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
	    echo "== $$n ($(FUZZ_SECONDS) s)"; \
	    $$b -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	        $(FUZZ_BUILD)/corpus/$$n tests/fuzz/corpus/$$n || exit 1; done

install: all $(MAN)
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/deeprelax \
	    $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 $(MAN) $(DESTDIR)$(PREFIX)/share/man/man1/deeprelax.1
	install -m 644 share/deeprelax.bash-completion \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/deeprelax
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/libdeeprelax.so.0
	ln -sf libdeeprelax.so.0 $(DESTDIR)$(PREFIX)/lib/libdeeprelax.so
	install -m 644 include/deeprelax/*.h $(DESTDIR)$(PREFIX)/include/deeprelax/
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBS@|$(LIBS)|' -e 's|@VERSION@|$(VERSION)|' deeprelax.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/deeprelax.pc
	install -d $(DESTDIR)$(PYDIR)/deeprelax
	install -m 644 python/deeprelax/*.py $(DESTDIR)$(PYDIR)/deeprelax/
	@# A system prefix: refresh the loader's cache (a private prefix needs none: the Python
	@# package finds the library relative to itself, the CLI is linked statically).
	if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && { [ "$(PREFIX)" = /usr ] || grep -qsx "$(PREFIX)/lib" /etc/ld.so.conf /etc/ld.so.conf.d/*.conf; }; then ldconfig; fi

# Removes exactly what `make install` put there (same PREFIX and DESTDIR).
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libdeeprelax.a $(DESTDIR)$(PREFIX)/lib/libdeeprelax.so \
	    $(DESTDIR)$(PREFIX)/lib/libdeeprelax.so.0 $(DESTDIR)$(PREFIX)/bin/deeprelax \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/deeprelax.pc $(DESTDIR)$(PREFIX)/share/man/man1/deeprelax.1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/deeprelax
	rm -rf $(DESTDIR)$(PREFIX)/include/deeprelax $(DESTDIR)$(PYDIR)/deeprelax
	if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && { [ "$(PREFIX)" = /usr ] || grep -qsx "$(PREFIX)/lib" /etc/ld.so.conf /etc/ld.so.conf.d/*.conf; }; then ldconfig; fi

clean:
	rm -rf build build-asan build-fuzz

help:
	@echo "make            library ($(STATIC), $(SHARED)) and CLI ($(BIN))"
	@echo "make test       install missing Debian packages, build, run all tests"
	@echo "make check-asan the tests under AddressSanitizer + UBSan"
	@echo "make demo       the main job: writes pictures and a report into out/"
	@echo "make notebooks  the course, executed into out/notebooks/ (.ipynb and .html)"
	@echo "make examples   the paper's claims, one script each, into out/examples/"
	@echo "make bench      benchmarks, printed as side-by-side ratios"
	@echo "make fuzz       libFuzzer harnesses (clang, ASan+UBSan) into build-fuzz/"
	@echo "make fuzz-run FUZZ_SECONDS=600  runs each harness that long on its seed corpus"
	@echo "make convergence  finite-difference convergence tables (orders vs exact solvers)"
	@echo "make gallery    the README's pictures, regenerated into docs/"
	@echo "make install PREFIX=DIR   library, headers, CLI, man page, completion, pkg-config, Python"
	@echo "make uninstall PREFIX=DIR removes what install put there"
	@echo "make man        the man page build/deeprelax.1 from the --help texts"
	@echo "make MPI=1 / MPI=0  require / leave out MPI (default: used when mpicc is found)"

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
