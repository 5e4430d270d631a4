# SPDX-License-Identifier: GPL-3.0-or-later
"""The closed forms of DESIGN.md section 1, through the binding:
f = c|x|^2/2 gives u = c|x|^2/(2(1+ct)) + (d/(2 beta)) log(1+ct) (no log term when inviscid),
grad u = c x/(1+ct), prox = x/(1+ct); f = |x| (inviscid) gives x^2/(2t) for |x| <= t and
|x| - t/2 beyond; semi-concavity is bounded by C/(1+Ct)."""
import math

import numpy as np
import pytest

import deeprelax as dr

C = 3.0


def quadratic_u(x2, t, beta, d):
    u = C * x2 / (2 * (1 + C * t))
    return u if math.isinf(beta) else u + d / (2 * beta) * math.log(1 + C * t)


@pytest.mark.parametrize("beta", [10.0, math.inf])
def test_quadratic_1d(beta):
    f = dr.Landscape.expr("1.5*x^2", domain=(-2, 2))
    s = dr.solve(f, [0.1, 0.5], beta=beta, n=401)
    for k, t in enumerate(s.t):
        # heat: tolerance 1e-10 of the solver (heat.h); Hopf-Lax with the Newton polish is exact
        # to round-off on this smooth f
        assert np.max(np.abs(s.u[k] - quadratic_u(s.x ** 2, t, beta, 1))) < 1e-9
        assert np.max(np.abs(s.grad[k] - C * s.x / (1 + C * t))) < 1e-7


@pytest.mark.parametrize("beta", [4.0, math.inf])
def test_quadratic_2d(beta):
    f = dr.Landscape.expr("1.5*(x^2 + y^2)", domain=((-2, 2), (-2, 2)))
    s = dr.solve(f, 0.25, beta=beta, n=81)
    X, Y = np.meshgrid(s.x, s.y)
    assert s.u.shape == (1, 81, 81)
    assert np.max(np.abs(s.u[0] - quadratic_u(X ** 2 + Y ** 2, 0.25, beta, 2))) < 1e-9
    assert np.max(np.abs(s.grad[0, 0] - C * X / (1 + C * 0.25))) < 1e-7
    assert np.max(np.abs(s.grad[0, 1] - C * Y / (1 + C * 0.25))) < 1e-7


def test_prox_of_quadratic():
    y = dr.prox(dr.Landscape.expr("1.5*x^2", domain=(-2, 2)), 0.4, n=201)
    x = np.linspace(-2, 2, 201)
    # Newton's polish makes the proximal point exact to round-off, also where the grid point is
    # already the minimiser (a value-based search would stop sqrt(eps) ~ 1e-8 away)
    assert np.max(np.abs(y - x / (1 + C * 0.4))) < 1e-12


def test_abs_inviscid():
    t = 0.5
    s = dr.solve("abs", t, n=601)
    x = s.x
    exact = np.where(np.abs(x) <= t, x ** 2 / (2 * t), np.abs(x) - t / 2)
    # the kink at 0 has no Hessian: the grid minimiser is exact where prox is a grid point
    # (x = 0 and every |x| >= t), within h^2/(2t) elsewhere
    h = x[1] - x[0]
    assert np.max(np.abs(s.u[0] - exact)) <= h * h / (2 * t) + 1e-14


def test_semiconcavity_bound_paper1d():
    w = dr.widen("paper1d", [0.05, 0.1, 0.2])
    assert w.C == pytest.approx(2 + 1.5 * (2 * math.pi) ** 2, rel=1e-12)
    for st in w.steps:
        # D^2 u <= C/(1+Ct) <= 1/t, measured by central differences (O(h^2) above the truth)
        assert st["semiconcavity"]["value"] <= st["bound_C"] * (1 + 1e-2)
        assert st["bound_C"] < st["bound_inv_t"]


def test_gibbs_hessian_quadratic():
    # rho_x is Gaussian for quadratic f: D^2 u = c/(1+ct) exactly
    with dr.GibbsPlan(dr.Landscape.expr("1.5*x^2", domain=(-2, 2)), 8.0, 0.2, 0.2,
                      n=201) as g:
        h = g.hessian(0.2)
        mean, cov, u = g.moments(0.2)
    assert np.max(np.abs(h - C / (1 + C * 0.2))) < 1e-8
    assert np.max(np.abs(cov - 0.2 / (8.0 * (1 + C * 0.2)))) < 1e-10


def test_plan_executed_many_times():
    f = dr.Landscape("quad")
    with dr.HeatPlan(f, 5.0, 0.1, 1.0, n=201) as p:
        for t in (0.1, 0.37, 1.0):
            u, _, rep = p.execute(t)
            x = p.grid.x
            assert np.max(np.abs(u - (x ** 2 / (2 * (1 + t)) + math.log(1 + t) / 10))) < 1e-9
            assert rep["est_error"] < 1e-9
    with dr.HopfLaxPlan(f, 1.0, n=201) as p:
        u, y, g = p.execute(0.5)
        assert np.max(np.abs(y - p.grid.x / 1.5)) < 1e-12  # see test_prox_of_quadratic
