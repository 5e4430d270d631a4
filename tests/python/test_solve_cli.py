# SPDX-License-Identifier: GPL-3.0-or-later
"""The binding gives bit for bit what `deeprelax solve` writes for the same problem: 1-D and
2-D, every method (and the heat engines). The CLI's .npy table holds t, x[, y], f, u, du_dx
[, du_dy] as float64: equality is exact, not approximate."""
import math

import numpy as np
import pytest

import deeprelax as dr

CASES_1D = [
    ("paper1d", dict(t=[0.05, 0.2], beta=30.0), []),
    ("paper1d", dict(t=[0.2, 0.05], beta=30.0, engine="fft"), ["--engine", "fft"]),
    ("paper1d", dict(t=[0.1], beta=30.0, engine="logsum"), ["--engine", "logsum"]),
    ("paper1d", dict(t=[0.05, 0.3]), []),
    ("paper1d", dict(t=[0.1], refine=4, polish=False), ["--refine", 4, "--no-polish"]),
    ("double-well", dict(t=[0.1, 0.05], beta=10.0, method="fd", n=201),
     ["--method", "fd", "--n", 201]),
    ("abs", dict(t=[0.2], method="fd", n=121, scheme="eno2"),
     ["--method", "fd", "--n", 121, "--scheme", "eno2"]),
]
CASES_2D = [
    ("himmelblau", dict(t=[0.01, 0.05], beta=0.5, n=49), ["--n", 49]),
    ("himmelblau", dict(t=[0.05], n=(49, 41)), ["--n", "49,41"]),
    ("quad2d", dict(t=[0.1], beta=2.0, method="fd", n=41), ["--method", "fd", "--n", 41]),
]


def cli_solve(cli, tmp_path, name, kw, extra):
    out = tmp_path / "u.npy"
    args = ["solve", "--landscape", name, "--t", ",".join(repr(t) for t in kw["t"]),
            "--out", out] + extra
    if "beta" in kw:
        args += ["--beta", repr(kw["beta"])]
    cli(*args)
    return np.load(out)


@pytest.mark.parametrize("name,kw,extra", CASES_1D)
def test_solve_1d_equals_cli(cli, tmp_path, name, kw, extra):
    table = cli_solve(cli, tmp_path, name, kw, extra)
    s = dr.solve(name, **kw)
    nt, n = s.u.shape
    table = table.reshape(nt, n, 5)
    assert np.array_equal(table[:, :, 1], np.broadcast_to(s.x, (nt, n)))
    assert np.array_equal(table[:, :, 2], np.broadcast_to(s.f, (nt, n)))
    assert np.array_equal(table[:, :, 3], s.u)
    assert np.array_equal(table[:, :, 4], s.grad)


@pytest.mark.parametrize("name,kw,extra", CASES_2D)
def test_solve_2d_equals_cli(cli, tmp_path, name, kw, extra):
    table = cli_solve(cli, tmp_path, name, kw, extra)
    s = dr.solve(name, **kw)
    nt, ny, nx = s.u.shape
    table = table.reshape(nt, ny, nx, 7)
    assert np.array_equal(table[..., 1], np.broadcast_to(s.x, (nt, ny, nx)))
    assert np.array_equal(table[..., 2], np.broadcast_to(s.y[:, None], (nt, ny, nx)))
    assert np.array_equal(table[..., 4], s.u)
    assert np.array_equal(table[..., 5], s.grad[:, 0])
    assert np.array_equal(table[..., 6], s.grad[:, 1])


def test_report_matches_cli_json(cli):
    import json
    out = json.loads(cli("solve", "--landscape", "paper1d", "--t", "0.05,0.2", "--beta", "30",
                         "--json"))
    s = dr.solve("paper1d", [0.05, 0.2], beta=30)
    assert out["method"] == s.method == "heat"
    assert out["engine"] == [r["engine"] for r in s.report]
    assert out["min_u"] == [r["min_u"] for r in s.report]
    assert out["argmin_u"] == [list(r["argmin"]) for r in s.report]
    assert out["est_error"] == [r["est_error"] for r in s.report]
