#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Claim: relaxation widens minima and re-ranks them in favour of wide ones. On `sharp-wide`, a
# sharp well at x = -1.5 (depth 1, width 0.1) and a wide one at x = 1.5 (depth 0.8, width 0.8):
# a well of curvature c relaxes to c/(1+ct) and its floor rises by (1/(2 beta)) log(1 + c t),
# far more for the sharp one, so the global minimiser jumps to the wide well and the sharp
# minimum then vanishes. Writes out/examples/widening/: relaxed.png (f and u at several t),
# and with `deeprelax widen`: minima.png (u at each tracked minimum against t),
# width.png (the widths) and widen.json (the events: vanish, merge, jump).
. "$(dirname "$0")/common.sh"
D=$(outdir widening)
dr solve --landscape sharp-wide --beta 10 --t 0.05,0.2,0.5,1,2 --n 1601 --out "$D/relaxed.csv"
dr plot "$D/relaxed.csv" --title "sharp vs wide minimum relaxed (beta = 10)" --png "$D/relaxed.png"
skip_without widen "the widening analysis"
dr widen --landscape sharp-wide --beta 10 --t-range 0.02:2:40 --out "$D/widen.csv" --json \
    > "$D/widen.json"
dr plot "$D/widen.csv" --kind lines --x t --y u --group track \
    --title "value of each minimum of u(., t) (beta = 10)" --png "$D/minima.png"
dr plot "$D/widen.csv" --kind lines --x t --y width --group track \
    --title "width of each minimum of u(., t) (beta = 10)" --png "$D/width.png"
/usr/bin/python3 - "$D/widen.json" <<'PY' || true
import json, sys
j = json.load(open(sys.argv[1]))
for e in j.get("events", []):
    print("event:", ", ".join(f"{k} {v}" for k, v in e.items()))
PY
