# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks of the error bounds: where solve cannot bound its error it says so, in JSON (est_error null,
# error_bounded false, a reason) and on stderr in every output mode; where it can, the bound is
# there and nothing is printed on stderr.
. "$(dirname "$0")/lib.sh"

# --engine fft at beta 100 loses values to round-off (the audit: null and no warning at all).
for mode in json text; do
    flag=; [ $mode = json ] && flag=--json
    "$DEEPRELAX" solve --landscape paper1d --beta 100 --t 0.5 --engine fft $flag >"$TMP/out" 2>"$TMP/err"
    if grep -q "^deeprelax: warning: no error bound holds for u at t = 0.5: the fft engine" "$TMP/err" &&
       ! grep -q "warning" "$TMP/out"; then pass "fft-unbounded-warns-$mode"
    else fail "fft-unbounded-warns-$mode" "stderr: $(cat "$TMP/err")"; fi
done
"$DEEPRELAX" solve --landscape paper1d --beta 100 --t 0.5 --engine fft --json >"$TMP/j" 2>/dev/null
"$PY" - "$TMP/j" <<'PYEOF' && pass fft-unbounded-json || fail fft-unbounded-json "see above"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["est_error"] == [None] and j["error_bounded"] == [False], j
assert "fft" in j["unbounded_reason"][0], j["unbounded_reason"]
PYEOF

# Capped refinement (paper1d, n 8, beta 1e5): unbounded, said on stderr.
"$DEEPRELAX" solve --landscape paper1d --n 8 --beta 1e5 --t 0.01 --json >"$TMP/j" 2>"$TMP/err"
if grep -q "^deeprelax: warning: no error bound holds.*refinement capped" "$TMP/err"; then
    pass capped-refinement-warns
else fail capped-refinement-warns "stderr: $(cat "$TMP/err")"; fi

# abs at beta 1000, t 0.1: the kink is split at; the closed form holds to 1e-10, bounded, silent.
"$DEEPRELAX" solve --landscape abs --beta 1000 --t 0.1 --json --out "$TMP/a.csv" >"$TMP/j" 2>"$TMP/err"
"$PY" - "$TMP/a.csv" "$TMP/j" "$TMP/err" <<'PYEOF' && pass abs-kink-closed-form || fail abs-kink-closed-form "see above"
import json, sys, numpy as np
from scipy.special import log_ndtr
d = np.genfromtxt(sys.argv[1], delimiter=",", names=True)
j = json.load(open(sys.argv[2]))
b, t = 1000.0, 0.1
s = t / b
x = d["x"]
A = -b * x + log_ndtr((x - b * s) / np.sqrt(s))
B = b * x + log_ndtr((-x - b * s) / np.sqrt(s))
m = np.maximum(A, B)
ref = -(b * b * s / 2 + m + np.log(np.exp(A - m) + np.exp(B - m))) / b
err = np.abs(d["u"] - ref).max()
assert err < 1e-10 and err <= j["est_error"][0], (err, j["est_error"])
assert j["error_bounded"] == [True]
assert open(sys.argv[3]).read() == "", open(sys.argv[3]).read()
PYEOF

# Hopf-Lax reports a bound too; rastrigin at (5.04, -2.08) is in the right well (15.32335).
"$DEEPRELAX" solve --landscape rastrigin --t 0.5 --n 129,129 --json --out "$TMP/r.csv" >"$TMP/j" 2>"$TMP/err"
"$PY" - "$TMP/r.csv" "$TMP/j" <<'PYEOF' && pass hopflax-right-well || fail hopflax-right-well "see above"
import json, sys, numpy as np
d = np.genfromtxt(sys.argv[1], delimiter=",", names=True)
j = json.load(open(sys.argv[2]))
k = np.argmin(np.abs(d["x"] - 5.04) + np.abs(d["y"] + 2.08))
assert abs(d["u"][k] - 15.3233455) < 1e-6, d["u"][k]
assert j["error_bounded"] == [True] and j["est_error"][0] < 1e-8, j["est_error"]
assert j["well_switches"] > 0
PYEOF

# Data: the interpolation's uncertainty is reported apart, and warned about.
"$PY" -c "
import numpy as np
x = np.linspace(-4, 4, 33)
with open('$TMP/s.csv', 'w') as f:
    f.write('x,f\n')
    for a in x: f.write('%.17g,%.17g\n' % (a, np.sin(5 * a) + 0.1 * a * a))
"
"$DEEPRELAX" solve --input "$TMP/s.csv" --beta 1 --t 0.01 --n 101 --json >"$TMP/j" 2>"$TMP/err"
"$PY" - "$TMP/j" "$TMP/err" <<'PYEOF' && pass data-interp-uncertainty || fail data-interp-uncertainty "see above"
import json, sys
j = json.load(open(sys.argv[1]))
assert 0.08 < j["interp_uncertainty"] < 1, j["interp_uncertainty"]
assert j["est_error"][0] < 1e-10
assert "interpolated landscape may differ" in open(sys.argv[2]).read()
PYEOF
