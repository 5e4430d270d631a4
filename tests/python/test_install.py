# SPDX-License-Identifier: GPL-3.0-or-later
"""`make install PREFIX=<temp>` puts the package in PREFIX/lib/python3/dist-packages, and a fresh
interpreter with only PYTHONPATH (no LD_LIBRARY_PATH, no DEEPRELAX_LIB) imports it, finds the
installed library relative to itself and solves paper1d; `make uninstall` removes it all. Then
DEEPRELAX_LIB pointing nowhere gives the clear error."""
import os
import subprocess
import sys

import pytest

from conftest import ROOT

SNIPPET = """
import deeprelax as dr
s = dr.solve("paper1d", [0.05, 0.2], beta=30)
print(dr.library_path)
print(dr.__version__, s.u.shape, repr(s.report[0]["min_u"]))
"""


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_LIBRARY_PATH", "DEEPRELAX_LIB", "PYTHONPATH")}
    env.update(extra)
    return env


def test_install_then_fresh_interpreter(tmp_path):
    prefix = tmp_path / "prefix"
    build = os.environ.get("BUILD", "build")
    make = ["make", "-s", "--no-print-directory", "-C", ROOT, "BUILD=" + build,
            "PREFIX=" + str(prefix)]
    r = subprocess.run(make + ["install"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    site = prefix / "lib" / "python3" / "dist-packages"
    assert (site / "deeprelax" / "__init__.py").exists()
    r = subprocess.run([sys.executable, "-c", SNIPPET], capture_output=True, text=True,
                       cwd=tmp_path, env=clean_env(PYTHONPATH=str(site)))
    assert r.returncode == 0, r.stderr
    libpath, line = r.stdout.strip().splitlines()
    assert os.path.realpath(libpath) == os.path.realpath(prefix / "lib" / "libdeeprelax.so.0")
    import deeprelax as dr
    here = dr.solve("paper1d", [0.05, 0.2], beta=30)
    assert line == "%s (2, 601) %r" % (dr.__version__, here.report[0]["min_u"])
    pc = (prefix / "lib" / "pkgconfig" / "deeprelax.pc").read_text()
    assert "Version: %s\n" % dr.__version__ in pc
    r = subprocess.run(make + ["uninstall"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    left = [p for p in prefix.rglob("*") if p.is_file()]
    assert left == []


def test_library_not_found(tmp_path):
    r = subprocess.run([sys.executable, "-c", "import deeprelax"], capture_output=True,
                       text=True, cwd=tmp_path,
                       env=clean_env(PYTHONPATH=os.path.join(ROOT, "python"),
                                     DEEPRELAX_LIB=str(tmp_path / "nowhere.so")))
    assert r.returncode != 0
    assert "libdeeprelax not found" in r.stderr and "DEEPRELAX_LIB" in r.stderr


def test_deeprelax_lib_env(tmp_path):
    import deeprelax as dr
    r = subprocess.run([sys.executable, "-c", "import deeprelax as d; print(d.library_path)"],
                       capture_output=True, text=True, cwd=tmp_path,
                       env=clean_env(PYTHONPATH=os.path.join(ROOT, "python"),
                                     DEEPRELAX_LIB=dr.library_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == dr.library_path
