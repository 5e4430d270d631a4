#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Claim: u(., t) is semi-concave, D^2 u <= I/t for any f, and D^2 u <= C/(1+Ct) when
# D^2 f <= C (C = 61.2 for the toy). `deeprelax widen` measures max D^2 u over a sweep of t for
# the inviscid (Hopf-Lax on a 64x finer y-grid) and the viscous (beta = 10) equation;
# curvature.png / curvature-viscous.png put the measurement against both bounds on log axes.
# Needs `deeprelax widen`: without it the script says so and stops.
. "$(dirname "$0")/common.sh"
D=$(outdir semiconcavity)
skip_without widen "the widening analysis"
dr widen --landscape paper1d --t-range 0.01:0.5:25 --out "$D/inviscid.csv" --json > "$D/inviscid.json"
dr widen --landscape paper1d --beta 10 --t-range 0.01:0.5:25 --out "$D/viscous.csv" \
    --json > "$D/viscous.json"
dr plot "$D/inviscid.csv" --kind lines --x t --y semiconcavity,bound_inv_t,bound_C --log \
    --title "paper1d, inviscid: max D^2 u against 1/t and C/(1+Ct)" --png "$D/curvature.png"
dr plot "$D/viscous.csv" --kind lines --x t --y semiconcavity,bound_inv_t,bound_C --log \
    --title "paper1d, beta = 10: max D^2 u against 1/t and C/(1+Ct)" \
    --png "$D/curvature-viscous.png"
