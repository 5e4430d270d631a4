# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks of the demo's tour page: out/index.html references only files that exist, and every
# number it shows equals the value at its data-json path in summary.json.
. "$(dirname "$0")/lib.sh"

# Under the sanitizers (make check-asan) the full demo ran over 30 minutes, nearly all of it the
# explore page's 5 landscapes x 7 betas x 16 times: --quick runs every section on coarser grids
# and shorter runs, so the page is built from the same kinds of results and checked the same way.
quick=
[ -n "$DEEPRELAX_SANITIZED" ] && quick=--quick
expect_ok demo-runs -- demo --out "$TMP/demo" $quick
"$PY" - "$TMP/demo" <<'PYEOF' && pass demo-page-links || fail demo-page-links "see above"
import os, sys
from html.parser import HTMLParser
d = sys.argv[1]
class Refs(HTMLParser):
    def __init__(self):
        super().__init__(); self.refs = []
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href") and not v.startswith("#"):
                self.refs.append(v)
p = Refs(); p.feed(open(os.path.join(d, "index.html")).read())
imgs = [r for r in p.refs if r.endswith((".png", ".gif"))]
# the three solve pictures are always there; nothing may point outside the directory or the web
assert {"paper1d-viscous.png", "paper1d-inviscid.png", "sharp-wide2d.png"} <= set(imgs), imgs
for r in p.refs:
    assert "://" not in r and not r.startswith("/"), "external reference " + r
    assert os.path.isfile(os.path.join(d, r)), "missing " + r
PYEOF

"$PY" - "$TMP/demo" <<'PYEOF' && pass demo-page-numbers-match-json || fail demo-page-numbers-match-json "see above"
import json, os, re, sys
d = sys.argv[1]
page = open(os.path.join(d, "index.html")).read()
j = json.load(open(os.path.join(d, "summary.json")))
nums = re.findall(r'<span class="num" data-json="([^"]+)">([^<]+)</span>', page)
# every case's t, min u and argmin are on the page: 5 + 5 + 4 rows of at least 3 numbers
assert len(nums) >= 3 * 14, len(nums)
for path, shown in nums:
    v = j
    for key in path.split("/"):
        v = v[int(key)] if isinstance(v, list) else v[key]
    # the page prints 7 significant digits (%.7g): relative agreement to 1e-6
    assert abs(float(shown) - v) <= 1e-6 * max(abs(v), 1e-300), (path, shown, v)
paths = {p for p, _ in nums}
for case in ("paper1d-viscous", "paper1d-inviscid", "sharp-wide2d"):
    for k in range(len(j["cases"][case]["t"])):
        assert f"cases/{case}/min_u/{k}" in paths, (case, k)
PYEOF

# The page's sections follow the JSON: a widen/particles block in summary.json has its pictures.
"$PY" - "$TMP/demo" <<'PYEOF' && pass demo-page-sections || fail demo-page-sections "see above"
import json, os, sys
d = sys.argv[1]
page = open(os.path.join(d, "index.html")).read()
j = json.load(open(os.path.join(d, "summary.json")))
if "widen" in j:
    assert 'id="semiconcavity"' in page and "semiconcavity.png" in page
if "particles" in j:
    assert 'id="particles"' in page and "particles-entropy-sgd.png" in page
if j.get("animation"):
    assert 'src="paper1d-viscous.gif"' in page
PYEOF
