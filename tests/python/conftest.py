# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures of the Python tests: the package from the source tree (python/) and the CLI
binary the same build made ($DEEPRELAX, as in tests/cli), to compare bit for bit."""
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))


@pytest.fixture(scope="session")
def cli():
    exe = os.environ.get("DEEPRELAX") or os.path.join(ROOT, "build", "bin", "deeprelax")
    if not os.path.exists(exe):
        pytest.fail("the deeprelax binary is missing (%s): run make" % exe)

    def run(*args):
        r = subprocess.run([exe, *map(str, args)], capture_output=True, text=True)
        if r.returncode:
            raise AssertionError("deeprelax %s failed: %s" % (" ".join(map(str, args)), r.stderr))
        return r.stdout
    return run


def read_table(path):
    """A CSV the CLI wrote, as a float64 array (header dropped): %.17g round-trips exactly."""
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
