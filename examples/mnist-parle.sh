#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Parle beside SGD and Elastic-SGD on the paper's mnistfc: test error against effective epochs
# (data passes summed over all replicas) for a short budget, as a table and a figure.
# K replicas run as MPI ranks when this deeprelax has MPI and mpirun is installed (USE_MPI=0
# forces one process; the numbers are the same, only the wall time differs).
# Environment: DEEPRELAX (binary), DATA (--data), OUT (default out/examples/mnist-parle),
# THREADS (per process, default 2 in one process, 1 per rank), K (replicas, default 2),
# EPOCHS (per replica, default 3; SGD gets K x EPOCHS so all use the same effective epochs),
# SEED (1).
set -e
DEEPRELAX=${DEEPRELAX:-build/bin/deeprelax}
OUT=${OUT:-out/examples/mnist-parle}
K=${K:-2}
EPOCHS=${EPOCHS:-3}
SEED=${SEED:-1}
[ -x "$DEEPRELAX" ] || { echo "mnist-parle.sh: $DEEPRELAX not built (run make)" >&2; exit 1; }
data_opt=""
[ -n "$DATA" ] && data_opt="--data $DATA"
mkdir -p "$OUT"
mpi=0
if [ "${USE_MPI:-1}" = 1 ] && command -v mpirun >/dev/null 2>&1 &&
   "$DEEPRELAX" train --help | grep -q "with MPI"; then mpi=1; fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

common="--model mnistfc --seed $SEED $data_opt --json"
echo "+ sgd, $((K * EPOCHS)) epochs" >&2
"$DEEPRELAX" train $common --optim sgd --epochs $((K * EPOCHS)) --threads ${THREADS:-2} \
    --log "$OUT/sgd.csv" >"$OUT/sgd.json"
for o in elastic-sgd parle; do
    L=10; [ $o = parle ] && L=25
    echo "+ $o, K = $K, L = $L, $EPOCHS epochs per replica ($([ $mpi = 1 ] && echo "mpirun" || echo "one process"))" >&2
    if [ $mpi = 1 ]; then
        mpirun -q --oversubscribe -np $K "$DEEPRELAX" train $common --optim $o --L $L \
            --epochs $EPOCHS --threads ${THREADS:-1} --log "$OUT/$o.csv" >"$OUT/$o.json"
    else
        "$DEEPRELAX" train $common --optim $o --replicas $K --L $L --epochs $EPOCHS \
            --threads ${THREADS:-2} --log "$OUT/$o.csv" >"$OUT/$o.json"
    fi
done

# one table: optimiser, effective epoch, test error %
{
    echo "optim,effective_epoch,test_error_percent"
    for o in sgd elastic-sgd parle; do
        awk -F, -v o=$o 'NR > 1 { printf "%s,%s,%.3f\n", o, $2, 100 * $5 }' "$OUT/$o.csv"
    done
} >"$OUT/test-error.csv"
{
    echo "| optimiser | effective epochs | test error % | wall s |"
    echo "|---|---|---|---|"
    for o in sgd elastic-sgd parle; do
        awk -F, -v o=$o 'NR > 1 { e = $2; t = $5; s += $6 } END { printf "| %s | %g | %.2f | %.0f |\n", o, e, 100 * t, s }' "$OUT/$o.csv"
    done
} >"$OUT/table.md"
cat "$OUT/table.md"
# the figure (matplotlib: the project's `plot --group` takes numeric groups only)
"${PY:-/usr/bin/python3}" - "$OUT" <<'PYEOF' || echo "mnist-parle.sh: no figure (needs python3-matplotlib)" >&2
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/test-error.csv")))
fig, ax = plt.subplots(figsize=(6.4, 4.2))
for o, mark in (("sgd", "o-"), ("elastic-sgd", "s-"), ("parle", "^-")):
    r = [x for x in rows if x["optim"] == o]
    ax.plot([float(x["effective_epoch"]) for x in r], [float(x["test_error_percent"]) for x in r],
            mark, label=o)
ax.set_xlabel("effective epochs (data passes over all replicas)")
ax.set_ylabel("test error (%)")
ax.set_title("mnistfc on MNIST: Parle, Elastic-SGD (K = 2) and SGD")
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
fig.savefig(f"{out}/test-error.png", dpi=120)
PYEOF
