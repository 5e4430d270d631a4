# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks of `deeprelax solve`: outputs in each format agree with the closed form, and every
# bad input gets one error line with the right exit code.
. "$(dirname "$0")/lib.sh"

# quad, viscous: u = x^2/(2(1+t)) + log(1+t)/(2 beta) (closed form), from the CSV.
expect_ok solve-csv -- solve --landscape quad --beta 10 --t 0.5,1 --n 401 --out "$TMP/q.csv"
"$PY" - "$TMP/q.csv" <<'PYEOF' && pass solve-csv-closed-form || fail solve-csv-closed-form "see above"
import sys, numpy as np
d = np.genfromtxt(sys.argv[1], delimiter=",", names=True)
assert d.dtype.names == ("t", "x", "f", "u", "du_dx"), d.dtype.names
assert len(d) == 802
exact = d["x"]**2 / (2 * (1 + d["t"])) + np.log(1 + d["t"]) / 20
err = np.abs(d["u"] - exact).max()
gerr = np.abs(d["du_dx"] - d["x"] / (1 + d["t"])).max()
assert err < 1e-9 and gerr < 1e-8, (err, gerr)
# rows ordered by t, then x ascending
assert np.all(np.diff(d["t"]) >= 0) and np.all(np.diff(d["x"][:401]) > 0)
PYEOF

# 2-D npy: the same table as a (rows, 7) float64 array, x fastest.
expect_ok solve-npy-2d -- solve --landscape quad2d --beta 10 --t 1 --n 65,33 --out "$TMP/q2.npy"
"$PY" - "$TMP/q2.npy" <<'PYEOF' && pass solve-npy-2d-layout || fail solve-npy-2d-layout "see above"
import sys, numpy as np
a = np.load(sys.argv[1])
assert a.shape == (65 * 33, 7) and a.dtype == np.float64, (a.shape, a.dtype)
t, x, y, f, u = a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4]
assert np.all(np.diff(x[:65]) > 0) and np.all(y[:65] == y[0])
exact = (x**2 + y**2) / 4 + np.log(2) / 10
assert np.abs(u - exact).max() < 1e-9, np.abs(u - exact).max()
assert np.abs(f - (x**2 + y**2) / 2).max() < 1e-12
PYEOF

# Inviscid abs: Hopf-Lax closed form x^2/(2t) for |x| <= t, |x| - t/2 beyond.
expect_ok solve-json-hopflax -- solve --landscape abs --t 0.5 --n 601 --json --out "$TMP/a.csv"
"$PY" - "$TMP/out" "$TMP/a.csv" <<'PYEOF' && pass solve-json-and-abs || fail solve-json-and-abs "see above"
import sys, json, numpy as np
j = json.load(open(sys.argv[1]))
for key in ("method", "dim", "n", "domain", "beta", "t", "seconds", "min_u", "argmin_u"):
    assert key in j, key
assert j["method"] == "hopf-lax" and j["beta"] == "inf" and j["dim"] == 1 and j["n"] == [601]
assert j["min_u"][0] == 0.0 and j["argmin_u"][0] == [0.0]
d = np.genfromtxt(sys.argv[2], delimiter=",", names=True)
x, t = d["x"], 0.5
exact = np.where(np.abs(x) <= t, x**2 / (2 * t), np.abs(x) - t / 2)
assert np.abs(d["u"] - exact).max() < 1e-12, np.abs(d["u"] - exact).max()
PYEOF

# Expressions, 2-D inferred from y; PNG pictures.
expect_ok solve-expr-2d-png -- solve --expr "(x^2 + y^2)/2" --domain -2:2,-2:2 --n 33 --beta 5 --t 0.5 --png "$TMP/e.png"
if [ -s "$TMP/e.png" ] && head -c 8 "$TMP/e.png" | grep -q PNG; then pass solve-png-written; else fail solve-png-written "no PNG"; fi
expect_ok solve-1d-png -- solve --landscape paper1d --beta 10 --t 0.1,0.3 --png "$TMP/p.png"
if [ -s "$TMP/p.png" ]; then pass solve-1d-png-written; else fail solve-1d-png-written "no PNG"; fi

# The figure style (docs/STYLE.md) of both solve figures, 1-D curves and 2-D heatmaps: the kept
# script sets a title, both axis labels and a legend or colour-bar title; --svg parses as XML.
# himmelblau's four minima of f are equal (0): all four are marked on f's panel; its u panels
# span under a quarter of f's 0..890 range, so each gets its own colour bar (no shared cbrange).
# gnuplot's files are kept only for a picture, as in widen, particles and plot
expect_error solve-keep-alone 2 "keep-plot-data needs a picture" -- solve --landscape quad --t 1 \
    --keep-plot-data "$TMP/k0"
expect_ok solve-svg-1d -- solve --landscape paper1d --beta 10 --t 0.1 --svg "$TMP/s1.svg" \
    --keep-plot-data "$TMP/k1"
expect_ok solve-svg-2d -- solve --landscape himmelblau --beta 1 --t 0.1,1 --n 101 --svg "$TMP/s2.svg" \
    --pdf "$TMP/s2.pdf" --keep-plot-data "$TMP/k2"
if "$PY" tests/cli/check_figure.py script "$TMP/k1/solve.gp" "$TMP/k2/solve.gp" &&
    "$PY" tests/cli/check_figure.py svg "$TMP/s1.svg" "$TMP/s2.svg"; then pass solve-figure-style
else fail solve-figure-style "see above"; fi
"$PY" - "$TMP/k2/solve.gp" <<'PYEOF' && pass solve-2d-marks-and-scales || fail solve-2d-marks-and-scales "see above"
import sys
text = open(sys.argv[1]).read()
blocks = text.split("'-' using 1:2 with points")
assert len(blocks) == 4, "a marks block per panel"
marks_f = blocks[1].split("\ne\n")[0].strip().splitlines()[1:]
assert len(marks_f) == 4, marks_f
assert "set cbrange" not in text, "one shared scale would flatten himmelblau's u panels"
PYEOF
expect_error solve-pdf-ext 2 "--pdf must end in .pdf" -- solve --landscape quad --t 1 --pdf "$TMP/x.svg"

# Bad input: one line, exit 2 for usage errors, 1 for failures.
expect_error no-source 2 "exactly one of" -- solve --t 1
expect_error two-sources 2 "exactly one of" -- solve --landscape quad --expr x --t 1
expect_error no-times 2 "--t is required" -- solve --landscape quad
expect_error negative-t 2 "positive" -- solve --landscape quad --t -1
expect_error zero-t 2 "positive" -- solve --landscape quad --t 0,1
expect_error bad-number 2 "not a finite number" -- solve --landscape quad --t 1x
expect_error nan-t 2 "number" -- solve --landscape quad --t nan
expect_error bad-beta 2 "beta" -- solve --landscape quad --t 1 --beta -3
expect_error unknown-option 2 "unknown option" -- solve --landscape quad --t 1 --frobnicate
expect_error unknown-landscape 2 "unknown landscape" -- solve --landscape nope --t 1
expect_error bad-expr 2 "parse" -- solve --expr "x^^2" --t 1
expect_error unknown-variable 2 "unknown variable 'z'" -- solve --expr "x + z" --t 1
expect_error grid-too-small 2 "too small" -- solve --landscape quad --t 1 --n 3
expect_error n-two-values-1d 2 "1-D" -- solve --landscape quad --t 1 --n 10,10
expect_error domain-empty 2 "empty interval" -- solve --landscape quad --t 1 --domain 2:1
expect_error domain-dim 2 "interval" -- solve --landscape quad2d --t 1 --domain -1:1
expect_error heat-needs-beta 2 "finite --beta" -- solve --landscape quad --t 1 --method heat
expect_error hopflax-no-beta 2 "inviscid" -- solve --landscape quad --t 1 --method hopf-lax --beta 3
expect_error unknown-method 2 "unknown method" -- solve --landscape quad --t 1 --method magic
expect_error unknown-engine 2 "unknown heat engine" -- solve --landscape quad --t 1 --beta 1 --engine gpu
expect_error bad-out-ext 2 ".csv or .npy" -- solve --landscape quad --t 1 --out x.txt
expect_error missing-input 1 "cannot open" -- solve --input "$TMP/does-not-exist.csv" --t 1
expect_error unwritable-out 1 "cannot write" -- solve --landscape quad --t 1 --out /nonexistent/dir/x.csv
printf 'x,f\n0,1\n1,nan\n' >"$TMP/nan.csv"
expect_error nan-in-data 1 "nan" -- solve --input "$TMP/nan.csv" --t 1
expect_error unknown-command 2 "unknown command" -- frobnicate
