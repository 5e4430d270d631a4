# SPDX-License-Identifier: GPL-3.0-or-later
# CLI and browser checks of `deeprelax explore`: the page's data are float32 arrays of the sizes
# the grids imply (so the default page's size is predictable and under 8 MB), bad input gets one
# error line, and in headless Chromium (tests/cli/explore_browser.py) the page loads from
# file:// without a console error or a network request and shows what `deeprelax solve` computes.
. "$(dirname "$0")/lib.sh"
# Many OpenMP threads on a loaded machine only wait for each other; one is faster here.
export OMP_NUM_THREADS=1

# sharp-wide: t = 1 and 1.5 bracket the jump of the viscous global minimiser at beta = 10
# (t = 1.3688); a small 2-D landscape for the heatmap view.
expect_ok explore-writes -- explore --landscape sharp-wide --landscape sharp-wide2d --n2d 41 \
    --t 0.01,0.1,0.47,1,1.5,3.3 --out "$TMP/ex" --json
page="$TMP/ex/explore.html"
"$PY" - "$page" "$TMP/out" <<'PYEOF' && pass explore-data-compact || fail explore-data-compact "see above"
import base64, json, re, sys
html = open(sys.argv[1]).read()
summary = json.load(open(sys.argv[2]))
assert summary["bytes"] == len(html.encode()), (summary["bytes"], len(html.encode()))
assert not re.search(r"https?://", html), "the page names a web address"
block = re.search(r'<script type="application/json" id="explore-data">(.*?)</script>', html, re.S)
d = json.loads(block.group(1))
nb, nt = len(d["betas"]), len(d["ts"])
assert d["betas"][-1] == "inf" and nb == 7 and nt == 6
arrays = 0
for c in d["cases"]:
    size = c["n"][0] * (c["n"][1] if c["dim"] == 2 else 1)
    assert len(base64.b64decode(c["f"])) == 4 * size
    assert len(base64.b64decode(c["u"])) == 4 * nb * nt * size
    assert ("mean" in c) == (c["dim"] == 1)
    if "mean" in c: assert len(base64.b64decode(c["mean"])) == 4 * nb * nt * size
    assert len(c["steps"]) == nb * nt
    arrays += sum(len(c[k]) for k in ("f", "u", "mean") if k in c)
# The default page: 4 1-D cases (401 points; f, u, mean) and sharp-wide2d (81 x 81; f, u) at
# 7 betas x 16 t; the rest (template, per-step JSON) scaled from this page's own overhead.
b64 = lambda floats: 4 * ((4 * floats + 2) // 3)
steps = len(html) - arrays
per_step = steps / (len(d["cases"]) * nb * nt)
default = (4 * (b64(401) + 2 * b64(7 * 16 * 401)) + b64(81 * 81) + b64(7 * 16 * 81 * 81)
           + per_step * 5 * 7 * 16)
print("info: predicted default page %.2f MB (arrays are float32 in base64)" % (default / 1e6))
assert default < 8e6, default
PYEOF

if [ -n "$DEEPRELAX_SANITIZED" ]; then
    # the browser drives the page, not our code; under the sanitizers its re-runs of the
    # instrumented binary only add time (make check-asan checks that binary's paths above)
    echo "SKIP explore-browser: sanitizer build"
elif [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && "$PY" -c "import selenium" 2>/dev/null
then
    mkdir -p out
    "$PY" "$(dirname "$0")/explore_browser.py" "$page" "$DEEPRELAX" "$TMP" out/explore-screenshot.png
else
    echo "SKIP explore-browser: chromium, chromium-driver or python3-selenium is not installed (scripts/install-deps.sh test installs them)"
fi

expect_error explore-beta-zero 2 "positive" -- explore --landscape quad --beta 0 --out "$TMP/e"
expect_error explore-beta-twice 2 "twice" -- explore --landscape quad --beta 1,1 --out "$TMP/e"
expect_error explore-t-negative 2 "positive" -- explore --landscape quad --t -1 --out "$TMP/e"
expect_error explore-t-text 2 "number" -- explore --landscape quad --t 0.1,x --out "$TMP/e"
expect_error explore-n-small 2 "range" -- explore --landscape quad --n 3 --out "$TMP/e"
expect_error explore-unknown 2 "unknown" -- explore --landscape nosuch --out "$TMP/e"
expect_error explore-domain-alone 2 "landscape" -- explore --domain 0:1 --out "$TMP/e"
expect_error explore-bad-option 2 "unknown option" -- explore --colour red
expect_error explore-extra 2 "unexpected" -- explore --landscape quad stray
expect_error explore-bad-dir 1 "cannot" -- explore --landscape quad --t 1 --out /proc/no/such
