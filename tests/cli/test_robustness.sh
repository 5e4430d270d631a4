# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks that hostile input gets one clear error line and never a multi-gigabyte allocation:
# grid sizes, IDX headers claiming gigabytes over a short file, model files whose header asks
# for a huge network or whose batch-norm statistics are not finite. The binary runs with its
# address space (or, under ASan, its largest allocation) capped at ~1.5 GB, so a reader that
# allocates what a header claims before checking the data fails these checks.
. "$(dirname "$0")/lib.sh"

REAL=$DEEPRELAX
if grep -q __asan_init "$REAL" 2>/dev/null; then
    cat >"$TMP/capped" <<EOF
#!/bin/sh
ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}max_allocation_size_mb=1500:allocator_may_return_null=1" exec "$REAL" "\$@"
EOF
else
    cat >"$TMP/capped" <<EOF
#!/bin/sh
ulimit -v 1500000 && exec "$REAL" "\$@"
EOF
fi
chmod +x "$TMP/capped"
DEEPRELAX="$TMP/capped"

# Grids: each axis and the product of both are capped (a 2-D solve holds ~500 bytes a point).
expect_error n-huge-1d 2 "out of range" -- solve --landscape paper1d --t 1 --n 1073741824
expect_error n-huge-2d 2 "too many" -- solve --expr "x^2+y^2" --beta 1 --t 1 --n 100000,100000
expect_error pde-n-huge 2 "too many" -- particles --landscape quad2d --algo pde-gd --pde-n 65536,65536
# particles records every step of every particle: 10^6 x 10^8 points would be 10^15 bytes.
expect_error particles-too-many-points 2 "too many points" -- particles --landscape paper1d \
    --algo sgd --sigma 1 --particles 1000000 --steps 100000000

# IDX: a header claiming 1 x 65535 x 65535 images (4 GB) over a file of 100 bytes of data, plain
# and gzip; and a count whose product with 28 x 28 passes the 16 GB limit.
"$PY" - "$TMP" <<'PYEOF' || fail make-files "python could not write the test files"
import gzip, os, struct, sys, zlib
t = sys.argv[1]
def dataset(d, images, gz=False):
    os.makedirs(d)
    labels = struct.pack(">II", 0x801, 2) + bytes([1, 2])
    for part in ("train", "t10k"):
        name = f"{d}/{part}-images-idx3-ubyte"
        if gz: open(name + ".gz", "wb").write(gzip.compress(images))
        else: open(name, "wb").write(images)
        open(f"{d}/{part}-labels-idx1-ubyte", "wb").write(labels)
dataset(f"{t}/huge", struct.pack(">IIII", 0x803, 1, 65535, 65535) + bytes(100))
dataset(f"{t}/hugegz", struct.pack(">IIII", 0x803, 1, 65535, 65535) + bytes(100), gz=True)
dataset(f"{t}/count", struct.pack(">IIII", 0x803, 0xFFFFFFFF, 28, 28) + bytes(100))
dataset(f"{t}/small", struct.pack(">IIII", 0x803, 2, 28, 28) + bytes(2 * 784))

# Model files (nn/model_io.c layout): magic, version 1, layers, batchnorm, two dropout floats,
# 9 widths, parameter and state counts (64-bit), floats, CRC-32 of everything before it.
def model(path, sizes, bn, np_, ns, body):
    w = sizes + [0] * (9 - len(sizes))
    b = b"DRMLP\r\n\x1a" + struct.pack("<IIIff", 1, len(sizes) - 1, bn, 0.0, 0.0)
    b += struct.pack("<9I", *w) + struct.pack("<QQ", np_, ns) + body
    open(path, "wb").write(b + struct.pack("<I", zlib.crc32(b)))
# 2^20-wide hidden layer with batch norm, counts consistent with it, no data: a loader that
# allocates the network before checking the file size asks for terabytes.
H = 1 << 20
model(f"{t}/hugecfg.bin", [H, H, 10], 1, H * H + 2 * H + 10 * H + 10, 2 * H, b"")
# 784-4-10 with batch norm: 784*4 + 2*4 + 4*10 + 10 parameters (zero), then 4 running means
# and 4 running variances.
n = 784 * 4 + 8 + 40 + 10
nan = float("nan")
model(f"{t}/nanmean.bin", [784, 4, 10], 1, n, 8, bytes(4 * n) + struct.pack("<8f", nan, 0, 0, 0, 1, 1, 1, 1))
model(f"{t}/negvar.bin", [784, 4, 10], 1, n, 8, bytes(4 * n) + struct.pack("<8f", 0, 0, 0, 0, 1, 1, -1, 1))
model(f"{t}/good.bin", [784, 4, 10], 1, n, 8, bytes(4 * n) + struct.pack("<8f", 0, 0, 0, 0, 1, 1, 1, 1))
PYEOF

expect_error idx-huge-header 1 "but the model takes 784 inputs" -- train --data "$TMP/huge" --model small --epochs 1 --threads 1
expect_error idx-huge-header-gz 1 "but the model takes 784 inputs" -- train --data "$TMP/hugegz" --model small --epochs 1 --threads 1
expect_error idx-huge-count 1 "bytes of data (the cap)" -- train --data "$TMP/count" --model small --epochs 1 --threads 1

expect_error model-huge-config 1 "truncated model file" -- eval --model-file "$TMP/hugecfg.bin" --data "$TMP/small"
expect_error model-nan-running-mean 1 "running mean 0 of layer 1 is not finite" -- \
    eval --model-file "$TMP/nanmean.bin" --data "$TMP/small"
expect_error model-negative-running-variance 1 "running variance 2 of layer 1 is negative" -- \
    eval --model-file "$TMP/negvar.bin" --data "$TMP/small"
# The same file with sane statistics loads: zero weights give uniform outputs, loss ln 10.
expect_ok model-good-statistics -- eval --model-file "$TMP/good.bin" --data "$TMP/small"

# plot: a binary file is refused before its bytes are quoted back; a curves table with one point
# at its first time fails with one line (and, under ASan, no leak report as a second line).
printf 'x,f\n1,\001\002\033[2J\n' >"$TMP/binary.csv"
expect_error plot-binary 1 "binary data (byte 0x01)" -- plot "$TMP/binary.csv" --png "$TMP/b.png"
printf 't,x,f,u\n0,1,2,2\n' >"$TMP/one.csv"
expect_error plot-one-point 1 "1 point(s) at t = 0; curves need 2" -- plot "$TMP/one.csv" --png "$TMP/o.png"
