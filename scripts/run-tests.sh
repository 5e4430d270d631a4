#!/bin/sh
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
[ -n "$failed_names" ] && echo "failing:$failed_names"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
