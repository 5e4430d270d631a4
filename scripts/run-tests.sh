#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every cmocka test binary given as argument, then every CLI test script in tests/cli/,
# and closes with one summary line "tests: N passed, M failed" (counted per test case).
# Exit status: 0 when nothing failed.
BUILD=${BUILD:-build}
export DEEPRELAX="$PWD/$BUILD/bin/deeprelax" PY="${PY:-/usr/bin/python3}"
passed=0; failed=0; failed_names=""
log=$(mktemp); trap 'rm -f "$log"' EXIT
for t in "$@"; do
    echo "== $t"
    "./$t" >"$log" 2>&1; rc=$?
    cat "$log"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    if [ $rc -ne 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); failed_names="$failed_names $t"; fi
    [ -n "$f" ] && [ "$f" != 0 ] && failed_names="$failed_names $t"
done
for s in tests/cli/test_*.sh; do
    [ -f "$s" ] || continue
    echo "== $s"
    sh "$s" >"$log" 2>&1; rc=$?
    cat "$log"
    p=$(grep -c '^PASS ' "$log"); f=$(grep -c '^FAIL ' "$log")
    passed=$((passed + p)); failed=$((failed + f))
    if [ $rc -ne 0 ] && [ "$f" = 0 ]; then failed=$((failed + 1)); fi
    [ $rc -ne 0 ] && failed_names="$failed_names $s"
done
# The Python package's tests (tests/python, Debian's python3-pytest), against this build's
# library. Not under the sanitizers: an ASan library cannot be loaded into an uninstrumented
# python3 (the C code they exercise is the same the cmocka and CLI tests check there).
if ls tests/python/test_*.py >/dev/null 2>&1; then
    echo "== tests/python"
    if nm -D "$BUILD/libdeeprelax.so" 2>/dev/null | grep -q __asan_init; then
        echo "skipped: the library is built with AddressSanitizer"
    elif ! "$PY" -c "import pytest, numpy" 2>/dev/null; then
        echo "FAIL tests/python: $PY lacks pytest or numpy (scripts/install-deps.sh test)"
        failed=$((failed + 1)); failed_names="$failed_names tests/python"
    else
        DEEPRELAX_LIB="$PWD/$BUILD/libdeeprelax.so" BUILD="$BUILD" \
            "$PY" -m pytest -q -p no:cacheprovider tests/python >"$log" 2>&1; rc=$?
        cat "$log"
        # the summary line: "N failed, M passed, K errors in S s" (any subset, any order)
        summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error)' "$log" | tail -1)
        p=$(echo "$summary" | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
        f=$(echo "$summary" | sed -n 's/.*\b\([0-9][0-9]*\) failed.*/\1/p')
        e=$(echo "$summary" | sed -n 's/.*\b\([0-9][0-9]*\) errors\{0,1\}\b.*/\1/p')
        passed=$((passed + ${p:-0})); f=$((${f:-0} + ${e:-0}))
        # exit 1 = some tests failed (counted above); 2-5 = interrupted, internal or usage
        # error, nothing collected: a failure even when no test was counted as failing
        if [ $rc -ne 0 ] && [ $f -eq 0 ]; then f=1; fi
        failed=$((failed + f))
        [ $rc -ne 0 ] && failed_names="$failed_names tests/python"
    fi
fi
[ -n "$failed_names" ] && echo "failing:$failed_names"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
