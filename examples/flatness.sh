#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The paper's claim on a real network: Entropy-SGD finds a wider minimum than SGD for the same
# budget (Chaudhari et al. 2018, sections 1 and 7; Chaudhari et al. 2017, figure 4's Hessian
# spectra). Trains mnistfc by SGD and by Entropy-SGD at equal effective epochs, then measures both
# minima with `deeprelax sharpness`: top Hessian eigenvalues (Lanczos), trace (Hutchinson), local
# energy E f(x + sigma z) - f(x) and local entropy f_gamma(x) - f(x) (thermodynamic integration
# over Entropy-SGD's inner Langevin chains), the interpolation between the two minima and a
# filter-normalised direction through each. Writes OUT/table.md and the figures, states the
# claim, and exits 1 if the measurements do not support it (see below).
#
# Batch norm makes the plain measures compare weight norms as well as shapes: rescaling a
# neuron's incoming weights by alpha (and its running statistics) leaves f unchanged and scales
# that neuron's Hessian block by 1/alpha^2 (Dinh et al. 2017). So every minimum is also measured
# in filter-normalised coordinates (`sharpness --filter-normalised`: D H D and relative sigma,
# D = each weight row's RMS), which that rescaling does not change. One seed is not evidence
# (the BLAS's thread count alone changes the trained model and flips plain comparisons), so the
# script trains SEEDS pairs and compares seed by seed: the claim is taken to hold for a measure
# when Entropy-SGD's value is lower for a majority of seeds and its mean is lower.
#
# Short budgets by default so that it runs in about 6 minutes on one core (train on the first
# TRAIN_SAMPLES=5000 examples, 10 effective epochs each: SGD 10 epochs, Entropy-SGD L=5 x 2
# epochs; the flatness measures over SAMPLES=500 training examples). The authors' budgets are
# examples/mnist-table.sh's job. f is in eval mode: batch norm's running statistics, no dropout.
# The claim asserted (exit 1 if it fails): Entropy-SGD's minimum is wider in the
# filter-normalised coordinates (lower lambda_1 and local energy at the largest relative sigma);
# the plain measures are reported beside it.
# Environment: DEEPRELAX, DATA (--data), OUT (default out/flatness), THREADS (1), SEEDS
# ("1 2 3 4 5"), TRAIN_SAMPLES, SGD_EPOCHS (10), ESGD_L (5), ESGD_EPOCHS (2), SAMPLES, SIGMAS
# (absolute), SIGMAS_FN (relative), GAMMAS, BETA, PY, REUSE (1: measure the models already in
# OUT/seed*).
set -e
DEEPRELAX=${DEEPRELAX:-build/bin/deeprelax}
OUT=${OUT:-out/flatness}
THREADS=${THREADS:-1}
SEEDS=${SEEDS:-1 2 3 4 5}
TRAIN_SAMPLES=${TRAIN_SAMPLES:-5000}
SGD_EPOCHS=${SGD_EPOCHS:-10}
ESGD_L=${ESGD_L:-5}
ESGD_EPOCHS=${ESGD_EPOCHS:-2}
SAMPLES=${SAMPLES:-500}
SIGMAS=${SIGMAS:-0.001,0.003,0.01,0.03}
SIGMAS_FN=${SIGMAS_FN:-0.01,0.03,0.1}
GAMMAS=${GAMMAS:-0.01,0.1}
BETA=${BETA:-1000}
PY=${PY:-python3}
data_opt=""
[ -n "$DATA" ] && data_opt="--data $DATA"
[ -x "$DEEPRELAX" ] || { echo "flatness.sh: $DEEPRELAX not built (run make)" >&2; exit 1; }
mkdir -p "$OUT"
dr() { echo "+ deeprelax $*" >&2; "$DEEPRELAX" "$@"; }

for seed in $SEEDS; do
    dir="$OUT/seed$seed"
    mkdir -p "$dir"
    # REUSE=1 keeps the models of an earlier run (the measurements are then redone)
    if [ "${REUSE:-0}" = 1 ] && [ -f "$dir/sgd.bin" ] && [ -f "$dir/entropy-sgd.bin" ]; then
        echo "reusing $dir/sgd.bin and $dir/entropy-sgd.bin" >&2
    else
        # shellcheck disable=SC2086
        dr train $data_opt --model mnistfc --optim sgd --epochs "$SGD_EPOCHS" \
            --train-samples "$TRAIN_SAMPLES" --threads "$THREADS" --seed "$seed" \
            --log "$dir/sgd.csv" --save "$dir/sgd.bin"
        # shellcheck disable=SC2086
        dr train $data_opt --model mnistfc --optim entropy-sgd --L "$ESGD_L" \
            --epochs "$ESGD_EPOCHS" --train-samples "$TRAIN_SAMPLES" --threads "$THREADS" \
            --seed "$seed" --log "$dir/entropy-sgd.csv" --save "$dir/entropy-sgd.bin"
    fi
    for opt in sgd entropy-sgd; do
        # shellcheck disable=SC2086
        dr sharpness $data_opt --model-file "$dir/$opt.bin" --samples "$SAMPLES" --top-k 3 \
            --hutchinson 10 --sigma "$SIGMAS" --mc 4 --gamma "$GAMMAS" --beta "$BETA" --nodes 2 \
            --langevin-steps 20 --burn-in 5 --threads "$THREADS" --seed "$seed" --quiet \
            --out "$dir/$opt.json" >/dev/null
        # shellcheck disable=SC2086
        dr sharpness $data_opt --model-file "$dir/$opt.bin" --samples "$SAMPLES" --top-k 3 \
            --hutchinson 10 --sigma "$SIGMAS_FN" --mc 4 --filter-normalised \
            --threads "$THREADS" --seed "$seed" --quiet --out "$dir/$opt-fn.json" >/dev/null
    done
done

# the 1-D views of the first seed's pair
set -- $SEEDS
first="$OUT/seed$1"
for opt in sgd entropy-sgd; do
    # shellcheck disable=SC2086
    dr sharpness $data_opt --model-file "$first/$opt.bin" --direction --samples 2000 \
        --range -1:1:21 --threads "$THREADS" --seed "$1" --out "$OUT/$opt-direction.csv" \
        --plot "$OUT/$opt-direction.png" >/dev/null
done
# shellcheck disable=SC2086
dr sharpness $data_opt --model-file "$first/sgd.bin" --interpolate "$first/entropy-sgd.bin" \
    --samples 2000 --range -0.5:1.5:21 --threads "$THREADS" --out "$OUT/interpolation.csv" \
    --plot "$OUT/interpolation.png" >/dev/null

# the table, the curves' CSVs and the verdict
"$PY" - "$OUT" $SEEDS <<'PYEOF'
import csv, json, math, sys
out, seeds = sys.argv[1], sys.argv[2:]
opts = ("sgd", "entropy-sgd")
def load(seed, o, fn):
    return json.load(open(f"{out}/seed{seed}/{o}{'-fn' if fn else ''}.json"))
def test_error(seed, o):
    rows = list(csv.DictReader(open(f"{out}/seed{seed}/{o}.csv")))
    return float(rows[-1]["effective_epoch"]), 100 * float(rows[-1]["test_error"])
R = {(s, o, fn): load(s, o, fn) for s in seeds for o in opts for fn in (0, 1)}
first = R[(seeds[0], "sgd", 0)]
sig, sig_fn = ([e["sigma"] for e in first["local_energy"]],
               [e["sigma"] for e in R[(seeds[0], "sgd", 1)]["local_energy"]])
gam = [e["gamma"] for e in first["local_entropy"]]
# (name, value of (seed, optimiser), lower is wider?) for every row of the table
measures = [("test error %", lambda s, o: test_error(s, o)[1], None),
            (f"f (train, {first['samples']} examples, eval mode)", lambda s, o: R[(s, o, 0)]["loss"], None),
            ("weight norm |W_1|, |W_2|, |W_3| (sum)", lambda s, o: sum(R[(s, o, 0)]["weight_norms"]), None)]
for fn, tag in ((0, ""), (1, " [filter-normalised]")):
    measures.append((f"lambda_1{tag}", lambda s, o, fn=fn: R[(s, o, fn)]["top_eigenvalues"][0], True))
    measures.append((f"tr H{tag} (Hutchinson, 10 vectors)", lambda s, o, fn=fn: R[(s, o, fn)]["trace"], True))
    for k, x in enumerate(sig_fn if fn else sig):
        measures.append((f"local energy, sigma {x:g}{' relative' if fn else ''}",
                         lambda s, o, fn=fn, k=k: R[(s, o, fn)]["local_energy"][k]["value"], True))
for k, g in enumerate(gam):
    measures.append((f"f_gamma - f, gamma {g:g}, beta {first['beta']:g}",
                     lambda s, o, k=k: R[(s, o, 0)]["local_entropy"][k]["value"], True))
def stats(v):
    m = sum(v) / len(v)
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else float("nan")
    return m, sd
verdict = {}
with open(f"{out}/table.md", "w") as t:
    eff = test_error(seeds[0], "sgd")[0]
    t.write(f"mnistfc, {eff:g} effective epochs each, seeds {' '.join(seeds)}: mean +- std over "
            f"{len(seeds)} seeds; the last column counts the seeds where Entropy-SGD's value is "
            "lower.\n\n| | SGD | Entropy-SGD | Entropy-SGD lower |\n|---|---|---|---|\n")
    for name, f, lower_is_wider in measures:
        cells, vals = [], {}
        for o in opts:
            vals[o] = [f(s, o) for s in seeds]
            m, sd = stats(vals[o])
            cells.append(f"{m:.3g} +- {sd:.2g}")
        wins = sum(e < g for g, e in zip(vals["sgd"], vals["entropy-sgd"]))
        t.write(f"| {name} | {cells[0]} | {cells[1]} | {wins} of {len(seeds)} |\n")
        if lower_is_wider:
            verdict[name] = (wins, stats(vals["sgd"])[0], stats(vals["entropy-sgd"])[0])
for name, xs, key, col, fn in (("local-energy", sig, "local_energy", "sigma", 0),
                               ("local-energy-fn", sig_fn, "local_energy", "relative sigma", 1),
                               ("local-entropy", gam, "local_entropy", "gamma", 0)):
    with open(f"{out}/{name}.csv", "w") as f:
        q = key  # the column names are the legend and the y axis's label
        f.write(f"{col.replace(' ', '_')},{q}_SGD,{q}_EntropySGD\n")
        for k, x in enumerate(xs):
            m = [stats([R[(s, o, fn)][key][k]["value"] for s in seeds])[0] for o in opts]
            f.write(f"{x},{m[0]},{m[1]}\n")
print(open(f"{out}/table.md").read())
def holds(name):
    wins, a, b = verdict[name]
    return 2 * wins > len(seeds) and b < a
print("claim (Chaudhari et al.): Entropy-SGD's minimum is wider than SGD's at equal effective epochs")
for name in verdict:
    wins, a, b = verdict[name]
    print(f"  {name}: SGD {a:.4g}, Entropy-SGD {b:.4g} (lower for {wins} of {len(seeds)} seeds)"
          f" -> {'wider' if holds(name) else 'NOT wider'}")
asserted = ["lambda_1 [filter-normalised]", f"local energy, sigma {sig_fn[-1]:g} relative"]
ok = all(holds(n) for n in asserted)
print(("claim holds" if ok else "claim FAILS") + " in filter-normalised coordinates (" +
      ", ".join(asserted) + ")")
open(f"{out}/verdict.txt", "w").write("holds\n" if ok else "fails\n")
PYEOF
dr plot "$OUT/local-energy.csv" --kind lines --x sigma --log --logx \
    --title "local energy E f(x + sigma z) - f(x), mean over seeds" --png "$OUT/local-energy.png"
dr plot "$OUT/local-energy-fn.csv" --kind lines --x relative_sigma --log --logx \
    --title "local energy, filter-normalised (sigma relative to each row's RMS), mean over seeds" \
    --png "$OUT/local-energy-fn.png"
dr plot "$OUT/local-entropy.csv" --kind lines --x gamma --logx \
    --title "local entropy f_gamma(x) - f(x), beta = $BETA" --png "$OUT/local-entropy.png"
echo "figures: $OUT/interpolation.png $OUT/sgd-direction.png $OUT/entropy-sgd-direction.png" \
    "$OUT/local-energy.png $OUT/local-energy-fn.png $OUT/local-entropy.png"
[ "$(cat "$OUT/verdict.txt")" = holds ]
