#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The paper's claim on a real network: Entropy-SGD finds a wider minimum than SGD for the same
# budget (Chaudhari et al. 2018, sections 1 and 7; Chaudhari et al. 2017, figure 4's Hessian
# spectra). Trains mnistfc by SGD and by Entropy-SGD at equal effective epochs, then measures both
# minima with `deeprelax sharpness`: top Hessian eigenvalues (Lanczos), trace (Hutchinson), local
# energy E f(x + sigma z) - f(x) and local entropy f_gamma(x) - f(x) (thermodynamic integration
# over Entropy-SGD's inner Langevin chains), the interpolation between the two minima and a
# filter-normalised direction through each. Writes OUT/table.md and the figures, states the
# claim, and exits 1 if the measurements do not support it (lower top eigenvalue, trace and
# local energy at the largest sigma for Entropy-SGD).
#
# Short budgets by default so that it runs in a few minutes on 2 cores (train on the first
# TRAIN_SAMPLES=5000 examples, 10 effective epochs each: SGD 10 epochs, Entropy-SGD L=5 x 2
# epochs; the flatness measures over SAMPLES=500 training examples). The authors' budgets are
# examples/mnist-table.sh's job. f is in eval mode: batch norm's running statistics, no dropout.
# Environment: DEEPRELAX, DATA (--data), OUT (default out/flatness), THREADS (2), SEED (1),
# TRAIN_SAMPLES, SGD_EPOCHS (10), ESGD_L (5), ESGD_EPOCHS (2), SAMPLES, SIGMAS, GAMMAS, BETA, PY,
# REUSE (1: measure the models already in OUT).
set -e
DEEPRELAX=${DEEPRELAX:-build/bin/deeprelax}
OUT=${OUT:-out/flatness}
THREADS=${THREADS:-2}
SEED=${SEED:-1}
TRAIN_SAMPLES=${TRAIN_SAMPLES:-5000}
SGD_EPOCHS=${SGD_EPOCHS:-10}
ESGD_L=${ESGD_L:-5}
ESGD_EPOCHS=${ESGD_EPOCHS:-2}
SAMPLES=${SAMPLES:-500}
SIGMAS=${SIGMAS:-0.001,0.003,0.01,0.03}
GAMMAS=${GAMMAS:-0.01,0.1}
BETA=${BETA:-1000}
PY=${PY:-python3}
data_opt=""
[ -n "$DATA" ] && data_opt="--data $DATA"
[ -x "$DEEPRELAX" ] || { echo "flatness.sh: $DEEPRELAX not built (run make)" >&2; exit 1; }
mkdir -p "$OUT"
dr() { echo "+ deeprelax $*" >&2; "$DEEPRELAX" "$@"; }

# REUSE=1 keeps the models of an earlier run in OUT (the measurements are then redone)
if [ "${REUSE:-0}" = 1 ] && [ -f "$OUT/sgd.bin" ] && [ -f "$OUT/entropy-sgd.bin" ]; then
    echo "reusing $OUT/sgd.bin and $OUT/entropy-sgd.bin" >&2
else
    # shellcheck disable=SC2086
    dr train $data_opt --model mnistfc --optim sgd --epochs "$SGD_EPOCHS" \
        --train-samples "$TRAIN_SAMPLES" --threads "$THREADS" --seed "$SEED" \
        --log "$OUT/sgd.csv" --save "$OUT/sgd.bin"
    # shellcheck disable=SC2086
    dr train $data_opt --model mnistfc --optim entropy-sgd --L "$ESGD_L" \
        --epochs "$ESGD_EPOCHS" --train-samples "$TRAIN_SAMPLES" --threads "$THREADS" \
        --seed "$SEED" --log "$OUT/entropy-sgd.csv" --save "$OUT/entropy-sgd.bin"
fi

for opt in sgd entropy-sgd; do
    # shellcheck disable=SC2086
    dr sharpness $data_opt --model-file "$OUT/$opt.bin" --samples "$SAMPLES" --top-k 3 \
        --hutchinson 10 --sigma "$SIGMAS" --mc 4 --gamma "$GAMMAS" --beta "$BETA" --nodes 2 \
        --langevin-steps 20 --burn-in 5 --threads "$THREADS" --seed "$SEED" --out "$OUT/$opt.json"
    # shellcheck disable=SC2086
    dr sharpness $data_opt --model-file "$OUT/$opt.bin" --direction --samples 2000 \
        --range -1:1:21 --threads "$THREADS" --seed "$SEED" --out "$OUT/$opt-direction.csv" \
        --plot "$OUT/$opt-direction.png" >/dev/null
done
# shellcheck disable=SC2086
dr sharpness $data_opt --model-file "$OUT/sgd.bin" --interpolate "$OUT/entropy-sgd.bin" \
    --samples 2000 --range -0.5:1.5:21 --threads "$THREADS" --out "$OUT/interpolation.csv" \
    --plot "$OUT/interpolation.png" >/dev/null

# the table, the curves' CSVs and the verdict
"$PY" - "$OUT" <<'PYEOF'
import csv, json, sys
out = sys.argv[1]
r = {o: json.load(open(f"{out}/{o}.json")) for o in ("sgd", "entropy-sgd")}
test = {}
for o in r:
    rows = list(csv.DictReader(open(f"{out}/{o}.csv")))
    test[o] = (float(rows[-1]["effective_epoch"]), 100 * float(rows[-1]["test_error"]))
sig = [e["sigma"] for e in r["sgd"]["local_energy"]]
gam = [e["gamma"] for e in r["sgd"]["local_entropy"]]
with open(f"{out}/table.md", "w") as t:
    t.write("| | SGD | Entropy-SGD |\n|---|---|---|\n")
    def row(name, f):
        t.write(f"| {name} | {f('sgd')} | {f('entropy-sgd')} |\n")
    row("effective epochs", lambda o: f"{test[o][0]:g}")
    row("test error %", lambda o: f"{test[o][1]:.2f}")
    row(f"f (train, {r['sgd']['samples']} examples, eval mode)", lambda o: f"{r[o]['loss']:.5f}")
    for i in range(3):
        row(f"lambda_{i + 1} (Lanczos, {r['sgd']['lanczos_steps']} steps)",
            lambda o: f"{r[o]['top_eigenvalues'][i]:.4g}")
    row("tr H (Hutchinson, 10 vectors)", lambda o: f"{r[o]['trace']:.4g} +- {r[o]['trace_stderr']:.2g}")
    for k, s in enumerate(sig):
        row(f"local energy, sigma {s:g}", lambda o: "{:.3g} +- {:.1g}".format(
            r[o]["local_energy"][k]["value"], r[o]["local_energy"][k]["stderr"]))
    for k, g in enumerate(gam):
        row(f"f_gamma - f, gamma {g:g}, beta {r['sgd']['beta']:g}", lambda o: "{:.3g} +- {:.1g}".format(
            r[o]["local_entropy"][k]["value"], r[o]["local_entropy"][k]["mc_error"]))
for name, xs, key, ekey, col in (("local-energy", sig, "local_energy", "stderr", "sigma"),
                                 ("local-entropy", gam, "local_entropy", "mc_error", "gamma")):
    with open(f"{out}/{name}.csv", "w") as f:
        q = name.replace("-", "_")  # the column names are the legend and the y axis's label
        f.write(f"{col},{q}_SGD,{q}_EntropySGD\n")
        for k, x in enumerate(xs):
            f.write(f"{x},{r['sgd'][key][k]['value']},{r['entropy-sgd'][key][k]['value']}\n")
print(open(f"{out}/table.md").read())
s, e = r["sgd"], r["entropy-sgd"]
checks = [("top eigenvalue", s["top_eigenvalues"][0], e["top_eigenvalues"][0]),
          ("trace", s["trace"], e["trace"]),
          (f"local energy at sigma {sig[-1]:g}", s["local_energy"][-1]["value"],
           e["local_energy"][-1]["value"])]
print("claim (Chaudhari et al.): Entropy-SGD's minimum is wider than SGD's at equal effective epochs")
ok = True
for name, a, b in checks:
    holds = b < a
    ok &= holds
    print(f"  {name}: SGD {a:.4g}, Entropy-SGD {b:.4g} -> {'wider' if holds else 'NOT wider'}")
print("claim holds" if ok else "claim FAILS at this budget")
open(f"{out}/verdict.txt", "w").write("holds\n" if ok else "fails\n")
PYEOF
dr plot "$OUT/local-energy.csv" --kind lines --x sigma --log --logx \
    --title "local energy E f(x + sigma z) - f(x) of the two minima" --png "$OUT/local-energy.png"
dr plot "$OUT/local-entropy.csv" --kind lines --x gamma --logx \
    --title "local entropy f_gamma(x) - f(x), beta = $BETA" --png "$OUT/local-entropy.png"
echo "figures: $OUT/interpolation.png $OUT/sgd-direction.png $OUT/entropy-sgd-direction.png" \
    "$OUT/local-energy.png $OUT/local-entropy.png"
[ "$(cat "$OUT/verdict.txt")" = holds ]
