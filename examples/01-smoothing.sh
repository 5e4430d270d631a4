#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Claim: the HJ equations smooth the landscape (the paper's first figure). The toy
# f(x) = x^2 + 1.5 sin(2 pi x) relaxed by the viscous equation (Cole-Hopf, beta = 10) and by the
# inviscid one (Hopf-Lax): local minima fill in as t grows, the global one stays, and the
# viscous solution also lifts the floor by about (1/(2 beta)) log(1 + C t).
# Writes out/examples/smoothing/: viscous.png, inviscid.png, the tables, and viscous.gif
# (u(., t) for 40 times from 0.005 to 1).
. "$(dirname "$0")/common.sh"
D=$(outdir smoothing)
T=0.02,0.05,0.1,0.2,0.5
dr solve --landscape paper1d --beta 10 --t $T --n 1201 --out "$D/viscous.csv"
dr solve --landscape paper1d --beta inf --refine 8 --t $T --n 1201 --out "$D/inviscid.csv"
dr plot "$D/viscous.csv" --title "paper1d relaxed by the viscous equation (beta = 10)" \
    --png "$D/viscous.png"
dr plot "$D/inviscid.csv" --title "paper1d relaxed by the inviscid equation (Hopf-Lax)" \
    --png "$D/inviscid.png"
# the animation: 40 times, log-spaced
TIMES=$(awk 'BEGIN { for (k = 0; k < 40; k++) printf "%s%.4g", k ? "," : "", 0.005 * 200^(k/39) }')
dr solve --landscape paper1d --beta 10 --t "$TIMES" --n 601 --out "$D/viscous-anim.csv" >/dev/null
if command -v gnuplot >/dev/null 2>&1; then
    dr plot "$D/viscous-anim.csv" --gif "$D/viscous.gif" --title "paper1d, beta = 10"
else
    echo "note: gnuplot is missing, so no viscous.gif"
fi
