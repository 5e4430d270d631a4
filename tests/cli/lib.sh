# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the CLI tests: each check prints "PASS name" or "FAIL name: why".
# $DEEPRELAX is the binary, $PY the Python with numpy (set by scripts/run-tests.sh).
DEEPRELAX=${DEEPRELAX:-build/bin/deeprelax}
PY=${PY:-/usr/bin/python3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# expect_error NAME CODE PATTERN -- ARGS...: exit code CODE, exactly one stderr line starting
# "deeprelax: " and matching PATTERN, nothing on stdout.
expect_error() {
    name=$1 code=$2 pattern=$3; shift 4
    "$DEEPRELAX" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" -ne "$code" ]; then fail "$name" "exit $rc, expected $code ($(head -1 "$TMP/err"))"
    elif [ "$lines" -ne 1 ]; then fail "$name" "$lines lines on stderr, expected 1"
    elif ! grep -q "^deeprelax: " "$TMP/err"; then fail "$name" "stderr does not start with 'deeprelax: '"
    elif ! grep -qi -- "$pattern" "$TMP/err"; then fail "$name" "message '$(cat "$TMP/err")' lacks '$pattern'"
    elif [ -s "$TMP/out" ]; then fail "$name" "wrote to stdout"
    else pass "$name"; fi
}

# expect_ok NAME -- ARGS...: exit 0.
expect_ok() {
    name=$1; shift 2
    if "$DEEPRELAX" "$@" >"$TMP/out" 2>"$TMP/err"; then pass "$name"
    else fail "$name" "exit $?: $(head -1 "$TMP/err")"; fi
}
