# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks of `deeprelax sharpness` on a small generated IDX data set (no MNIST needed): the
# summary's JSON, float32 against float64, 1-D views that agree with `eval` at their end points,
# pictures, and one clear error line for each kind of bad input.
. "$(dirname "$0")/lib.sh"

# the data of test_train_cli.sh (a lit 7x7 block per class, plus noise), and a 14x14 set that
# no 28x28 model can read
"$PY" - "$TMP/data" "$TMP/data14" <<'PYEOF' || fail make-data "python could not write the IDX files"
import gzip, os, sys, numpy as np
rng = np.random.default_rng(3)
def write(d, name, n, side):
    os.makedirs(d, exist_ok=True)
    y = rng.integers(0, 10, n).astype(np.uint8)
    x = (rng.random((n, side, side)) * 90).astype(np.uint8)
    b = side // 4
    for i, k in enumerate(y):
        r, c = divmod(int(k), 4)
        x[i, b*r:b*r+b, b*c:b*c+b] = 255
    with gzip.open(f"{d}/{name}-images-idx3-ubyte.gz", "wb") as f:
        f.write(np.array([0x803, n, side, side], ">u4").tobytes() + x.tobytes())
    with open(f"{d}/{name}-labels-idx1-ubyte", "wb") as f:
        f.write(np.array([0x801, n], ">u4").tobytes() + y.tobytes())
write(sys.argv[1], "train", 600, 28); write(sys.argv[1], "t10k", 200, 28)
write(sys.argv[2], "train", 100, 14); write(sys.argv[2], "t10k", 50, 14)
PYEOF
D="$TMP/data"

expect_ok train-a -- train --data "$D" --model small --epochs 2 --batch 50 --threads 1 \
    --save "$TMP/a.bin"
expect_ok train-b -- train --data "$D" --model small --epochs 2 --batch 50 --threads 1 \
    --seed 2 --save "$TMP/b.bin"

# the summary: eigenvalues descending with residuals, a trace with its error, local entropy
# below the local energy at the same sigma^2 = gamma/beta (Jensen), within the MC errors
expect_ok summary-json -- sharpness --model-file "$TMP/a.bin" --data "$D" --samples 300 \
    --top-k 3 --hutchinson 6 --gamma 0.01 --beta 100 --nodes 2 --langevin-steps 40 \
    --burn-in 10 --sigma 0.01,0.03 --mc 4 --threads 1 --json --out "$TMP/s.json"
cp "$TMP/out" "$TMP/summary.json"
"$PY" - "$TMP/summary.json" "$TMP/s.json" <<'PYEOF' && pass summary-fields || fail summary-fields "see above"
import json, math, sys
j = json.load(open(sys.argv[1])); k = json.load(open(sys.argv[2]))
assert j == k, "--out differs from stdout"
assert j["samples"] == 300 and j["batchnorm"].startswith("eval") and j["dropout"] == "off", j
ev = j["top_eigenvalues"]
assert len(ev) == 3 and all(math.isfinite(v) for v in ev) and ev[0] >= ev[1] >= ev[2], ev
assert ev[0] > 0, ev
assert all(b >= 0 for b in j["eigenvalue_bounds"])
assert j["trace"] is not None and j["trace_stderr"] > 0, j
le = j["local_entropy"][0]
assert le["gamma"] == 0.01 and 0 < le["acceptance"] <= 1, le
assert le["value"] <= le["local_energy_at_sigma"] + 3 * le["mc_error"] + 3 * le["quad_error"], le
e = j["local_energy"]
assert len(e) == 2 and e[0]["value"] < e[1]["value"], e  # wider noise, higher loss
PYEOF

# float32 and float64 give the same top eigenvalue (same seed: same start vector)
expect_ok summary-double -- sharpness --model-file "$TMP/a.bin" --data "$D" --samples 300 \
    --top-k 1 --hutchinson 0 --precision double --threads 1 --json
cp "$TMP/out" "$TMP/double.json"
expect_ok summary-float -- sharpness --model-file "$TMP/a.bin" --data "$D" --samples 300 \
    --top-k 1 --hutchinson 0 --threads 1 --json
"$PY" - "$TMP/double.json" "$TMP/out" <<'PYEOF' && pass float-vs-double || fail float-vs-double "see above"
import json, sys
d = json.load(open(sys.argv[1]))["top_eigenvalues"][0]
f = json.load(open(sys.argv[2]))["top_eigenvalues"][0]
assert abs(d - f) <= 1e-4 * abs(d), (d, f)  # float32 HVPs: ~1e-6 relative
PYEOF

# --filter-normalised: the same measures of D H D (the library test checks their invariance);
# here the report names its coordinates and the weight norms match the plain run's
expect_ok summary-fn -- sharpness --model-file "$TMP/a.bin" --data "$D" --samples 300 \
    --top-k 1 --hutchinson 4 --sigma 0.1 --mc 2 --filter-normalised --threads 1 --json
"$PY" - "$TMP/out" "$TMP/summary.json" <<'PYEOF' && pass filter-normalised || fail filter-normalised "see above"
import json, sys
fn, plain = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert fn["coordinates"].startswith("filter-normalised"), fn["coordinates"]
assert plain["coordinates"] == "weights", plain["coordinates"]
assert len(fn["weight_norms"]) == 3 and all(x > 0 for x in fn["weight_norms"])
assert fn["weight_norms"] == plain["weight_norms"]
assert fn["top_eigenvalues"][0] > 0 and fn["trace"] == fn["trace"]  # a number, not NaN
assert fn["top_eigenvalues"][0] != plain["top_eigenvalues"][0]
PYEOF
expect_error fn-not-a-view 2 "summary" -- sharpness --model-file "$TMP/a.bin" --direction \
    --filter-normalised --out "$TMP/v.csv"

# the interpolation's end points are the two models' own test losses (`eval`, same eval mode)
expect_ok eval-a -- eval --model-file "$TMP/a.bin" --data "$D" --json --threads 1
cp "$TMP/out" "$TMP/eval_a.json"
expect_ok eval-b -- eval --model-file "$TMP/b.bin" --data "$D" --json --threads 1
cp "$TMP/out" "$TMP/eval_b.json"
expect_ok interpolate -- sharpness --model-file "$TMP/a.bin" --interpolate "$TMP/b.bin" \
    --data "$D" --samples 0 --range 0:1:5 --threads 1 --out "$TMP/interp.csv" \
    --plot "$TMP/interp.png"
expect_ok direction -- sharpness --model-file "$TMP/a.bin" --direction --data "$D" \
    --samples 0 --range -1:1:5 --threads 1 --out "$TMP/dir.csv" --plot "$TMP/dir.png"
"$PY" - "$TMP" <<'PYEOF' && pass line-endpoints || fail line-endpoints "see above"
import csv, json, sys
t = sys.argv[1]
rows = list(csv.DictReader(open(f"{t}/interp.csv")))
ea, eb = (json.load(open(f"{t}/eval_{x}.json")) for x in "ab")
key = "test_loss" if "test_loss" in ea else "loss"
assert len(rows) == 5 and float(rows[0]["a"]) == 0 and float(rows[-1]["a"]) == 1
assert abs(float(rows[0]["test_loss"]) - ea[key]) <= 1e-6 * ea[key], (rows[0], ea)
assert abs(float(rows[-1]["test_loss"]) - eb[key]) <= 1e-6 * eb[key], (rows[-1], eb)
d = list(csv.DictReader(open(f"{t}/dir.csv")))
assert float(d[2]["a"]) == 0 and abs(float(d[2]["test_loss"]) - ea[key]) <= 1e-6 * ea[key]
assert float(d[0]["train_loss"]) > float(d[2]["train_loss"]) < float(d[4]["train_loss"]), d
for p in ("interp.png", "dir.png"):
    assert open(f"{t}/{p}", "rb").read(8) == b"\x89PNG\r\n\x1a\n", p
PYEOF

expect_ok density -- sharpness --model-file "$TMP/a.bin" --data "$D" --samples 200 --top-k 0 \
    --hutchinson 0 --slq 2 --slq-steps 10 --density "$TMP/dens.csv" --plot "$TMP/dens.png" \
    --threads 1
"$PY" - "$TMP/dens.csv" <<'PYEOF' && pass density-normalised || fail density-normalised "see above"
import csv, sys
r = [(float(a["eigenvalue"]), float(a["density"])) for a in csv.DictReader(open(sys.argv[1]))]
area = sum((r[i + 1][0] - r[i][0]) * (r[i + 1][1] + r[i][1]) / 2 for i in range(len(r) - 1))
assert abs(area - 1) < 0.02, area  # SLQ weights sum to 1; the grid covers +-5 widths
PYEOF

# bad input
expect_error no-model 2 "model-file is required" -- sharpness --data "$D"
expect_error missing-model 1 "nope.bin" -- sharpness --model-file "$TMP/nope.bin" --data "$D"
expect_error data-mismatch 1 "do not match" -- sharpness --model-file "$TMP/a.bin" \
    --data "$TMP/data14" --threads 1
expect_error k-too-large 2 "top-k" -- sharpness --model-file "$TMP/a.bin" --data "$D" \
    --top-k 100000000
expect_error gamma-zero 2 "gamma must be positive" -- sharpness --model-file "$TMP/a.bin" \
    --data "$D" --gamma 0.1,0
expect_error gamma-negative 2 "gamma must be positive" -- sharpness --model-file "$TMP/a.bin" \
    --data "$D" --gamma -1
expect_error bad-out 2 "json" -- sharpness --model-file "$TMP/a.bin" --data "$D" --out x.txt
expect_error line-needs-csv 2 "csv" -- sharpness --model-file "$TMP/a.bin" --direction \
    --data "$D"
expect_error odd-nodes 2 "even" -- sharpness --model-file "$TMP/a.bin" --data "$D" --nodes 3
expect_error bad-precision 2 "precision" -- sharpness --model-file "$TMP/a.bin" --precision half
expect_ok train-mnistfc -- train --data "$D" --model mnistfc --epochs 1 --train-samples 100 \
    --batch 50 --threads 1 --save "$TMP/big.bin"
expect_error different-networks 1 "different networks" -- sharpness --model-file "$TMP/a.bin" \
    --interpolate "$TMP/big.bin" --data "$D" --out "$TMP/x.csv"
