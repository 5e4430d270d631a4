# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks of `deeprelax particles`: the trajectory table in both formats, the JSON summary
# (final, basins, and with --compare the Gibbs-mean error and path distance), same seed same
# bytes, pictures, and every bad input.
. "$(dirname "$0")/lib.sh"

# gd on quad from x0 = 2, eta = 0.1: x_k = 0.9^k * 2 exactly (grad f = x); CSV layout.
expect_ok particles-csv -- particles --landscape quad --algo gd --x0 2 --eta 0.1 --steps 20 --particles 2 --out "$TMP/gd.csv"
"$PY" - "$TMP/gd.csv" <<'PYEOF' && pass particles-csv-closed-form || fail particles-csv-closed-form "see above"
import sys, numpy as np
d = np.genfromtxt(sys.argv[1], delimiter=",", names=True)
assert d.dtype.names == ("particle", "step", "x", "f"), d.dtype.names
assert len(d) == 2 * 21
k = d["step"]
assert np.abs(d["x"] - 2 * 0.9**k).max() < 1e-12
assert np.abs(d["f"] - d["x"]**2 / 2).max() < 1e-12
assert list(d["particle"][:21]) == [0] * 21 and list(d["particle"][21:]) == [1] * 21
PYEOF

# 2-D npy: (particles * (steps+1), 5) float64, columns particle, step, x, y, f.
expect_ok particles-npy-2d -- particles --landscape quad2d --algo langevin --beta 10 --eta 0.01 --x0 1,-1 --particles 3 --steps 10 --out "$TMP/l.npy"
"$PY" - "$TMP/l.npy" <<'PYEOF' && pass particles-npy-layout || fail particles-npy-layout "see above"
import sys, numpy as np
a = np.load(sys.argv[1])
assert a.shape == (33, 5) and a.dtype == np.float64, a.shape
assert np.all(a[:, 1] == np.tile(np.arange(11), 3))
assert np.abs(a[:, 4] - (a[:, 2]**2 + a[:, 3]**2) / 2).max() < 1e-12
assert np.all(a[a[:, 1] == 0][:, 2:4] == [1, -1])
PYEOF

# JSON: final and basins; the paper's toy from 2.5 with entropy-sgd (the documented setting of
# tests/test_particles.c). Measured here: 37 of 40 reach the global basin with seed 1, 37-40 over
# seeds 1-12 (a per-particle rate near 0.97, binomial sd 1.1 per 40); asserted >= 35 of 40.
expect_ok particles-json-basins -- particles --landscape paper1d --algo entropy-sgd --x0 2.5 --spread 0.05 --particles 40 --gamma 0.5 --beta 1 --L 100 --eta-inner 0.01 --eta 0.05 --steps 400 --json
"$PY" - "$TMP/out" <<'PYEOF' && pass particles-json-global-basin || fail particles-json-global-basin "see above"
import sys, json
j = json.load(open(sys.argv[1]))
for key in ("algo", "final", "basins", "seed", "particles"):
    assert key in j, key
assert j["algo"] == "entropy-sgd" and j["particles"] == 40
assert abs(sum(b["fraction"] for b in j["basins"]) - 1) < 1e-12
g = [b for b in j["basins"] if b["global"]]
assert len(g) == 1 and abs(g[0]["minimiser"][0] + 0.2418) < 0.01 and g[0]["fraction"] >= 0.875, j["basins"]
assert "gibbs_mean_error" not in j
PYEOF

# --compare on quad: the exact Gibbs mean is x/(1 + gamma) (closed form); the uniform average's
# spread falls as L^-1/2 (slope within 0.1); the path distance to pde-gd is reported.
expect_ok particles-compare -- particles --landscape quad --algo entropy-sgd --x0 2 --gamma 0.2 --beta 1 --eta-inner 0.01 --L 200 --steps 20 --compare --json
"$PY" - "$TMP/out" <<'PYEOF' && pass particles-compare-json || fail particles-compare-json "see above"
import sys, json
j = json.load(open(sys.argv[1]))
g = j["gibbs_mean_error"]
assert abs(g["exact"][0] - 2 / 1.2) < 1e-10, g["exact"]
assert abs(g["uniform_summary"]["slope"] + 0.5) < 0.1, g["uniform_summary"]
rows = g["uniform"]
assert rows[-1]["rmse"] < rows[0]["rmse"] / 10
avg = g["averaged"]   # alpha = 0.75: the spread stops falling
assert avg[-1]["spread"] > 0.5 * avg[2]["spread"]
p = j["path_distance"]
assert p["reference"] == "pde-gd (heat)" and 0 <= p["final"] <= p["max"], p
PYEOF

# hj compares with Hopf-Lax; pde-gd has no path distance; beta = inf has no Gibbs study.
expect_ok particles-hj-compare -- particles --landscape quad2d --algo hj --x0 2,1 --gamma 0.5 --beta inf --L 100 --eta-inner 0.05 --steps 20 --compare --json
"$PY" - "$TMP/out" <<'PYEOF' && pass particles-hj-reference || fail particles-hj-reference "see above"
import sys, json
j = json.load(open(sys.argv[1]))
assert j["gibbs_mean_error"] is None
assert j["path_distance"]["reference"] == "pde-gd (hopf-lax)" and j["path_distance"]["max"] < 0.05
PYEOF

# Same seed, same bytes; another seed differs.
"$DEEPRELAX" particles --landscape paper1d --algo sgd --sigma 2 --eta 0.01 --x0 1 --particles 3 --steps 50 --seed 5 --out "$TMP/a.csv" >/dev/null 2>&1
"$DEEPRELAX" particles --landscape paper1d --algo sgd --sigma 2 --eta 0.01 --x0 1 --particles 3 --steps 50 --seed 5 --out "$TMP/b.csv" >/dev/null 2>&1
"$DEEPRELAX" particles --landscape paper1d --algo sgd --sigma 2 --eta 0.01 --x0 1 --particles 3 --steps 50 --seed 6 --out "$TMP/c.csv" >/dev/null 2>&1
if cmp -s "$TMP/a.csv" "$TMP/b.csv" && ! cmp -s "$TMP/a.csv" "$TMP/c.csv"; then pass particles-same-seed-same-bytes
else fail particles-same-seed-same-bytes "outputs differ for one seed or agree across seeds"; fi

# Pictures.
expect_ok particles-png-1d -- particles --landscape paper1d --algo entropy-sgd --x0 2.5 --particles 3 --steps 50 --png "$TMP/p1.png"
expect_ok particles-png-2d -- particles --landscape sharp-wide2d --algo elastic-sgd --x0 2,2 --eta 0.01 --particles 3 --steps 50 --png "$TMP/p2.png"
if head -c 8 "$TMP/p1.png" | grep -q PNG && head -c 8 "$TMP/p2.png" | grep -q PNG; then pass particles-png-written
else fail particles-png-written "no PNG"; fi

# The figure style (docs/STYLE.md) in 1-D and 2-D: the kept script sets a title, both axis labels
# and a legend; the SVG parses. himmelblau's four minima are all 0, so gd from anywhere ends in a
# global basin: the title says 100% and all four are marked (four rows in particles-global.dat).
expect_ok particles-svg-1d -- particles --landscape paper1d --algo sgd --sigma 3 --eta 0.01 --x0 2.5 \
    --particles 10 --steps 50 --svg "$TMP/s1.svg" --keep-plot-data "$TMP/k1"
expect_ok particles-svg-2d -- particles --landscape himmelblau --algo gd --eta 0.01 --spread 1.5 \
    --particles 12 --steps 100 --svg "$TMP/s2.svg" --pdf "$TMP/s2.pdf" --keep-plot-data "$TMP/k2"
if "$PY" tests/cli/check_figure.py script "$TMP/k1/particles.gp" "$TMP/k2/particles.gp" &&
    "$PY" tests/cli/check_figure.py svg "$TMP/s1.svg" "$TMP/s2.svg"; then pass particles-figure-style
else fail particles-figure-style "see above"; fi
# paper1d from x = 2.5 at sigma = 3: SGD stays in the basin of 2.65 (the test above), 0% global
if grep -q "set title 'sgd on paper1d, gradient noise σ = 3: 0% end in a global basin'" "$TMP/k1/particles.gp" &&
    grep -q "set title 'gd on himmelblau: 100% end in a global basin'" "$TMP/k2/particles.gp" &&
    [ "$(grep -c '^[-0-9]' "$TMP/k2/particles-global.dat")" -eq 4 ] &&
    [ "$(head -c 5 "$TMP/s2.pdf")" = "%PDF-" ]; then pass particles-figure-content
else fail particles-figure-content "title, global minima or PDF not as expected"; fi

# Bad input: one line, exit 2 for usage errors, 1 for failures.
expect_error particles-no-algo 2 "--algo is required" -- particles --landscape quad
expect_error particles-bad-algo 2 "unknown algorithm" -- particles --landscape quad --algo adam
expect_error particles-no-source 2 "exactly one of" -- particles --algo gd
expect_error particles-x0-dim 2 "1-D" -- particles --landscape quad --algo gd --x0 1,2
expect_error particles-bad-eta 2 "eta" -- particles --landscape quad --algo gd --eta -1
expect_error particles-bad-alpha 2 "alpha" -- particles --landscape quad --algo entropy-sgd --alpha 1.5
expect_error particles-bad-number 2 "not a finite number" -- particles --landscape quad --algo gd --eta 0.1x
expect_error particles-sgd-sigma 2 "sigma" -- particles --landscape quad --algo sgd
expect_error particles-bad-out 2 ".csv or .npy" -- particles --landscape quad --algo gd --out x.txt
expect_error particles-bad-png 2 ".png" -- particles --landscape quad --algo gd --png x.jpg
expect_error particles-unknown-option 2 "" -- particles --landscape quad --algo gd --frobnicate
expect_error particles-diverges 1 "diverged" -- particles --landscape quad --algo gd --eta 3 --steps 2000 --x0 1
expect_error particles-leaves-box 1 "left the solver's box" -- particles --landscape quad --algo pde-gd --x0 4.9 --eta 5 --steps 3
expect_error particles-unwritable 1 "cannot write" -- particles --landscape quad --algo gd --out /nonexistent/dir/a.csv
