# SPDX-License-Identifier: GPL-3.0-or-later
"""Landscapes f : R^d -> R (d = 1, 2) and the uniform grids fields live on.

Fields are NumPy arrays in the library's layout: shape (n,) in 1-D, (ny, nx) in 2-D (x fastest,
so field[j, i] is f(x_i, y_j)).
"""
import ctypes
import math
import threading
import traceback

import numpy as np

from . import _lib
from ._arrays import count, domain_pairs, float64_array
from ._lib import Error, check, lib


class Grid:
    """A uniform grid: n[a] points from lo[a] to hi[a] inclusive on each axis a.

    Grid(n, domain): n an int (1-D) or (nx, ny); domain (lo, hi) or ((xlo, xhi), (ylo, yhi)).
    .x (nx,) and, in 2-D, .y (ny,) are the coordinates; .shape is a field's shape, (nx,) or
    (ny, nx)."""

    def __init__(self, n, domain):
        ns = [n] if np.isscalar(n) else list(n)
        dim = len(ns)
        if dim not in (1, 2):
            raise ValueError("a grid is 1-D or 2-D (got %d point counts)" % dim)
        ns = [count(v, "n", 8) for v in ns]
        lo, hi = domain_pairs(domain, dim)
        c = _lib.Grid()
        check(lib.dr_grid_init(ctypes.byref(c), dim, (ctypes.c_size_t * 2)(*(ns + [1])[:2]),
                               (ctypes.c_double * 2)(*(list(lo) + [0.0])[:2]),
                               (ctypes.c_double * 2)(*(list(hi) + [0.0])[:2])))
        self._c = c

    @classmethod
    def _from_c(cls, c):
        g = cls.__new__(cls)
        g._c = c
        return g

    @property
    def dim(self):
        return self._c.dim

    @property
    def n(self):
        return tuple(self._c.n[a] for a in range(self.dim))

    @property
    def domain(self):
        return tuple((self._c.lo[a], self._c.hi[a]) for a in range(self.dim))

    @property
    def shape(self):
        """A field's shape: (nx,) or (ny, nx)."""
        return (self._c.n[0],) if self.dim == 1 else (self._c.n[1], self._c.n[0])

    @property
    def size(self):
        return int(np.prod(self.shape))

    def coords(self, axis):
        """Coordinates of axis `axis` (lo (1 - s) + hi s, s = i/(n-1): the library's exact ones)."""
        n = self._c.n[axis]
        s = np.arange(n, dtype=np.float64) / (n - 1)
        return self._c.lo[axis] * (1.0 - s) + self._c.hi[axis] * s

    @property
    def x(self):
        return self.coords(0)

    @property
    def y(self):
        if self.dim != 2:
            raise AttributeError("a 1-D grid has no y axis")
        return self.coords(1)

    def __repr__(self):
        return "Grid(n=%s, domain=%s)" % (self.n if self.dim == 2 else self.n[0],
                                          self.domain if self.dim == 2 else self.domain[0])


def catalogue():
    """The built-in landscapes: a list of dicts (name, dim, domain, formula, note)."""
    out = []
    for i in range(lib.dr_landscape_catalogue_size()):
        e = lib.dr_landscape_catalogue(i).contents
        out.append({"name": e.name.decode(), "dim": e.dim,
                    "domain": tuple((e.lo[a], e.hi[a]) for a in range(e.dim)),
                    "formula": e.formula.decode(), "note": (e.note or b"").decode()})
    return out


class Landscape:
    """A loss landscape f, evaluable anywhere (solvers sample it beyond the box).

    Landscape(name, noise=0, seed=1): a catalogue entry (see catalogue()).
    Landscape.expr(text, dim=0, domain=...): an expression in x (and y).
    Landscape.samples(array, domain): samples on a uniform grid, interpolated (spline/bicubic).
    Landscape.file(path, domain=None): samples from a CSV or .npy file.
    Landscape.from_function(fn, dim, domain, grad=None, curvature=None): a vectorised function.
    The C object is freed by close(), by `with`, or when the Landscape is garbage-collected."""

    def __init__(self, name, noise=0.0, seed=1):
        if not isinstance(name, str):
            raise TypeError("Landscape(name): name must be a string (got %r)" % (name,))
        params = _lib.LandscapeParams(float(noise), int(seed))
        self._init()
        ptr = ctypes.c_void_p()
        check(lib.dr_landscape_alloc_builtin(ctypes.byref(ptr), name.encode(),
                                             ctypes.byref(params)))
        self._ptr = ptr

    def _init(self):
        self._ptr = None
        self._keep = ()
        self._exc = None
        self._exc_lock = threading.Lock()

    @classmethod
    def _wrap(cls, ptr, keep=()):
        self = cls.__new__(cls)
        self._init()
        self._ptr = ptr
        self._keep = keep
        return self

    @classmethod
    def expr(cls, text, dim=0, domain=None):
        """f given by an expression in x (dim 1) or x and y (dim 2), libmatheval syntax
        (+ - * / ^, sin, exp, ...); dim 0 infers it. domain: the default box (else [-3, 3]^d)."""
        if not isinstance(text, str):
            raise TypeError("expr: the expression must be a string (got %r)" % (text,))
        count(dim, "dim", 0)
        ptr = ctypes.c_void_p()
        check(lib.dr_landscape_alloc_expr(ctypes.byref(ptr), text.encode(), int(dim)))
        self = cls._wrap(ptr)
        if domain is not None:
            self._domain = domain_pairs(domain, self.dim)
        return self

    @classmethod
    def samples(cls, array, domain):
        """f from samples: array (n,) or (ny, nx) float64 on the uniform grid over domain;
        natural cubic spline (1-D) or bicubic (2-D) between samples, a quadratic wall beyond."""
        a = float64_array(array, "samples", ndim=(1, 2))
        n = (a.shape[0],) if a.ndim == 1 else (a.shape[1], a.shape[0])
        g = Grid(n[0] if a.ndim == 1 else n, domain)
        ptr = ctypes.c_void_p()
        check(lib.dr_landscape_alloc_samples(ctypes.byref(ptr), ctypes.byref(g._c), a))
        return cls._wrap(ptr)

    @classmethod
    def file(cls, path, domain=None):
        """f from a CSV (x,f or x,y,f) or .npy file of samples (.npy needs domain)."""
        d = None
        if domain is not None:
            d = np.ascontiguousarray(np.asarray(domain, dtype=np.float64).reshape(-1))
        ptr = ctypes.c_void_p()
        check(lib.dr_landscape_alloc_file(ctypes.byref(ptr), str(path).encode(),
                                          None if d is None else d.ctypes.data_as(ctypes.c_void_p)))
        return cls._wrap(ptr)

    @classmethod
    def from_function(cls, fn, dim, domain, grad=None, curvature=None, name="function"):
        """f from a vectorised Python function: fn(x) -> f, x of shape (n,) (1-D), or
        fn(x, y) -> f with x, y of shape (n,) (2-D); it returns n values. grad (optional) takes the
        same arguments and returns df/dx (n,) in 1-D, or (df/dx, df/dy) / an array (2, n) in 2-D;
        without it the library differentiates by central differences. curvature: an upper bound
        of the largest eigenvalue of D^2 f (for the bound C/(1+Ct)); None = unknown.
        The library calls fn from one thread at a time (holding the GIL while it runs). An
        exception raised by fn stops the computation: the call raises deeprelax.Error with it."""
        if not callable(fn) or (grad is not None and not callable(grad)):
            raise TypeError("from_function: fn (and grad) must be callable")
        dim = count(dim, "dim", 1)
        if dim > 2:
            raise ValueError("from_function: dim must be 1 or 2 (got %d)" % dim)
        lo, hi = domain_pairs(domain, dim)
        self = cls.__new__(cls)
        self._init()
        value_cb = _lib.LandscapeFn(self._callback(fn, dim, 1, "fn"))
        grad_cb = _lib.LandscapeFn(self._callback(grad, dim, dim, "grad")) if grad else \
            ctypes.cast(None, _lib.LandscapeFn)
        box = (ctypes.c_double * 4)(*[float(v) for a in range(dim) for v in (lo[a], hi[a])])
        c = math.nan if curvature is None else float(curvature)
        ptr = ctypes.c_void_p()
        check(lib.dr_landscape_alloc_function(ctypes.byref(ptr), dim, box, c, value_cb,
                                              grad_cb, None, str(name).encode()))
        self._ptr = ptr
        self._keep = (value_cb, grad_cb, fn, grad)
        return self

    def _callback(self, fn, dim, ncomp, what):
        def call(user, n, x, out):
            try:
                pts = np.ctypeslib.as_array(x, shape=(n, dim))
                args = (pts[:, 0].copy(),) if dim == 1 else (pts[:, 0].copy(), pts[:, 1].copy())
                r = np.asarray(fn(*args), dtype=np.float64)
                dst = np.ctypeslib.as_array(out, shape=(n, ncomp))
                if ncomp == 1:
                    dst[:, 0] = np.broadcast_to(r, (n,))
                else:
                    dst[:] = np.broadcast_to(r, (ncomp, n)).T
                return 0
            except BaseException as e:  # noqa: B902 - any failure must stop the C loop
                with self._exc_lock:
                    if self._exc is None:
                        self._exc = (what, e, traceback.format_exc())
                return 1
        return call

    def _raise_callback(self):
        """Re-raise, as deeprelax.Error, the first exception of the Python callbacks."""
        with self._exc_lock:
            exc, self._exc = self._exc, None
        if exc is not None:
            what, e, _ = exc
            raise Error("the landscape's %s raised %s: %s" % (what, type(e).__name__, e),
                        1) from e

    # ------------------------------------------------------------ the object
    @property
    def handle(self):
        if self._ptr is None:
            raise ValueError("the landscape is closed")
        return self._ptr

    def close(self):
        """Frees the C landscape now (also done by `with` and by garbage collection)."""
        if getattr(self, "_ptr", None) is not None:
            lib.dr_landscape_free(self._ptr)
            self._ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    @property
    def dim(self):
        return lib.dr_landscape_dim(self.handle)

    @property
    def name(self):
        return lib.dr_landscape_name(self.handle).decode()

    @property
    def formula(self):
        return lib.dr_landscape_formula(self.handle).decode()

    @property
    def domain(self):
        """The default box: ((lo, hi),) in 1-D, ((xlo, xhi), (ylo, yhi)) in 2-D."""
        if getattr(self, "_domain", None) is not None:
            lo, hi = self._domain
        else:
            lo, hi = (ctypes.c_double * 2)(), (ctypes.c_double * 2)()
            lib.dr_landscape_domain(self.handle, lo, hi)
        return tuple((float(lo[a]), float(hi[a])) for a in range(self.dim))

    def __repr__(self):
        return "<deeprelax.Landscape %s: %s, %d-D>" % (self.name, self.formula, self.dim)

    def grid(self, n=None, domain=None):
        """The solve command's grid for f: n points per axis (default 601 in 1-D, 257 x 257 in
        2-D; an int or (nx, ny)) on domain (default: f's own box)."""
        dom = self.domain if domain is None else domain
        lo, hi = domain_pairs(dom, self.dim)
        ns = [] if n is None else ([n] if np.isscalar(n) else list(n))
        ns = [count(v, "n", 1) for v in ns]
        if len(ns) > 2 or (len(ns) == 2 and self.dim == 1):
            raise ValueError("n has %d values but the landscape is %d-D" % (len(ns), self.dim))
        c = _lib.Grid()
        arr = (ctypes.c_size_t * 2)(*(ns + [0, 0])[:2])
        lo_c = (ctypes.c_double * 2)(*(list(lo) + [0.0])[:2])
        hi_c = (ctypes.c_double * 2)(*(list(hi) + [0.0])[:2])
        check(lib.dr_solve_grid(ctypes.byref(c), self.handle, len(ns), arr,
                                ctypes.cast(lo_c, ctypes.c_void_p), ctypes.cast(hi_c, ctypes.c_void_p)))
        return Grid._from_c(c)

    def __call__(self, x, y=None):
        """f at points: x (n,) in 1-D; x, y (n,) in 2-D (broadcast). Returns (n,) values."""
        return self.eval(x, y)[0]

    def eval(self, x, y=None, grad=False):
        """(f, grad f) at points (one batch call for function landscapes): x (n,), [y (n,)];
        f (n,), grad (n,) in 1-D or (2, n) in 2-D (None unless grad=True)."""
        d = self.dim
        if (y is None) != (d == 1):
            raise ValueError("a %d-D landscape takes %s" % (d, "x" if d == 1 else "x and y"))
        xs = np.atleast_1d(np.asarray(x, dtype=np.float64))
        if d == 2:
            xs, ys = np.broadcast_arrays(xs, np.atleast_1d(np.asarray(y, dtype=np.float64)))
            pts = np.ascontiguousarray(np.stack([xs.ravel(), ys.ravel()], axis=1))
        else:
            pts = np.ascontiguousarray(xs.ravel())
        n = pts.shape[0]
        v = np.empty(n)
        g = np.empty((n, d)) if grad else None
        status = lib.dr_landscape_eval(self.handle, n, pts, v, _lib.ptr(g))
        self._raise_callback()
        check(status)
        return v, (None if g is None else (g[:, 0].copy() if d == 1 else g.T.copy()))

    def sample(self, grid):
        """f on a grid: shape grid.shape."""
        out = np.empty(grid.shape)
        lib.dr_landscape_sample(self.handle, ctypes.byref(grid._c), out)
        self._raise_callback()
        return out

    def hessian(self, x):
        """D^2 f at one point x (dim values): (dim, dim)."""
        p = float64_array(x, "x", shape=(self.dim,))
        h = (ctypes.c_double * 4)()
        status = lib.dr_landscape_hessian(self.handle, p.ctypes.data_as(
            ctypes.POINTER(ctypes.c_double)), h)
        self._raise_callback()
        check(status)
        return np.array(h[:self.dim * self.dim]).reshape(self.dim, self.dim)

    def curvature_bound(self, domain=None):
        """C >= the largest eigenvalue of D^2 f over the box (analytic for the catalogue,
        measured for expressions and samples, given for functions); NaN when unknown."""
        lo, hi = domain_pairs(self.domain if domain is None else domain, self.dim)
        lo_c = (ctypes.c_double * 2)(*(list(lo) + [0.0])[:2])
        hi_c = (ctypes.c_double * 2)(*(list(hi) + [0.0])[:2])
        return lib.dr_landscape_curvature_bound(self.handle, ctypes.cast(lo_c, ctypes.c_void_p),
                                                ctypes.cast(hi_c, ctypes.c_void_p))


def as_landscape(f):
    """A Landscape from a Landscape or a catalogue name."""
    if isinstance(f, Landscape):
        return f
    if isinstance(f, str):
        return Landscape(f)
    raise TypeError("expected a deeprelax.Landscape or a catalogue name (got %r)"
                    % type(f).__name__)
