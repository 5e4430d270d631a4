# SPDX-License-Identifier: GPL-3.0-or-later
"""Every error path from Python: the library's failures raise deeprelax.Error with its message;
bad arrays and arguments raise TypeError/ValueError before any C call; a callback that raises
surfaces as deeprelax.Error carrying its text, and leaves nothing behind."""
import gc
import math
import resource
import weakref

import numpy as np
import pytest

import deeprelax as dr


def test_bad_names():
    with pytest.raises(dr.Error, match="unknown landscape|paper1d"):
        dr.Landscape("no-such-landscape")
    with pytest.raises(dr.Error, match="unknown method"):
        dr.solve("paper1d", 0.1, method="cole-hopf")
    with pytest.raises(dr.Error) as e:
        dr.solve("paper1d", 0.1, beta=1.0, engine="gpu")
    assert e.value.status != 0 and "gpu" in str(e.value)
    with pytest.raises(dr.Error):
        dr.solve("paper1d", 0.1, method="fd", scheme="weno9")
    with pytest.raises(TypeError):
        dr.Landscape(3)


def test_bad_expressions():
    with pytest.raises(dr.Error, match="z|variable"):
        dr.Landscape.expr("x + z")
    with pytest.raises(dr.Error):
        dr.Landscape.expr("sin(x")
    with pytest.raises(dr.Error):
        dr.Landscape.expr("x*y", dim=1)


def test_method_beta_mismatch():
    with pytest.raises(dr.Error, match="finite"):
        dr.solve("paper1d", 0.1, method="heat")
    with pytest.raises(dr.Error, match="inviscid"):
        dr.solve("paper1d", 0.1, beta=3.0, method="hopf-lax")
    with pytest.raises(ValueError):
        dr.solve("paper1d", [0.1, -1.0])
    with pytest.raises(ValueError):
        dr.solve("paper1d", 0.1, beta=0.0)
    with pytest.raises(ValueError):
        dr.solve("paper1d", 0.1, n=(10, 10))


def test_bad_arrays():
    good = np.linspace(0, 1, 50) ** 2
    with pytest.raises(TypeError, match="float64"):
        dr.Landscape.samples(good.astype(np.float32), (0, 1))
    with pytest.raises(ValueError, match="dimension"):
        dr.Landscape.samples(np.zeros((10, 10, 10)), (0, 1))
    with pytest.raises(ValueError, match="C-contiguous"):
        dr.Landscape.samples(np.asfortranarray(np.ones((20, 30))), ((0, 1), (0, 1)))
    nan = good.copy()
    nan[7] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        dr.Landscape.samples(nan, (0, 1))
    with pytest.raises(ValueError):
        dr.Landscape.samples(good, (1, 0))
    with pytest.raises(TypeError):
        dr.solve("paper1d", np.array([0.1], dtype=np.float32))
    g = dr.Landscape("quad2d").grid(33)
    with pytest.raises(ValueError, match="shape"):
        dr.hessian_fd(g, np.zeros((33, 32)))
    with dr.HeatPlan("quad", 2.0, 0.1, 0.2, n=101) as p:
        with pytest.raises(ValueError, match="C-contiguous"):
            p.execute(0.1, u=np.zeros(202)[::2])
        with pytest.raises(TypeError):
            p.execute(0.1, u=np.zeros(101, dtype=np.float32))


def test_t_outside_plan():
    with dr.HeatPlan("quad", 2.0, 0.1, 0.2, n=101) as p:
        with pytest.raises(dr.Error, match="outside the plan's range"):
            p(0.5)
        p(0.15)
    with pytest.raises(ValueError, match="closed"):
        p(0.15)
    with dr.HopfLaxPlan("quad", 0.2, n=101) as q:
        with pytest.raises(dr.Error, match="t_max"):
            q(0.3)
    with dr.FD("quad", math.inf, 0.2, n=101) as s:
        s.advance_to(0.1)
        with pytest.raises(dr.Error):
            s.advance_to(0.05)


class Boom(Exception):
    pass


def test_raising_callback():
    state = {"n": 0}

    def f(x):
        state["n"] += 1
        if state["n"] > 2:
            raise Boom("the user's function broke at call %d" % state["n"])
        return x ** 2
    fn = dr.Landscape.from_function(f, 1, (-2, 2))
    for method, beta in (("heat", 5.0), ("hopf-lax", math.inf), ("fd", 5.0)):
        state["n"] = 0
        with pytest.raises(dr.Error, match="Boom: the user's function broke at call 3") as e:
            dr.solve(fn, 0.1, beta=beta, method=method, n=101)
        assert isinstance(e.value.__cause__, Boom)
    state["n"] = -10 ** 9          # no more failures: the landscape is usable again
    s = dr.solve(fn, 0.1, beta=5.0, n=101)
    assert np.all(np.isfinite(s.u))
    state["n"] = 0
    with pytest.raises(dr.Error, match="Boom"):
        dr.HeatPlan(fn, 5.0, 0.1, 0.2, n=101)
    with pytest.raises(dr.Error, match="returns|broadcast|shape"):
        dr.solve(dr.Landscape.from_function(lambda x: np.zeros(3), 1, (0, 1)), 0.1, n=64)


def test_callback_leaks_nothing():
    """The exception (and what its traceback holds) is released once it is handled, and 300
    failing solves do not grow the process: the C plans were freed."""
    class Marker:
        pass

    def f(x):
        m = Marker()  # noqa: F841 - held by the traceback's frame
        raise Boom("no")
    fn = dr.Landscape.from_function(f, 1, (-2, 2))
    try:
        dr.solve(fn, 0.1, beta=5.0, n=101)
    except dr.Error as e:
        frame_marker = weakref.ref(e.__cause__.__traceback__.tb_next.tb_frame.f_locals["m"]) \
            if e.__cause__.__traceback__.tb_next else None
    gc.collect()
    assert frame_marker is None or frame_marker() is None
    for _ in range(20):
        with pytest.raises(dr.Error):
            dr.solve(fn, 0.1, beta=5.0, n=401)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(300):
        with pytest.raises(dr.Error):
            dr.solve(fn, 0.1, beta=5.0, n=401)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    # a leaked heat plan for 401 points holds > 30 kB: 300 of them would pass 9 MB
    assert grown_kb < 4096


def test_version():
    assert dr.__version__ == dr.version()
    assert dr.__version__.count(".") == 2
