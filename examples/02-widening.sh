#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Claim: relaxation widens minima and re-ranks them in favour of wide ones. On `sharp-wide`, a
# sharp well at x = -1.5 (depth 1, width 0.1) and a wide one at x = 1.5 (depth 0.8, width 0.8):
# a well of curvature c relaxes to c/(1+ct) and its floor rises by (1/(2 beta)) log(1 + c t)
# (checked within 5% for both wells at every t), far more for the sharp one, so at beta = 10 the
# global minimiser jumps from the sharp well to the wide one once, at t ~ 1.37 (widen
# interpolates 1.3692 on the sweep 0.02:2:40, 1.3691 on QUICK's 1:2:21: the estimate depends on
# the sweep). The sharp minimum does not vanish: at t = 2 both wells are still local minima of u.
# Writes out/examples/widening/: relaxed.png (f and u at several t), and with `deeprelax widen`:
# minima.png (u at each tracked minimum against t), width.png (the widths) and widen.json (the
# events: vanish, merge, jump).
. "$(dirname "$0")/common.sh"
D=$(outdir widening)
dr solve --landscape sharp-wide --beta 10 --t 0.05,0.2,0.5,1,2 --n $(quick 801 1601) \
    --out "$D/relaxed.csv"
dr plot "$D/relaxed.csv" --title "sharp vs wide minimum relaxed (beta = 10)" --png "$D/relaxed.png"
skip_without widen "the widening analysis"
dr widen --landscape sharp-wide --beta 10 --t-range $(quick 1:2:21 0.02:2:40) --out "$D/widen.csv" \
    --json > "$D/widen.json"
dr plot "$D/widen.csv" --kind lines --x t --y u --group track \
    --title "value of each minimum of u(., t) (beta = 10)" --png "$D/minima.png"
dr plot "$D/widen.csv" --kind lines --x t --y width --group track \
    --title "width of each minimum of u(., t) (beta = 10)" --png "$D/width.png"
"$PY" - "$D/widen.json" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1])).get("events", []):
    print("event:", ", ".join(f"{k} {v}" for k, v in e.items()))
PY
claim "each well's floor rises by (1/(2 beta)) log(1 + c t), within 5%" "$D/widen.json" <<'PY'
import json, math, sys
w = json.load(open(sys.argv[1]))
f = {m["track"]: m for m in w["f_minima"]}
for s in w["times"]:
    for m in s["minima"]:
        m0 = f[m["track"]]
        want = math.log1p(m0["curvature"][0] * s["t"]) / (2 * w["beta"])
        got = m["u"] - m0["u"]
        assert abs(got - want) <= 0.05 * want, (s["t"], m["track"], got, want)
PY
claim "the global minimiser jumps once, from the sharp well to the wide one, at t in (1.3, 1.45)" \
    "$D/widen.json" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
ev = w["events"]
assert [e["kind"] for e in ev] == ["jump"], [e["kind"] for e in ev]
x0 = {m["track"]: m["x"][0] for m in w["f_minima"]}
e = ev[0]
assert abs(x0[e["other"]] + 1.5) < 0.05 and abs(e["x"][0] - 1.37) < 0.05, e
assert 1.3 < e["t"] < 1.45, e["t"]
PY
claim "at t = 2 both wells are still local minima of u (the sharp one does not vanish)" \
    "$D/widen.json" <<'PY'
import json, sys
last = json.load(open(sys.argv[1]))["times"][-1]
xs = sorted(m["x"][0] for m in last["minima"])
assert last["t"] == 2 and len(xs) == 2 and abs(xs[0] + 1.5) < 0.05 and abs(xs[1] - 1.37) < 0.05, xs
PY
