#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Claim: in 2-D too, relaxation fills in sharp minima first. `sharp-wide2d` (a sharp well at
# (-1.5, 0), a wide one at (1.5, 0)) relaxed by the viscous equation (beta = 10) at several t:
# the solve's own panel picture (panels.png), one heatmap per t with contours and the minimiser
# marked (u-t*.png), and an animation of u over 16 times (relax.gif; not in QUICK). Checked
# against the solve's JSON: the global minimiser of u is the sharp well at t = 0.25 and 0.45 and
# the wide one (x ~ 1.35) at t = 0.55 and 1 (`deeprelax widen --landscape sharp-wide2d --beta 10
# --t-range 0.1:1:10` puts the jump at t = 0.50664 on that sweep). Then Himmelblau's four equal
# minima (f = 0) under the inviscid equation (himmelblau.png), where Hopf-Lax keeps min u = 0:
# checked as 0 <= min u <= the grid's own min of f (0.0034) at each t.
. "$(dirname "$0")/common.sh"
D=$(outdir relax-2d)
dr solve --landscape sharp-wide2d --beta 10 --t 0.25,0.45,0.55,1 --n $(quick 97 193) \
    --out "$D/sharp-wide2d.npy" --png "$D/panels.png" --json > "$D/sharp-wide2d.json"
claim "the global minimiser of u: the sharp well at t = 0.25, 0.45, the wide one at 0.55, 1" \
    "$D/sharp-wide2d.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for t, (x, y) in zip(s["t"], s["argmin_u"]):
    want = -1.5 if t < 0.5 else 1.35
    assert abs(x - want) < 0.1 and abs(y) < 0.1, (t, x, y)
PY
for t in 0.25 0.45 0.55 1; do
    dr plot "$D/sharp-wide2d.npy" --t $t --png "$D/u-t$t.png"
done
TIMES=$(awk 'BEGIN { for (k = 0; k < 16; k++) printf "%s%.4g", k ? "," : "", 0.1 * 15^(k/15) }')
if [ "$QUICK" != 1 ]; then
    dr solve --landscape sharp-wide2d --beta 10 --t "$TIMES" --n 97 --out "$D/anim.npy" >/dev/null
    if command -v gnuplot >/dev/null 2>&1; then
        dr plot "$D/anim.npy" --gif "$D/relax.gif" --title "sharp-wide2d, beta = 10"
    fi
fi
dr solve --landscape himmelblau --t 0.05,0.5 --n $(quick 97 193) --out "$D/himmelblau.npy" \
    --png "$D/himmelblau.png" --json > "$D/himmelblau.json"
claim "Himmelblau under Hopf-Lax: 0 <= min u <= min f on the grid (0.0034)" \
    "$D/himmelblau.json" <<'PY'
import json, sys
import numpy as np
s = json.load(open(sys.argv[1]))
(a, b), n = s["domain"][0], s["n"][0]
x = np.linspace(a, b, n)
X, Y = np.meshgrid(x, x)
fmin = ((X**2 + Y - 11)**2 + (X + Y**2 - 7)**2).min()
for t, m in zip(s["t"], s["min_u"]):
    assert 0 <= m <= fmin + 1e-12, (t, m, fmin)
PY
