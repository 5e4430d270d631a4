# SPDX-License-Identifier: GPL-3.0-or-later
"""Particle optimisers on a landscape (gd, sgd, langevin, entropy-sgd, hj, hj-fixed-point,
elastic-sgd, pde-gd) and where they end (basins). Entropy-SGD's inner loop is Langevin on
f(y) + |y-x|^2/(2 gamma) at temperature 1/beta; its average mu estimates the Gibbs mean <y> and
x <- x - eta (x - mu)/gamma. Same seed, same bytes: each particle has its own generator."""
import ctypes
import math

import numpy as np

from . import _lib
from ._arrays import count, domain_pairs, float64_array
from ._lib import check, lib, parse_enum
from .landscape import as_landscape

_FIELDS = ("steps", "L", "eta", "eta_inner", "gamma", "g0", "g1", "beta", "alpha", "sigma",
           "momentum", "replicas", "rho", "rho_growth", "seed")


def particles_options(algo="gd", **kw):
    """dr_particles_options with the library's defaults, overridden by keywords (steps, L, eta,
    eta_inner, gamma, g0, g1, beta, alpha ("uniform" allowed), sigma, momentum, replicas, rho,
    rho_growth, seed, pde_n, pde_domain, threads: OpenMP/FFTW threads of pde-gd's solver plan,
    0 = all)."""
    o = _lib.ParticlesOptions()
    lib.dr_particles_options_default(ctypes.byref(o))
    o.algo = parse_enum(lib.dr_particles_algo_parse, algo, "algo")
    for k, v in kw.items():
        if k == "alpha" and v == "uniform":
            o.alpha = -1.0
        elif k in ("steps", "L", "replicas", "seed", "threads"):
            setattr(o, k, count(v, k, 0))
        elif k in _FIELDS:
            setattr(o, k, float(v))
        elif k == "pde_n":
            ns = [v] if np.isscalar(v) else list(v)
            if len(ns) > 2:
                raise ValueError("pde_n has at most 2 values")
            for a, nv in enumerate(ns):
                o.pde_n[a] = count(nv, "pde_n", 8)
        elif k == "pde_domain":
            continue
        else:
            raise TypeError("unknown particles option %r" % k)
    return o


class Run:
    """The result of particles(): .path (K, steps+1, dim), .f (K, steps+1), .ends (K, dim),
    .basins (list of dicts minimiser/value/count/global), .options (dict)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def particles(f, algo, x0=None, K=None, domain=None, **options):
    """Runs particles of algorithm `algo` from starts x0 ((K, dim) array, or one point (dim,)
    repeated K times; default the box's centre) and classifies where they end.
    Same options and seeds as `deeprelax particles` (with --spread 0): same paths, bit for bit."""
    f = as_landscape(f)
    d = f.dim
    box = f.domain if domain is None else domain
    lo, hi = (list(map(float, v)) for v in domain_pairs(box, d))
    if x0 is None:
        x0 = [0.5 * (lo[a] + hi[a]) for a in range(d)]
    x = float64_array(x0, "x0", ndim=(1, 2))
    if x.ndim == 1:
        if x.shape[0] != d:
            raise ValueError("x0 has %d values but the landscape is %d-D" % (x.shape[0], d))
        x = np.ascontiguousarray(np.tile(x, (1 if K is None else count(K, "K"), 1)))
    elif x.shape[1] != d:
        raise ValueError("x0 must have shape (K, %d) (got %s)" % (d, x.shape))
    k = x.shape[0]
    o = particles_options(algo, **options)
    o.have_pde_box = 1
    for a in range(2):
        o.pde_lo[a] = lo[a] if a < d else 0.0
        o.pde_hi[a] = hi[a] if a < d else 0.0
    pn = options.get("pde_n")
    if pn is not None and d == 2 and (np.isscalar(pn) or len(pn) == 1):
        o.pde_n[1] = o.pde_n[0]
    elif pn is not None and d == 1 and not np.isscalar(pn) and len(pn) == 2:
        raise ValueError("pde_n has two values but the landscape is 1-D")
    ptr = ctypes.c_void_p()
    check(lib.dr_particles_alloc(ctypes.byref(ptr), f.handle, ctypes.byref(o)))
    try:
        steps = o.steps
        path = np.empty((k, steps + 1, d))
        fpath = np.empty((k, steps + 1))
        status = lib.dr_particles_run(ptr, k, x.reshape(-1).copy() if x.ndim != 2 else
                                      np.ascontiguousarray(x), _lib.ptr(path), _lib.ptr(fpath))
        f._raise_callback()
        check(status)
    finally:
        lib.dr_particles_free(ptr)
    ends = np.ascontiguousarray(path[:, -1, :])
    return Run(path=path, f=fpath, ends=ends, basins=basins(f, ends, (lo, hi) if d == 1 else
                                                            tuple(zip(lo, hi))), options=
               {name: getattr(o, name) for name in _FIELDS} | {"algo": algo})


def basins(f, ends, domain=None, max_basins=64):
    """Where the points ends (K, dim) lead by gradient descent, merged and sorted by f: a list
    of dicts minimiser, value, count, global (the lowest minimum the box shows)."""
    f = as_landscape(f)
    d = f.dim
    e = float64_array(ends, "ends", ndim=2)
    if e.shape[1] != d:
        raise ValueError("ends must have shape (K, %d)" % d)
    blo, bhi = domain_pairs(f.domain if domain is None else domain, d)
    lo = (ctypes.c_double * 2)(*blo.tolist())
    hi = (ctypes.c_double * 2)(*bhi.tolist())
    out = (_lib.ParticlesBasin * max_basins)()
    nb = ctypes.c_size_t()
    status = lib.dr_particles_basins(f.handle, lo, hi, e.shape[0], e, out, max_basins,
                                     ctypes.byref(nb))
    f._raise_callback()
    check(status)
    return [{"minimiser": tuple(out[i].minimiser[:d]), "value": out[i].value,
             "count": out[i].count, "global": bool(out[i].global_)} for i in range(nb.value)]


def gibbs_mean(f, x, gamma, beta):
    """The exact Gibbs mean <y> of rho_x(y) ~ exp(-beta f(y) - beta |x-y|^2/(2 gamma)) and its
    covariance, by a log-domain quadrature: ((dim,), (dim, dim))."""
    f = as_landscape(f)
    d = f.dim
    p = float64_array(x, "x", shape=(d,))
    mean, cov = (ctypes.c_double * 2)(), (ctypes.c_double * 4)()
    status = lib.dr_particles_gibbs_mean(f.handle, p.ctypes.data_as(
        ctypes.POINTER(ctypes.c_double)), float(gamma), float(beta), mean,
        ctypes.cast(cov, ctypes.c_void_p))
    f._raise_callback()
    check(status)
    return np.array(mean[:d]), np.array(cov[:d * d]).reshape(d, d)
