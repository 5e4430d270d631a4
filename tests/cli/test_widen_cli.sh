# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks of `deeprelax widen`: the JSON keys its --help documents, with values checked against the
# theorems and closed forms, the CSV and pictures, and every bad input's one error line.
. "$(dirname "$0")/lib.sh"

# paper1d, Hopf-Lax on a refined y-grid: semi-concavity within 1% of C/(1+Ct) = 8.596 at t = 0.1,
# and never above 1/t; the inviscid global minimiser is f's at every t (min u = min f).
expect_ok widen-json-paper1d -- widen --landscape paper1d --t 0.1,0.3 --json
cp "$TMP/out" "$TMP/p.json"
"$PY" - "$TMP/p.json" <<'PYEOF' && pass widen-json-keys-and-bounds || fail widen-json-keys-and-bounds "see above"
import sys, json, math
d = json.load(open(sys.argv[1]))
for k in ("landscape", "beta", "C", "times", "events"): assert k in d, k
C = 2 + 1.5 * (2 * math.pi) ** 2
assert abs(d["C"] - C) < 1e-9 and d["beta"] == "inf" and d["landscape"] == "paper1d"
t0 = d["times"][0]
assert t0["t"] == 0.1
s = t0["semiconcavity"]
for k in ("measured", "bound_inv_t", "bound_C"): assert k in s, k
assert abs(s["bound_C"] - C / (1 + C * 0.1)) < 1e-12 and abs(s["bound_inv_t"] - 10) < 1e-12
assert abs(s["measured"] / s["bound_C"] - 1) < 0.01, s
for m in t0["minima"]:
    for k in ("x", "u", "curvature", "width"): assert k in m, k
# Same minimiser; the two quadratic fits (of f and of u, h = 0.0075) differ by O(h^3).
for tt in d["times"]:
    assert abs(tt["global_argmin"][0] - d["f_minima"][0]["x"][0]) < 1e-5, tt["global_argmin"]
assert not [e for e in d["events"] if e["kind"] == "jump"]
PYEOF

# sharp-wide, viscous beta = 10: the jump to the wide well at the documented t = 1.3688 (where
# the two wells' minima of u cross on a fine sweep: step 0.005, n = 4001, parabolic minima).
expect_ok widen-sharp-wide -- widen --landscape sharp-wide --beta 10 --t-range 0.1:2:20 --json --no-gibbs
"$PY" - "$TMP/out" <<'PYEOF' && pass widen-sharp-wide-jump || fail widen-sharp-wide-jump "see above"
import sys, json
d = json.load(open(sys.argv[1]))
j = [e for e in d["events"] if e["kind"] == "jump"]
assert len(j) == 1, j
# t interpolates the two wells' gap linearly across the step of 0.1: error O(step^2), 1.2e-3
# measured (t = 1.3700); 5e-3 is 20 times tighter than merely bracketing.
assert j[0]["t_before"] < 1.3688 <= j[0]["t_after"] and abs(j[0]["t"] - 1.3688) < 5e-3, j
assert j[0]["x"][0] > 1
PYEOF

# quad, viscous: curvature 1/(1+t) and floor log(1+t)/(2 beta) (closed form); CSV and pictures.
expect_ok widen-quad-files -- widen --landscape quad --beta 4 --t 0.5,2 --out "$TMP/q.csv" --png "$TMP/q.png"
"$PY" - "$TMP/q.csv" <<'PYEOF' && pass widen-quad-closed-form || fail widen-quad-closed-form "see above"
import sys, math, numpy as np
d = np.atleast_1d(np.genfromtxt(sys.argv[1], delimiter=",", names=True))
assert len(d) == 2
for r in d:
    t = r["t"]
    assert abs(r["curvature"] * (1 + t) - 1) < 1e-6, r
    assert abs(r["u"] / (math.log(1 + t) / 8) - 1) < 1e-6, r
    assert r["semiconcavity"] <= 1 / (1 + t) * (1 + 1e-6)
PYEOF
if [ -s "$TMP/q.png" ] && [ -s "$TMP/q-tracks.png" ]; then pass widen-pictures
else fail widen-pictures "missing $TMP/q.png or $TMP/q-tracks.png"; fi

# The figure style (docs/STYLE.md): both figures' kept scripts set a title, x and y labels and a
# legend or colour-bar title; --svg and --pdf draw the same figures as vector files. sharp-wide's
# sweep has one jump (at t = 1.3688, asserted above), so the tracks legend names it.
expect_ok widen-vector -- widen --landscape sharp-wide --beta 10 --t-range 0.5:2:7 --svg "$TMP/v.svg" \
    --pdf "$TMP/v.pdf" --keep-plot-data "$TMP/vkeep"
if "$PY" tests/cli/check_figure.py script "$TMP/vkeep/widen.gp" "$TMP/vkeep/widen-tracks.gp" &&
    "$PY" tests/cli/check_figure.py svg "$TMP/v.svg" "$TMP/v-tracks.svg"; then pass widen-figure-style
else fail widen-figure-style "see above"; fi
if grep -q "title 'the global minimiser jumps, t = 1.3" "$TMP/vkeep/widen-tracks.gp" &&
    grep -q "title 'sharp minimum at x = -1.5'" "$TMP/vkeep/widen-tracks.gp" &&
    grep -q "title 'wide minimum at x = 1.3" "$TMP/vkeep/widen-tracks.gp"; then pass widen-tracks-legend
else fail widen-tracks-legend "the tracks legend lacks the jump or the sharp/wide names"; fi
if [ "$(head -c 5 "$TMP/v.pdf")" = "%PDF-" ] && [ "$(head -c 5 "$TMP/v-tracks.pdf")" = "%PDF-" ]; then
    pass widen-pdf
else fail widen-pdf "no PDF from --pdf"; fi
expect_error widen-svg-ext 2 "--svg must end in .svg" -- widen --landscape quad --t 1 --svg "$TMP/x.png"
expect_error widen-keep-alone 2 "keep-plot-data needs a picture" -- widen --landscape quad --t 1 \
    --keep-plot-data "$TMP/k2"

expect_ok widen-human -- widen --landscape double-well --t 0.05,0.5
if grep -q "semi-concavity" "$TMP/out" && grep -q "events" "$TMP/out"; then pass widen-human-tables
else fail widen-human-tables "no semi-concavity line or events"; fi

expect_error widen-t-zero 2 "positive" -- widen --landscape quad --t 0
expect_error widen-t-negative 2 "positive" -- widen --landscape quad --t-range -1:1:3
expect_error widen-empty-sweep 2 "empty" -- widen --landscape quad --t ""
expect_error widen-zero-range 2 "range" -- widen --landscape quad --t-range 0.1:1:0
expect_error widen-no-sweep 2 "sweep" -- widen --landscape quad
expect_error widen-delta-negative 2 "delta" -- widen --landscape quad --t 1 --delta -0.1
expect_error widen-duplicate 2 "twice" -- widen --landscape quad --t 1,1
expect_error widen-both 2 "not both" -- widen --landscape quad --t 1 --t-range 1:2:3
expect_error widen-heat-inf 2 "finite" -- widen --landscape quad --t 1 --method heat
expect_error widen-bad-method 2 "method" -- widen --landscape quad --t 1 --method magic
expect_error widen-bad-out 2 ".csv" -- widen --landscape quad --t 1 --out x.txt
expect_error widen-unknown 2 "unknown" -- widen --landscape nosuch --t 1
