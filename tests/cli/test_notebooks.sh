#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The course (notebooks/*.ipynb): every notebook runs top to bottom headless in a fresh kernel
# (a time limit per cell) and its closing assertions hold; none is stored with outputs; the HTML
# export of each exists and holds every figure the executed notebook made. Skipped, visibly, in
# the sanitizer build (an ASan library cannot be loaded into a plain Python).
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
if [ -n "$DEEPRELAX_SANITIZED" ]; then echo "SKIP notebooks: sanitizer build"; exit 0; fi
if ! "$PY" -c "import nbclient, nbconvert, matplotlib" 2>/dev/null; then
    fail "notebooks" "python3-nbclient, jupyter-nbconvert or python3-matplotlib missing"; exit 1
fi
out="$TMP/notebooks"
DEEPRELAX_LIB="$SRC/$BUILD/libdeeprelax.so" PYTHONPATH="$SRC/python" \
    "$PY" "$SRC/scripts/run-notebooks.py" "$out" "$SRC"/notebooks/*.ipynb
for nb in "$SRC"/notebooks/*.ipynb; do
    name=$(basename "$nb" .ipynb)
    "$PY" - "$out/$name.ipynb" "$out/$name.html" "$name" <<'PYEOF'
import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
figures = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "display_data" and "image/png" in o.get("data", {}))
html = open(sys.argv[2], encoding="utf-8").read()
embedded = html.count("data:image/png;base64")
ok = figures >= 1 and embedded >= figures
print(("PASS" if ok else "FAIL") + f" notebook {sys.argv[3]}: {figures} figures, {embedded} in the HTML")
PYEOF
done
