# SPDX-License-Identifier: GPL-3.0-or-later
# Elastic-SGD and Parle replicas: K in-process replicas reproduce themselves, and (when this
# deeprelax was built with MPI and mpirun is installed) K MPI ranks give the same final weights
# as K in-process replicas with the same seeds (to 1e-6 relative; the reduction sums floats in
# double, so in practice bit for bit), the same log twice, and a rank with an unreadable data
# file or a killed rank ends every rank non-zero within 10 s with one error line.
. "$(dirname "$0")/lib.sh"

make_block_digits "$TMP/data" 5 400 100
D="$TMP/data"
# a data set whose training images are cut short: the reader must refuse it
mkdir "$TMP/bad" && cp "$D"/* "$TMP/bad/" &&
    head -c 3000 "$D/train-images-idx3-ubyte.gz" >"$TMP/bad/train-images-idx3-ubyte.gz"

# model files: 80-byte header, float32 parameters and running statistics, CRC-32
same_weights() {
    "$PY" - "$1" "$2" <<'PYEOF'
import sys, numpy as np
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
assert len(a) == len(b) and a[:80] == b[:80], "different headers or sizes"
x, y = (np.frombuffer(t[80:-4], "<f4").astype(np.float64) for t in (a, b))
rel = np.max(np.abs(x - y)) / np.max(np.abs(x))
assert rel <= 1e-6, f"max relative difference {rel:.3g}"
PYEOF
}

common="--data $D --model small --epochs 2 --batch 40 --threads 1"
for o in elastic-sgd parle; do
    expect_ok "inproc-$o" -- train $common --optim $o --replicas 2 --L 4 --log "$TMP/$o-a.csv" \
        --save "$TMP/$o-a.bin"
    expect_ok "inproc-$o-again" -- train $common --optim $o --replicas 2 --L 4 \
        --log "$TMP/$o-b.csv" --save "$TMP/$o-b.bin"
    if cut -d, -f1-5 "$TMP/$o-a.csv" >"$TMP/x" && cut -d, -f1-5 "$TMP/$o-b.csv" >"$TMP/y" &&
       cmp -s "$TMP/x" "$TMP/y" && same_weights "$TMP/$o-a.bin" "$TMP/$o-b.bin"; then
        pass "inproc-$o-reproducible"
    else fail "inproc-$o-reproducible" "logs or weights differ"; fi
done
# the test error of the mean must be learnt (class blocks are trivially separable)
awk -F, 'END { exit !($5 < 0.10) }' "$TMP/parle-a.csv" && pass parle-learns \
    || fail parle-learns "$(tail -1 "$TMP/parle-a.csv")"

# a launcher's environment without a usable MPI run: one line, exit 2
OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=0 expect_error mpi-sgd-refused 2 "mpi" -- \
    train $common --optim sgd

if ! "$DEEPRELAX" train --help | grep -q "with MPI"; then
    echo "SKIP mpi: this deeprelax was built without MPI (make MPI=1 needs libopenmpi-dev)"
    exit 0
fi
if ! command -v mpirun >/dev/null 2>&1; then
    echo "SKIP mpi: mpirun not installed (openmpi-bin)"
    exit 0
fi
# CI runs as root; OpenMPI's leaks are not ours (ASan builds)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
MPIRUN="mpirun -q --allow-run-as-root --oversubscribe"

for case in "2 elastic-sgd" "4 parle" "4 elastic-sgd"; do
    set -- $case
    K=$1 o=$2 name="mpi-np$1-$2"
    "$DEEPRELAX" train $common --optim $o --replicas $K --L 3 --log "$TMP/ref.csv" \
        --save "$TMP/ref.bin" >/dev/null 2>"$TMP/err" || fail "$name" "in-process run failed"
    ok=1
    for run in 1 2; do
        timeout 120 $MPIRUN -np $K "$DEEPRELAX" train $common --optim $o --L 3 \
            --log "$TMP/mpi$run.csv" --save "$TMP/mpi$run.bin" >"$TMP/out" 2>"$TMP/err" ||
            { ok=0; fail "$name" "mpirun exit $?: $(head -1 "$TMP/err")"; }
    done
    [ $ok = 1 ] || continue
    same_weights "$TMP/ref.bin" "$TMP/mpi1.bin" && pass "$name-weights-as-inprocess" \
        || fail "$name-weights-as-inprocess" "see above"
    cut -d, -f1-5 "$TMP/ref.csv" >"$TMP/x"; cut -d, -f1-5 "$TMP/mpi1.csv" >"$TMP/y"
    cut -d, -f1-5 "$TMP/mpi2.csv" >"$TMP/z"
    cmp -s "$TMP/x" "$TMP/y" && pass "$name-log-as-inprocess" \
        || fail "$name-log-as-inprocess" "$(diff "$TMP/x" "$TMP/y" | head -3)"
    cmp -s "$TMP/y" "$TMP/z" && pass "$name-same-log-twice" \
        || fail "$name-same-log-twice" "$(diff "$TMP/y" "$TMP/z" | head -3)"
    grep -q "K = $K replicas (one per MPI rank" "$TMP/out" && pass "$name-header" \
        || fail "$name-header" "$(head -1 "$TMP/out")"
done

# rank 1 of 2 reads a truncated data file: every rank exits non-zero within 10 s, one line
start=$(date +%s)
timeout 10 $MPIRUN -np 1 "$DEEPRELAX" train $common --optim elastic-sgd : \
    -np 1 "$DEEPRELAX" train --data "$TMP/bad" --model small --epochs 2 --batch 40 \
    --threads 1 --optim elastic-sgd >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] || [ $rc -eq 124 ]; then fail mpi-bad-data "exit $rc (124: timed out)"
elif [ "$(wc -l <"$TMP/err")" -ne 1 ]; then fail mpi-bad-data "$(wc -l <"$TMP/err") stderr lines"
elif ! grep -q "^deeprelax: rank 1 of 2: .*train-images" "$TMP/err"; then
    fail mpi-bad-data "message: $(cat "$TMP/err")"
else pass mpi-bad-data; fi

# a rank killed mid-run: mpirun ends the job, non-zero, well within 10 s
$MPIRUN -np 2 "$DEEPRELAX" train --data "$D" --model small --epochs 100000 --batch 40 \
    --threads 1 --optim elastic-sgd >/dev/null 2>"$TMP/err" &
job=$!
victim=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    victim=$(pgrep -f -P $job "deeprelax train" | tail -1)
    [ -n "$victim" ] && break
    sleep 0.5
done
sleep 1
if [ -z "$victim" ]; then fail mpi-killed-rank "no rank process found"; kill $job
else
    kill -9 "$victim"
    t0=$(date +%s)
    ( sleep 10; kill -9 $job 2>/dev/null ) & guard=$!
    wait $job; rc=$?
    kill $guard 2>/dev/null
    dt=$(( $(date +%s) - t0 ))
    if [ $rc -ne 0 ] && [ $dt -lt 10 ]; then pass mpi-killed-rank
    else fail mpi-killed-rank "exit $rc after ${dt}s"; fi
fi
