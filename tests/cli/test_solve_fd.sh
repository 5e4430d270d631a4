#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks of `deeprelax solve --method fd`: the JSON adds steps and dt_min, the CSV agrees with
# the closed form of quad, times may come in any order, and unstable or unknown choices are refused.
. "$(dirname "$0")/lib.sh"

# quad, viscous: u = x^2/(2(1+t)) + log(1+t)/(2 beta); fd's time error here is ~5e-8 (tests/test_fd.c).
expect_ok fd-csv -- solve --landscape quad --method fd --beta 10 --t 1,0.5 --n 161 --out "$TMP/q.csv"
"$PY" - "$TMP/q.csv" <<'PYEOF' && pass fd-csv-closed-form || fail fd-csv-closed-form "see above"
import sys, numpy as np
d = np.genfromtxt(sys.argv[1], delimiter=",", names=True)
assert d.dtype.names == ("t", "x", "f", "u", "du_dx"), d.dtype.names
assert len(d) == 322 and d["t"][0] == 1 and d["t"][-1] == 0.5
exact = d["x"]**2 / (2 * (1 + d["t"])) + np.log(1 + d["t"]) / 20
err = np.abs(d["u"] - exact).max()
gerr = np.abs(d["du_dx"] - d["x"] / (1 + d["t"])).max()
assert err < 1e-6 and gerr < 1e-5, (err, gerr)
PYEOF

expect_ok fd-json -- solve --landscape paper1d --method fd --scheme eno2 --cfl 0.8 --t 0.1 --n 201 --json
"$PY" - "$TMP/out" <<'PYEOF' && pass fd-json-fields || fail fd-json-fields "see above"
import sys, json
j = json.load(open(sys.argv[1]))
assert j["method"] == "fd" and j["engine"] == ["eno2"], j
assert j["steps"] > 10 and 0 < j["dt_min"] < 0.01, j
PYEOF

expect_error fd-cfl-unstable 2 "stability limit" -- solve --landscape paper1d --method fd --t 0.1 --cfl 1.5
expect_error fd-cfl-negative 2 "cfl" -- solve --landscape paper1d --method fd --t 0.1 --cfl -1
expect_error fd-scheme-unknown 2 "weno5, eno2 or upwind1" -- solve --landscape paper1d --method fd --t 0.1 --scheme weno7
