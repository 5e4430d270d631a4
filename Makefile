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
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -fPIC -fopenmp -Iinclude $(SANITIZE) -MMD -MP
PKGS     = fftw3 gsl libpng zlib libmatheval
# OpenBLAS: the OpenMP build when Debian's libopenblas0-openmp is installed (one OpenMP runtime
# for our loops and the BLAS, and 1.5x the pthread build's training throughput on 2 cores),
# else whatever libopenblas the system's alternatives select.
OPENBLAS_OMP = /usr/lib/$(shell $(CC) -print-multiarch 2>/dev/null)/openblas-openmp
comma := ,
BLAS_LIBS = $(if $(wildcard $(OPENBLAS_OMP)/libopenblas.so.0),-L$(OPENBLAS_OMP) -Wl$(comma)-rpath$(comma)$(OPENBLAS_OMP) -l:libopenblas.so.0,-lopenblas)
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null | sed 's/-lgslcblas//') -lfftw3_omp $(BLAS_LIBS) -lgomp -lm
LDFLAGS += -fopenmp $(SANITIZE)
PY      ?= /usr/bin/python3

LIB_SRC   = $(wildcard solver/*.c nn/*.c viz/*.c)
CLI_SRC   = $(wildcard cli/*.c)
TEST_SRC  = $(wildcard tests/test_*.c)
BENCH_SRC = $(wildcard bench/bench_*.c)
LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ   = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN  = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
STATIC    = $(BUILD)/libdeeprelax.a
SHARED    = $(BUILD)/libdeeprelax.so
BIN       = $(BUILD)/bin/deeprelax

.PHONY: all deps test check-asan demo gallery bench convergence examples install clean help
all: $(STATIC) $(SHARED) $(BIN)

deps:
	@scripts/install-deps.sh build

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# The explore page's template is assembled into its object (.incbin), which -MMD cannot see.
$(BUILD)/obj/cli/explore_page.o: cli/explore_template.html

$(STATIC): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libdeeprelax.so.0 $(LDFLAGS) -o $@ $^ $(LIBS)

$(BIN): $(CLI_OBJ) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(STATIC) $(LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(STATIC) $(LIBS) -lcmocka

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(STATIC) $(LIBS)

# The test command of the README: installs what is missing, builds, runs every test.
test:
	@scripts/install-deps.sh test
	@$(MAKE) --no-print-directory all $(TEST_BIN)
	@BUILD=$(BUILD) PY=$(PY) scripts/run-tests.sh $(TEST_BIN)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer, in their own build tree.
check-asan:
	@scripts/install-deps.sh test
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	    SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" test

demo:
	@scripts/install-deps.sh demo
	@$(MAKE) --no-print-directory all
	$(BIN) demo --out out

# The paper's claims, one script each (examples/[0-9]*.sh), into out/examples/.
examples:
	@scripts/install-deps.sh demo
	@$(MAKE) --no-print-directory all
	@for s in examples/[0-9]*.sh; do echo "== $$s"; DEEPRELAX=$(BIN) sh $$s >/dev/null || exit 1; done
	@echo "pictures: $$(find out/examples -name '*.png' -o -name '*.gif' | wc -l) files in out/examples/"

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

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/deeprelax \
	    $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/libdeeprelax.so.0
	ln -sf libdeeprelax.so.0 $(DESTDIR)$(PREFIX)/lib/libdeeprelax.so
	install -m 644 include/deeprelax/*.h $(DESTDIR)$(PREFIX)/include/deeprelax/
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBS@|$(LIBS)|' deeprelax.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/deeprelax.pc

clean:
	rm -rf build build-asan

help:
	@echo "make            library ($(STATIC), $(SHARED)) and CLI ($(BIN))"
	@echo "make test       install missing Debian packages, build, run all tests"
	@echo "make check-asan the tests under AddressSanitizer + UBSan"
	@echo "make demo       the main job: writes pictures and a report into out/"
	@echo "make examples   the paper's claims, one script each, into out/examples/"
	@echo "make bench      benchmarks, printed as side-by-side ratios"
	@echo "make convergence  finite-difference convergence tables (orders vs exact solvers)"
	@echo "make gallery    the README's pictures, regenerated into docs/"
	@echo "make install PREFIX=DIR"

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
