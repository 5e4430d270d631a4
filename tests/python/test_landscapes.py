# SPDX-License-Identifier: GPL-3.0-or-later
"""A NumPy-function landscape equals the same formula given as an expression (to round-off)
and as the catalogue entry, in 1-D and 2-D, for every method; its batch callback is called
with many points at once; its gradient, given or differenced, is right."""
import math

import numpy as np
import pytest

import deeprelax as dr


def paper1d(x):
    return x ** 2 + 1.5 * np.sin(2 * np.pi * x)


def paper1d_grad(x):
    return 2 * x + 3 * np.pi * np.cos(2 * np.pi * x)


def himmelblau(x, y):
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


@pytest.mark.parametrize("method,beta", [("heat", 30.0), ("hopf-lax", math.inf),
                                         ("fd", 10.0)])
def test_function_equals_expr_and_catalogue_1d(method, beta):
    fn = dr.Landscape.from_function(paper1d, 1, (-3, 3), grad=paper1d_grad,
                                    curvature=2 + 1.5 * (2 * math.pi) ** 2)
    ex = dr.Landscape.expr("x^2 + 1.5*sin(2*3.14159265358979323846*x)", 1, (-3, 3))
    cat = dr.Landscape("paper1d")
    kw = dict(t=[0.05, 0.2], beta=beta, method=method, n=301)
    a, b, c = dr.solve(fn, **kw), dr.solve(ex, **kw), dr.solve(cat, **kw)
    # three evaluations of one formula differ in the last bits of sin; the solvers are smooth
    # maps of the samples, so u agrees to ~1e-12 relative (1e-10 leaves room for fd's steps)
    for other in (b, c):
        assert np.max(np.abs(a.u - other.u)) < 1e-10
        assert np.max(np.abs(a.grad - other.grad)) < 1e-7


def test_function_equals_catalogue_2d():
    fn = dr.Landscape.from_function(himmelblau, 2, ((-5, 5), (-5, 5)))
    cat = dr.Landscape("himmelblau")
    # Hopf-Lax's Newton polish calls f point by point (slow for Python): the grid minimum here
    for beta, polish in ((2.0, True), (math.inf, False)):
        a = dr.solve(fn, 0.05, beta=beta, n=65, polish=polish)
        b = dr.solve(cat, 0.05, beta=beta, n=65, polish=polish)
        assert a.u.shape == (1, 65, 65)
        assert np.max(np.abs(a.u - b.u)) < 1e-9 * np.max(np.abs(b.u))


def test_batch_and_derivatives():
    calls = []

    def f(x):
        calls.append(x.size)
        return paper1d(x)
    fn = dr.Landscape.from_function(f, 1, (-3, 3))
    g = fn.grid(601)
    v = fn.sample(g)
    assert calls[-1] == 601                      # the whole grid in one call
    assert np.array_equal(v, paper1d(g.x))
    vals, grad = fn.eval([0.1, 0.7], grad=True)
    # central differences with h = eps^(1/3): error ~ h^2 |f'''| / 6 ~ 1e-9 here
    assert np.max(np.abs(grad - paper1d_grad(np.array([0.1, 0.7])))) < 1e-8
    # Hessian of differenced gradients: error ~1e-6 relative at most (eps^(1/4) steps)
    h = fn.hessian([0.3])
    assert h[0, 0] == pytest.approx(2 - 6 * np.pi ** 2 * np.sin(2 * np.pi * 0.3), rel=1e-5)
    assert math.isnan(fn.curvature_bound())


def test_catalogue_and_samples():
    names = [e["name"] for e in dr.catalogue()]
    assert "paper1d" in names and "himmelblau" in names
    g = dr.Landscape("paper1d").grid(201)
    s = dr.Landscape.samples(paper1d(g.x), (-3, 3))
    # the spline interpolates: exact at the samples
    assert np.array_equal(s(g.x), paper1d(g.x))
    assert s.dim == 1 and s.domain == ((-3.0, 3.0),)
    z = np.arange(12.0).reshape(3, 4) ** 2
    with pytest.raises(ValueError, match="at least 8"):  # below the 8 points per axis
        dr.Landscape.samples(z, ((0, 1), (0, 1)))
    X, Y = np.meshgrid(np.linspace(-1, 1, 20), np.linspace(-2, 2, 10))
    s2 = dr.Landscape.samples(np.ascontiguousarray(X ** 2 + Y), ((-1, 1), (-2, 2)))
    assert s2.dim == 2
    assert s2(-1.0, 2.0)[0] == pytest.approx(3.0, abs=1e-12)  # a sample point
