# SPDX-License-Identifier: GPL-3.0-or-later
"""widen and particles through the binding give the numbers the CLI writes (its CSVs print
%.17g, which round-trips a double exactly): the sweep's minima, widths, basins and
semi-concavity per t, and particle paths for a seed."""
import math

import numpy as np
import pytest

import deeprelax as dr
from conftest import read_table


@pytest.mark.parametrize("name,kw,extra", [
    ("sharp-wide", dict(t=[0.02, 0.1, 0.4], beta=20.0), ["--beta", 20]),
    ("paper1d", dict(t=[0.05, 0.2]), []),
    ("double-well", dict(t=[0.05, 0.1], beta=8.0, method="fd", n=201),
     ["--beta", 8, "--method", "fd", "--n", 201]),
    ("sharp-wide2d", dict(t=[0.05, 0.2], n=41, refine=2), ["--n", 41, "--refine", 2]),
])
def test_widen_equals_cli(cli, tmp_path, name, kw, extra):
    out = tmp_path / "w.csv"
    cli("widen", "--landscape", name, "--t", ",".join(map(repr, kw["t"])), "--out", out, *extra)
    table = read_table(out)
    w = dr.widen(name, **kw)
    rows = []
    for st in w.steps:
        for i, m in enumerate(st["minima"]):
            d = w.grid.dim
            row = [st["t"], st["tracks"][i], *m["x"], m["u"], *m["eig"], *m["width"],
                   m["basin_measure"], st["semiconcavity"]["value"],
                   st["gibbs"]["value"] if st["gibbs"] else math.nan, st["bound_inv_t"],
                   st["bound_C"]]
            rows.append(row)
    mine = np.array(rows)
    assert mine.shape == table.shape
    assert np.array_equal(mine, table, equal_nan=True)


def test_widen_events_paper():
    # sharp-wide: the sharp well at -1.5 is the deeper one in f; viscous relaxation ranks the
    # wide well at +1.5 first once its floor, raised by (1/(2 beta)) log(1+ct) per well, rises
    # less: at beta = 5 between t = 0.02 and 0.1 (the CLI's widen says t ~ 0.086), not at all
    # at beta = 20 up to t = 1 (the sharp well is then still deeper)
    w = dr.widen("sharp-wide", [0.02, 0.1, 0.4, 1.0], beta=5.0)
    assert w.f_minima[0]["x"][0] == pytest.approx(-1.5, abs=0.05)
    jumps = [e for e in w.events if e["kind"] == "jump"]
    assert len(jumps) == 1 and jumps[0]["t_before"] == 0.02 and jumps[0]["t_after"] == 0.1
    assert w.steps[-1]["minima"][w.steps[-1]["global"]]["x"][0] > 1.0
    assert not [e for e in dr.widen("sharp-wide", [0.02, 1.0], beta=20.0).events
                if e["kind"] == "jump"]


@pytest.mark.parametrize("algo,extra", [
    ("entropy-sgd", dict(steps=40, L=10, gamma=0.1, beta=30.0, seed=7)),
    ("langevin", dict(steps=60, beta=5.0, seed=3)),
    ("hj", dict(steps=30, L=5)),
    ("pde-gd", dict(steps=20, gamma=0.1, beta=30.0, pde_n=401)),
])
def test_particles_equal_cli(cli, tmp_path, algo, extra):
    out = tmp_path / "p.csv"
    args = ["particles", "--landscape", "paper1d", "--algo", algo, "--particles", 3,
            "--x0", "1.3", "--out", out]
    names = {"steps": "--steps", "L": "--L", "gamma": "--gamma", "beta": "--beta",
             "seed": "--seed", "pde_n": "--pde-n"}
    for k, v in extra.items():
        args += [names[k], v]
    cli(*args)
    table = read_table(out)
    r = dr.particles("paper1d", algo, x0=[1.3], K=3, **extra)
    k, n, d = r.path.shape
    mine = np.column_stack([np.repeat(np.arange(k), n), np.tile(np.arange(n), k),
                            r.path.reshape(-1, d), r.f.reshape(-1)])
    assert np.array_equal(mine, table)
    assert sum(b["count"] for b in r.basins) == 3


def test_particles_2d_and_basins():
    starts = np.array([[-3.0, -3.0], [3.5, 2.5], [-3.5, 3.0], [3.5, -2.0]])
    r = dr.particles("himmelblau", "gd", x0=starts, steps=400, eta=0.005)
    assert r.path.shape == (4, 401, 2)
    # Himmelblau's four minima, all of value 0: each start reaches its own
    assert len(r.basins) == 4
    for b in r.basins:
        assert b["value"] < 1e-10 and b["count"] == 1


def test_gibbs_mean_quadratic():
    # f = x^2/2: rho_x is N(x/(1+gamma), gamma/(beta (1+gamma)))
    f = dr.Landscape("quad")
    mean, cov = dr.gibbs_mean(f, [1.0], 0.5, 4.0)
    assert mean[0] == pytest.approx(1 / 1.5, abs=1e-10)
    assert cov[0, 0] == pytest.approx(0.5 / (4 * 1.5), abs=1e-10)
