# SPDX-License-Identifier: GPL-3.0-or-later
"""Relaxation u_t = -1/2 |grad u|^2 + (1/(2 beta)) Lap u, u(., 0) = f, from Python.

solve() is one call for every method and time; HeatPlan, HopfLaxPlan and FD are the plans
behind it, to build once and execute many times. All release the GIL while they compute.
"""
import ctypes
import math

import numpy as np

from . import _lib
from ._arrays import count, positive, times
from ._lib import Error, check, lib, parse_enum
from .landscape import Grid, as_landscape

_METHODS = ("auto", "heat", "hopf-lax", "fd")


def _grid_for(f, n, domain, grid):
    if grid is not None:
        if not isinstance(grid, Grid):
            raise TypeError("grid must be a deeprelax.Grid")
        if grid.dim != f.dim:
            raise ValueError("the grid is %d-D but the landscape is %d-D" % (grid.dim, f.dim))
        return grid
    return f.grid(n, domain)


def _field_shape(g, nt):
    return (nt,) + g.shape


def _grad_shape(g, nt):
    return (nt,) + g.shape if g.dim == 1 else (nt, 2) + g.shape


class Solution:
    """The result of solve(): .t (nt,), .x (nx,) [.y (ny,)], .f grid.shape, .u (nt, n) or
    (nt, ny, nx), .grad (nt, n) or (nt, 2, ny, nx) (grad u = (x - <y>)/t), .grid, .method, and
    .report: a list of one dict per time (engine, est_error, min_u, argmin, ...)."""

    def __init__(self, grid, t, f, u, grad, method, reports, beta):
        self.grid, self.t, self.f, self.u, self.grad = grid, t, f, u, grad
        self.method, self.report, self.beta = method, reports, beta

    @property
    def x(self):
        return self.grid.x

    @property
    def y(self):
        return self.grid.y

    def __repr__(self):
        return "<deeprelax.Solution %s, t = %s, u %s>" % (self.method, self.t.tolist(),
                                                           self.u.shape)


def _report_dict(r, dim):
    d = {"method": _METHODS[r.method], "engine": r.engine.decode(), "min_u": r.min_u,
         "argmin": tuple(r.argmin[a] for a in range(dim)), "refine": r.refine}
    if r.method == 1:
        d.update(log_points=r.log_points, est_error=r.est_error,
                 margin_capped=bool(r.margin_capped))
    if r.method == 3:
        d.update(steps=r.steps, dt_min=r.dt_min)
    return d


def solve_options(method="auto", engine="auto", refine=1, polish=True, scheme="weno5", cfl=0.0,
                  threads=0):
    """The dr_solve_options struct (library defaults for what is not given)."""
    o = _lib.SolveOptions()
    lib.dr_solve_options_init(ctypes.byref(o))
    o.method = parse_enum(lib.dr_solve_method_parse, method, "method")
    o.engine = parse_enum(lib.dr_heat_engine_parse, engine, "engine")
    o.scheme = parse_enum(lib.dr_fd_scheme_parse, scheme, "scheme")
    o.refine = count(refine, "refine")
    o.polish = 1 if polish else 0
    o.cfl = 0.0 if not cfl else positive(cfl, "cfl")
    o.threads = count(threads, "threads", 0)
    return o


def solve(f, t, beta=math.inf, n=None, method="auto", domain=None, grid=None, engine="auto",
          refine=1, polish=True, scheme="weno5", cfl=0.0, threads=0, gradient=True):
    """u(., t) for every t at once: u_t = -1/2 |grad u|^2 + (1/(2 beta)) Lap u, u(., 0) = f.

    f: a Landscape or a catalogue name. t: a time or a sequence (> 0, any order). beta in
    (0, inf] (inf = inviscid). n: points per axis (default 601, 257 x 257), domain: the box
    (default f's), or an explicit grid. method: "auto" (heat if beta is finite, else hopf-lax),
    "heat" (Cole-Hopf; engine auto/fft/logsum), "hopf-lax" (refine, polish), "fd" (scheme
    weno5/eno2/upwind1, cfl). threads: OpenMP threads (0 = all). Returns a Solution.
    Bit for bit what `deeprelax solve` writes for the same problem."""
    f = as_landscape(f)
    tt = times(t)
    b = positive(beta, "beta", allow_inf=True)
    opt = solve_options(method, engine, refine, polish, scheme, cfl, threads)
    g = _grid_for(f, n, domain, grid)
    nt = tt.size
    u = np.empty(_field_shape(g, nt))
    grad = np.empty(_grad_shape(g, nt)) if gradient else None
    reps = (_lib.SolveReport * nt)()
    fv = f.sample(g)
    status = lib.dr_solve(f.handle, ctypes.byref(g._c), b, tt, nt, u, _lib.ptr(grad), reps,
                          ctypes.byref(opt))
    f._raise_callback()
    check(status)
    reports = [_report_dict(r, g.dim) for r in reps]
    return Solution(g, tt, fv, u, grad, reports[0]["method"], reports, b)


class _Plan:
    """Shared life cycle: close() frees the C plan; also `with` and garbage collection."""
    _free = None

    def __init__(self):
        self._ptr = None

    def close(self):
        if getattr(self, "_ptr", None) is not None:
            type(self)._free(self._ptr)
            self._ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _handle(self):
        if self._ptr is None:
            raise ValueError("the plan is closed")
        return self._ptr

    def _finish_alloc(self, status, ptr):
        """Keep the plan only if neither the library nor the landscape's callback failed."""
        try:
            self.f._raise_callback()
            check(status)
        except BaseException:
            if ptr.value:
                type(self)._free(ptr)
            raise
        self._ptr = ptr


class HeatPlan(_Plan):
    """Cole-Hopf plan: u(x,t) = -(1/beta) log(G_{t/beta} * exp(-beta f))(x), for any t in
    [t_min, t_max]. HeatPlan(f, beta, t_min, t_max, n=None, domain=None, grid=None,
    engine="auto", tol=1e-10, threads=0, planning="estimate"); plan(t) -> u, or
    plan.execute(t) -> (u, grad, report). planning: how long FFTW searches for the fastest
    transform ("estimate", "measure", "patient"; the values are the same to round-off)."""
    _free = staticmethod(lib.dr_heat_plan_free)

    def __init__(self, f, beta, t_min, t_max, n=None, domain=None, grid=None, engine="auto",
                 tol=0.0, threads=0, planning="estimate"):
        super().__init__()
        self.f = as_landscape(f)
        self.beta = positive(beta, "beta")
        self.t_min, self.t_max = positive(t_min, "t_min"), positive(t_max, "t_max")
        self.grid = _grid_for(self.f, n, domain, grid)
        o = _lib.HeatOptions(parse_enum(lib.dr_heat_engine_parse, engine, "engine"),
                             float(tol), parse_enum(lib.dr_heat_planning_parse, planning,
                                                    "planning"),
                             count(threads, "threads", 0))
        ptr = ctypes.c_void_p()
        status = lib.dr_heat_plan_alloc(ctypes.byref(ptr), self.f.handle,
                                        ctypes.byref(self.grid._c), self.beta, self.t_min,
                                        self.t_max, ctypes.byref(o))
        self._finish_alloc(status, ptr)
        self._shape = self.grid.shape

    def execute(self, t, u=None, grad=None, report=True):
        """u(., t) into u (grid.shape, allocated if None); grad (optional, (dim,) + shape or
        (shape) in 1-D) = (x - <y>)/t. Returns (u, grad, report dict or None)."""
        t = positive(t, "t")
        u = _out(u, self.grid.shape, "u")
        if grad is not None:
            grad = _out(grad, _grad_shape(self.grid, 1)[1:], "grad")
        rep = _lib.HeatReport()
        status = lib.dr_heat_execute(self._handle(), t, u, _lib.ptr(grad),
                                     ctypes.byref(rep) if report else None)
        check(status)
        if not report:
            return u, grad, None
        return u, grad, {"engine": lib.dr_heat_engine_name(rep.engine).decode(),
                         "log_points": rep.log_points, "refine": rep.refine,
                         "margin": rep.margin, "est_error": rep.est_error,
                         "margin_capped": bool(rep.margin_capped),
                         "clamped_points": rep.clamped_points}

    def __call__(self, t):
        """u(., t) alone (grid.shape), without the report (its error bound costs more than the
        FFT): the lean path for one plan called many times."""
        return _lean_call(self, _lib.heat_execute_raw, t)


def _lean_call(plan, raw, t):
    """u = plan(t) with the checks execute() makes, in the fewest Python operations: a fresh
    float64 array the library fills through its address (no per-call conversion by ctypes)."""
    if t.__class__ is not float or not t > 0.0:
        t = positive(t, "t")
    if plan._ptr is None:
        raise ValueError("the plan is closed")
    u = np.empty(plan._shape)
    status = raw(plan._ptr, t, u.ctypes.data, None, None)
    if status or plan.f._exc is not None:
        plan.f._raise_callback()
        check(status)
    return u


def _out(a, shape, name):
    if a is None:
        return np.empty(shape)
    if not isinstance(a, np.ndarray) or a.dtype != np.float64:
        raise TypeError("%s must be a float64 ndarray" % name)
    if not a.flags.c_contiguous or not a.flags.writeable:
        raise ValueError("%s must be C-contiguous and writeable" % name)
    if a.shape != tuple(shape):
        raise ValueError("%s must have shape %s (got %s)" % (name, tuple(shape), a.shape))
    return a


class HopfLaxPlan(_Plan):
    """Hopf-Lax plan: u(x,t) = min_y f(y) + |x-y|^2/(2t), y* = prox_{t f}(x), for 0 < t <= t_max.
    HopfLaxPlan(f, t_max, n=None, domain=None, grid=None, refine=1, polish=True, threads=0);
    plan.execute(t) -> (u, prox, grad)."""
    _free = staticmethod(lib.dr_hopflax_plan_free)

    def __init__(self, f, t_max, n=None, domain=None, grid=None, refine=1, polish=True,
                 threads=0):
        super().__init__()
        self.f = as_landscape(f)
        self.t_max = positive(t_max, "t_max")
        self.grid = _grid_for(self.f, n, domain, grid)
        o = _lib.HopfLaxOptions(count(refine, "refine"), 1 if polish else 0,
                                count(threads, "threads", 0))
        ptr = ctypes.c_void_p()
        status = lib.dr_hopflax_plan_alloc(ctypes.byref(ptr), self.f.handle,
                                           ctypes.byref(self.grid._c), self.t_max,
                                           ctypes.byref(o))
        self._finish_alloc(status, ptr)
        self._shape = self.grid.shape

    def execute(self, t, u=None, prox=None, grad=None, want_prox=True, want_grad=True):
        """u(., t) (grid.shape), prox y*(x) and grad (x - y*)/t ((n,) in 1-D, (2, ny, nx))."""
        t = positive(t, "t")
        u = _out(u, self.grid.shape, "u")
        vshape = _grad_shape(self.grid, 1)[1:]
        prox = _out(prox, vshape, "prox") if (want_prox or prox is not None) else None
        grad = _out(grad, vshape, "grad") if (want_grad or grad is not None) else None
        status = lib.dr_hopflax_execute(self._handle(), t, u, _lib.ptr(prox), _lib.ptr(grad))
        self.f._raise_callback()
        check(status)
        return u, prox, grad

    def __call__(self, t):
        """u(., t) alone (grid.shape): the lean path for one plan called many times."""
        return _lean_call(self, _lib.hopflax_execute_raw, t)

    def info(self):
        """The y-grid the plan minimises over (dict of dr_hopflax_info)."""
        i = _lib.HopfLaxInfo()
        lib.dr_hopflax_plan_info(self._handle(), ctypes.byref(i))
        d = self.grid.dim
        return {"refine": i.refine, "margin": i.margin,
                "margin_points": tuple(i.margin_points[:d]), "ny": tuple(i.ny[:d]),
                "y0": tuple(i.y0[:d]), "hy": tuple(i.hy[:d]), "fmin": i.fmin,
                "fmax_box": i.fmax_box}


def prox(f, t, n=None, domain=None, grid=None, refine=1, polish=True):
    """The proximal map y*(x) = argmin_y f(y) + |x-y|^2/(2t) on a grid: (n,) or (2, ny, nx)."""
    with HopfLaxPlan(f, t, n=n, domain=domain, grid=grid, refine=refine, polish=polish) as p:
        return p.execute(t, want_grad=False)[1]


class FD(_Plan):
    """Finite-difference stepper for u_t + 1/2 |grad u|^2 = (1/(2 beta)) Lap u, beta in (0, inf]:
    FD(f, beta, t_max, n=None, domain=None, grid=None, scheme="weno5", rk_order=3, cfl=0.5,
    threads=0) (threads: FFTW threads of the diffusion sub-step, 0 = all);
    step(), advance_to(t), solution() -> (u, grad), .time, stats()."""
    _free = staticmethod(lib.dr_fd_free)

    def __init__(self, f, beta, t_max, n=None, domain=None, grid=None, scheme="weno5",
                 rk_order=0, cfl=0.0, threads=0):
        super().__init__()
        self.f = as_landscape(f)
        self.beta = positive(beta, "beta", allow_inf=True)
        self.t_max = positive(t_max, "t_max")
        self.grid = _grid_for(self.f, n, domain, grid)
        o = _lib.FdOptions(parse_enum(lib.dr_fd_scheme_parse, scheme, "scheme"),
                           count(rk_order, "rk_order", 0), 0.0 if not cfl else
                           positive(cfl, "cfl"), ctypes.cast(None, _lib.FdProgress), None,
                           count(threads, "threads", 0))
        ptr = ctypes.c_void_p()
        status = lib.dr_fd_alloc(ctypes.byref(ptr), self.f.handle, ctypes.byref(self.grid._c),
                                 self.beta, self.t_max, ctypes.byref(o))
        self._finish_alloc(status, ptr)

    def step(self):
        """One CFL step (never past t_max)."""
        check(lib.dr_fd_step(self._handle()))

    def advance_to(self, t):
        """Steps until the time is exactly t (current time <= t <= t_max)."""
        check(lib.dr_fd_advance_to(self._handle(), positive(t, "t")))

    @property
    def time(self):
        return lib.dr_fd_time(self._handle())

    def solution(self):
        """(u, grad) at the current time: grid.shape and (n,) / (2, ny, nx)."""
        u = np.empty(self.grid.shape)
        grad = np.empty(_grad_shape(self.grid, 1)[1:])
        check(lib.dr_fd_solution(self._handle(), u, _lib.ptr(grad)))
        return u, grad

    def stats(self):
        r = _lib.FdReport()
        lib.dr_fd_stats(self._handle(), ctypes.byref(r))
        return {"steps": r.steps, "rhs_evals": r.rhs_evals, "dt_min": r.dt_min,
                "dt_max": r.dt_max, "capped": bool(r.capped)}
