# SPDX-License-Identifier: GPL-3.0-or-later
"""What relaxation does to a landscape: semi-concavity against D^2 u <= I/t and C/(1+Ct), minima
with curvature, widths and basins, their tracks across a sweep of t, and the Gibbs moments
(grad u = (x - <y>)/t, D^2 u = I/t - (beta/t^2) Cov). widen() is the `deeprelax widen` sweep."""
import ctypes
import math

import numpy as np

from . import _lib
from ._arrays import count, float64_array, positive, times
from ._lib import check, lib, parse_enum
from .landscape import as_landscape
from .solve import _Plan, _grad_shape, _grid_for


def _sym_shape(g):
    return g.shape if g.dim == 1 else (3,) + g.shape


def hessian_fd(grid, u):
    """D^2 u by central differences: (n,) [u_xx] in 1-D, (3, ny, nx) [xx, xy, yy] in 2-D; NaN
    on the edge."""
    u = float64_array(u, "u", shape=grid.shape)
    h = np.empty(_sym_shape(grid))
    check(lib.dr_analysis_hessian_fd(ctypes.byref(grid._c), u, h))
    return h


def boundary_layer(f, grid, t, beta=math.inf):
    """The edge layer semi-concavity leaves out, per axis: (margin tuple, capped)."""
    f = as_landscape(f)
    m = (ctypes.c_double * 2)()
    capped = ctypes.c_int()
    check(lib.dr_analysis_boundary_layer(f.handle, ctypes.byref(grid._c), positive(t, "t"),
                                         positive(beta, "beta", True), m, ctypes.byref(capped)))
    return tuple(m[:grid.dim]), bool(capped.value)


def semiconcavity(grid, hess, margin):
    """max over the interior of the largest eigenvalue of hess (from hessian_fd or
    GibbsPlan.hessian): dict value, where, index, points."""
    h = float64_array(hess, "hess", shape=_sym_shape(grid), finite=False)
    m = (ctypes.c_double * 2)(*(list(margin) + [0.0, 0.0])[:2])
    s = _lib.Semiconcavity()
    check(lib.dr_semiconcavity_max(ctypes.byref(grid._c), h, m, ctypes.byref(s)))
    return {"value": s.value, "where": tuple(s.where[:grid.dim]), "index": s.index,
            "points": s.points}


def semiconcavity_bound(C, t):
    """The theorem's bound C/(1+Ct) (1/t for C = inf, NaN for unknown C)."""
    return lib.dr_semiconcavity_bound(float(C), float(t))


def default_delta(grid, f_values):
    """1% of the range of f over the box: the default sub-level threshold of widths."""
    return lib.dr_minima_default_delta(ctypes.byref(grid._c),
                                       float64_array(f_values, "f", shape=grid.shape))


def _minimum_dict(p, dim):
    return {"x": tuple(p.x[:dim]), "u": p.u, "index": p.index, "plateau": p.plateau,
            "eig": tuple(p.eig[:dim]), "width": tuple(p.width[:dim]),
            "level_measure": p.level_measure, "basin_points": p.basin_points,
            "basin_measure": p.basin_measure,
            "basin_box": (tuple(p.basin_lo[:dim]), tuple(p.basin_hi[:dim])),
            "touches_edge": bool(p.touches_edge)}


class _MinimaC:
    """dr_minima owned by Python: freed with the object."""

    def __init__(self, grid, u, delta, prox=None):
        self.c = _lib.Minima()
        self.u = float64_array(u, "u", shape=grid.shape)
        p = None if prox is None else float64_array(prox, "prox", shape=_grad_shape(grid, 1)[1:])
        self.prox = p
        o = _lib.MinimaOptions(float(delta), _lib.ptr(p))
        check(lib.dr_minima_find(ctypes.byref(self.c), ctypes.byref(grid._c), self.u,
                                 ctypes.byref(o)))
        self.grid = grid

    def as_list(self):
        return [_minimum_dict(self.c.min[i], self.grid.dim) for i in range(self.c.count)]

    def basins(self):
        n = self.grid.size
        return np.ctypeslib.as_array(self.c.basin, shape=(n,)).reshape(self.grid.shape).copy()

    def __del__(self):
        if getattr(self, "c", None) is not None:
            lib.dr_minima_free(ctypes.byref(self.c))
            self.c = None


def minima(grid, u, delta=None, prox=None):
    """Local minima of a field u (grid.shape), sorted by value: (list of dicts, basins) where
    basins (grid.shape, int) gives each point's minimum (-1: none). delta: widths are those of
    {u <= u_min + delta} (default 1% of u's range); prox: Hopf-Lax proximal points (basins by
    iterating the prox map; else steepest descent)."""
    u = float64_array(u, "u", shape=grid.shape)
    d = default_delta(grid, u) if delta is None else float(delta)
    m = _MinimaC(grid, u, d, prox)
    return m.as_list(), m.basins()


class GibbsPlan(_Plan):
    """Moments of rho_x(y) ~ exp(-beta f(y) - beta |x-y|^2/(2t)) for t in [t_min, t_max]:
    moments(t) -> (mean (n,)|(2,ny,nx), cov (n,)|(3,ny,nx), u); hessian(t) = I/t - beta Cov/t^2."""
    _free = staticmethod(lib.dr_gibbs_plan_free)

    def __init__(self, f, beta, t_min, t_max, n=None, domain=None, grid=None):
        super().__init__()
        self.f = as_landscape(f)
        self.grid = _grid_for(self.f, n, domain, grid)
        ptr = ctypes.c_void_p()
        status = lib.dr_gibbs_plan_alloc(ctypes.byref(ptr), self.f.handle,
                                         ctypes.byref(self.grid._c), positive(beta, "beta"),
                                         positive(t_min, "t_min"), positive(t_max, "t_max"))
        self._finish_alloc(status, ptr)

    def moments(self, t):
        g = self.grid
        mean, cov, u = np.empty(_grad_shape(g, 1)[1:]), np.empty(_sym_shape(g)), np.empty(g.shape)
        check(lib.dr_gibbs_moments(self._handle(), positive(t, "t"), _lib.ptr(mean),
                                   _lib.ptr(cov), _lib.ptr(u)))
        return mean, cov, u

    def hessian(self, t):
        h = np.empty(_sym_shape(self.grid))
        check(lib.dr_gibbs_hessian(self._handle(), positive(t, "t"), h))
        return h


class Widening:
    """The result of widen(): .t (nt,), .grid, .C, .delta, .f_minima, and per time .steps[k]:
    dict t, semiconcavity, gibbs (None when not computed), margin, capped, minima (list),
    global (index into minima), tracks (track id per minimum), bound_inv_t, bound_C;
    .events: list of dicts kind/t_before/t_after/t/track/other/x; .u (nt,)+grid.shape."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _events(tr, dim):
    n = ctypes.c_size_t()
    e = lib.dr_tracker_events(tr, ctypes.byref(n))
    return [{"kind": lib.dr_event_name(e[i].kind).decode(), "t_before": e[i].t_before,
             "t_after": e[i].t_after, "t": e[i].t, "track": e[i].track, "other": e[i].other,
             "x": tuple(e[i].x[:dim])} for i in range(n.value)]


def _minima_list(m, dim):
    return [_minimum_dict(m.min[i], dim) for i in range(m.count)]


def _basins_of(m, g):
    return np.ctypeslib.as_array(m.basin, shape=(g.size,)).reshape(g.shape).copy()


def _sc_dict(s, dim):
    return {"value": s.value, "where": tuple(s.where[:dim]), "index": s.index,
            "points": s.points}


def widen(f, t, beta=math.inf, method="auto", n=None, domain=None, delta=None, refine=None,
          gibbs=True, threads=0):
    """The sweep of `deeprelax widen` (dr_widen_run), the same numbers bit for bit: for each t
    (sorted, distinct) u(., t) by heat/hopf-lax (refine: default 64 in 1-D, 4 in 2-D)/fd, its
    semi-concavity max D^2 u outside the boundary layer (and from the Gibbs identity
    I/t - beta Cov/t^2 when beta is finite), its minima (widths of {u <= u_min + delta}, basins)
    tracked from f's minima (vanish/merge/appear/jump events). Grid default 801 points in 1-D,
    257 x 257 in 2-D. Returns a Widening."""
    f = as_landscape(f)
    tt = np.sort(times(t))
    if np.any(np.diff(tt) == 0):
        raise ValueError("a time appears twice in the sweep")
    b = positive(beta, "beta", allow_inf=True)
    o = _lib.WidenOptions()
    lib.dr_widen_options_init(ctypes.byref(o))
    o.method = parse_enum(lib.dr_solve_method_parse, method, "method")
    if refine is not None:
        if o.method not in (0, 2) or (o.method == 0 and not math.isinf(b)):
            raise ValueError("refine applies to method 'hopf-lax' only")
        o.refine = count(refine, "refine")
    o.no_gibbs = 0 if gibbs else 1
    if delta is not None:
        o.delta = float(delta)
        if not (o.delta >= 0):
            raise ValueError("delta must be >= 0 (got %r)" % delta)
    o.threads = count(threads, "threads", 0)
    g = f.grid(n if n is not None else (801 if f.dim == 1 else 257), domain)
    us = np.empty((tt.size,) + g.shape)
    w = _lib.Widen()
    try:
        status = lib.dr_widen_run(ctypes.byref(w), f.handle, ctypes.byref(g._c), b, tt, tt.size,
                                  ctypes.byref(o), _lib.ptr(us))
        f._raise_callback()
        check(status)
        return _widening(w, g, tt, us)
    finally:
        lib.dr_widen_free(ctypes.byref(w))


def _widening(w, g, tt, us):
    d = g.dim
    tr = w.tracker
    steps = []
    for k in range(w.nt):
        s = w.steps[k]
        kk = k + 1  # tracker step 0 is f
        tracks = [lib.dr_tracker_track_of(tr, kk, i) for i in range(s.m.count)]
        steps.append({"t": s.t, "semiconcavity": _sc_dict(s.sc, d),
                      "gibbs": _sc_dict(s.gibbs, d) if w.gibbs else None,
                      "margin": tuple(s.margin[:d]), "capped": bool(s.capped),
                      "minima": _minima_list(s.m, d), "basins": _basins_of(s.m, g),
                      "tracks": tracks, "global": s.global_, "bound_inv_t": 1.0 / s.t,
                      "bound_C": semiconcavity_bound(w.C, s.t)})
    return Widening(t=tt, grid=g, beta=w.beta, method=("heat", "hopf-lax", "fd")[w.method - 1],
                    C=w.C, delta=w.delta, refine=w.refine,
                    f=np.ctypeslib.as_array(w.f, shape=(g.size,)).reshape(g.shape).copy(),
                    f_minima=_minima_list(w.fmin, d), steps=steps,
                    events=_events(tr, d), u=us)
