# SPDX-License-Identifier: GPL-3.0-or-later
"""Executes the course notebooks headless, each in a fresh kernel with a time limit per cell, into
OUT as executed .ipynb and static .html; prints one PASS/FAIL line per notebook (a notebook fails
when a cell raises, which includes its closing assertions). Also refuses notebooks committed with
outputs (clean diffs). Usage: run-notebooks.py OUTDIR NOTEBOOK... (the package must be importable:
PYTHONPATH=python)."""
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from nbconvert import HTMLExporter

CELL_TIMEOUT = 120  # s per cell


def stored_outputs(nb):
    """The number of code cells that carry outputs or execution counts in the stored file."""
    return sum(1 for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count))


def run(path, outdir):
    name = os.path.splitext(os.path.basename(path))[0]
    nb = nbformat.read(path, as_version=4)
    if stored_outputs(nb):
        return False, "stored with outputs (clear them before committing)"
    os.environ["DEEPRELAX_HEADLESS"] = "1"
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    start = time.time()
    why = None
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as e:
        lines = [l for l in str(e).strip().splitlines() if l.strip()]
        why = lines[-1] if lines else type(e).__name__
    finally:
        nbformat.write(nb, os.path.join(outdir, name + ".ipynb"))
        html, _ = HTMLExporter().from_notebook_node(nb)
        with open(os.path.join(outdir, name + ".html"), "w", encoding="utf-8") as f:
            f.write(html)
    return why is None, why or "%.1f s" % (time.time() - start)


def main():
    outdir, paths = sys.argv[1], sys.argv[2:]
    os.makedirs(outdir, exist_ok=True)
    failed = 0
    for p in paths:
        ok, what = run(p, outdir)
        print(("PASS" if ok else "FAIL") + " notebook %s: %s" % (os.path.basename(p), what),
              flush=True)
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
