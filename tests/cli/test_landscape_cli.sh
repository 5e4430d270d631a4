#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks of `deeprelax landscapes`: the table lists at least 10 landscapes with the required
# names, --json is one valid JSON object with the same entries, bad options exit 2 with one line.
DEEPRELAX=${DEEPRELAX:-build/bin/deeprelax}
PY=${PY:-/usr/bin/python3}
out=$(mktemp); err=$(mktemp); trap 'rm -f "$out" "$err"' EXIT
check() { if [ "$2" = 0 ]; then echo "PASS $1"; else echo "FAIL $1"; fi; }

"$DEEPRELAX" landscapes >"$out" 2>"$err"; rc=$?
rows=$(tail -n +2 "$out" | grep -c .)
check landscapes-table "$([ $rc = 0 ] && [ "$rows" -ge 10 ] && echo 0 || echo 1)"
missing=0
for n in paper1d quad quad2d abs double-well cos1d sharp-wide sharp-wide2d rastrigin himmelblau camel6; do
    grep -q "^$n " "$out" || { missing=1; echo "missing $n"; }
done
check landscapes-names $missing

"$DEEPRELAX" landscapes --json >"$out" 2>"$err"; rc=$?
"$PY" -c 'import json,sys; json.load(sys.stdin)' <"$out"; pyrc=$?
check landscapes-json-parses "$([ $rc = 0 ] && [ $pyrc = 0 ] && echo 0 || echo 1)"
"$PY" -c '
import json, sys, math
d = json.load(sys.stdin)["landscapes"]
assert len(d) >= 10
by = {e["name"]: e for e in d}
assert by["paper1d"]["dim"] == 1 and by["paper1d"]["domain"] == [-3, 3]
# C = 2 + 1.5 (2 pi)^2 for the paper toy; abs has a kink (unbounded)
assert abs(by["paper1d"]["curvature_bound"] - (2 + 1.5 * (2 * math.pi) ** 2)) < 1e-9
assert by["abs"]["curvature_bound"] == "inf"
assert by["quad2d"]["dim"] == 2 and len(by["quad2d"]["domain"]) == 4
' <"$out"
check landscapes-json-content $?

"$DEEPRELAX" landscapes --bogus >"$out" 2>"$err"; rc=$?
check landscapes-bad-option "$([ $rc = 2 ] && [ "$(wc -l <"$err")" = 1 ] && grep -q '^deeprelax: ' "$err" && echo 0 || echo 1)"
"$DEEPRELAX" landscapes extra >"$out" 2>"$err"; rc=$?
check landscapes-extra-argument "$([ $rc = 2 ] && grep -q "^deeprelax: .*'extra'" "$err" && echo 0 || echo 1)"
"$DEEPRELAX" landscapes --help >"$out" 2>"$err"; rc=$?
check landscapes-help "$([ $rc = 0 ] && grep -q 'usage: deeprelax landscapes' "$out" && echo 0 || echo 1)"
