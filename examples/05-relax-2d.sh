#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Claim: in 2-D too, relaxation fills in sharp minima first. `sharp-wide2d` (a sharp well at
# (-1.5, 0), a wide one at (1.5, 0)) relaxed by the viscous equation (beta = 10) at several t:
# the solve's own panel picture (panels.png), one heatmap per t with contours and the minimiser
# marked (u-t*.png), and an animation of u over 16 times (relax.gif). Then Himmelblau's four
# equal minima under the inviscid equation (himmelblau.png).
. "$(dirname "$0")/common.sh"
D=$(outdir relax-2d)
dr solve --landscape sharp-wide2d --beta 10 --t 0.25,0.45,0.55,1 --n 193 \
    --out "$D/sharp-wide2d.npy" --png "$D/panels.png"
for t in 0.25 0.45 0.55 1; do
    dr plot "$D/sharp-wide2d.npy" --t $t --png "$D/u-t$t.png"
done
TIMES=$(awk 'BEGIN { for (k = 0; k < 16; k++) printf "%s%.4g", k ? "," : "", 0.1 * 15^(k/15) }')
dr solve --landscape sharp-wide2d --beta 10 --t "$TIMES" --n 97 --out "$D/anim.npy" >/dev/null
if command -v gnuplot >/dev/null 2>&1; then
    dr plot "$D/anim.npy" --gif "$D/relax.gif" --title "sharp-wide2d, beta = 10"
fi
dr solve --landscape himmelblau --t 0.05,0.5 --n 193 --out "$D/himmelblau.npy" \
    --png "$D/himmelblau.png"
