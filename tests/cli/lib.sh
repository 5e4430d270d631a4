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

# A small IDX data set in DIR (ten classes of 28x28 images: class k lights a 7x7 block at cell k
# of a 4x4 grid, plus uniform noise, so a network that learns anything gets them right).
# Usage: make_block_digits DIR SEED N_TRAIN N_TEST
make_block_digits() {
    "$PY" - "$@" <<'PYEOF' || fail make-data "python could not write the IDX files"
import gzip, os, sys, numpy as np
d, seed, ntrain, ntest = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
os.makedirs(d)
rng = np.random.default_rng(seed)
def write(name, n):
    y = rng.integers(0, 10, n).astype(np.uint8)
    x = (rng.random((n, 28, 28)) * 90).astype(np.uint8)
    for i, k in enumerate(y):
        r, c = divmod(int(k), 4)
        x[i, 7*r:7*r+7, 7*c:7*c+7] = 255
    with gzip.open(f"{d}/{name}-images-idx3-ubyte.gz", "wb") as f:
        f.write(np.array([0x803, n, 28, 28], ">u4").tobytes() + x.tobytes())
    with open(f"{d}/{name}-labels-idx1-ubyte", "wb") as f:
        f.write(np.array([0x801, n], ">u4").tobytes() + y.tobytes())
write("train", ntrain); write("t10k", ntest)
PYEOF
}
