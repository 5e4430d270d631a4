# SPDX-License-Identifier: GPL-3.0-or-later
"""deeprelax: the PDE view of deep-learning optimisation, from Python, on NumPy arrays.

Local entropy u(x, t) solves u_t = -1/2 |grad u|^2 + (1/(2 beta)) Lap u, u(., 0) = f: exactly by
Cole-Hopf (heat) for finite beta, by Hopf-Lax (min_y f(y) + |x-y|^2/(2t)) for beta = inf, or by
finite differences. This package is a ctypes binding of libdeeprelax.so (no compiler step):

    import deeprelax as dr
    f = dr.Landscape("paper1d")                  # or Landscape.expr / samples / from_function
    s = dr.solve(f, t=[0.05, 0.2], beta=30)      # s.x (601,), s.u (2, 601), s.report[k]
    with dr.HeatPlan(f, 30, 0.05, 0.2) as p:     # plan once, execute many
        u = p(0.1)

Fields are shaped (n,) in 1-D and (ny, nx) in 2-D (x fastest), several times stacked in front.
Errors of the library raise deeprelax.Error with its message; bad arrays raise TypeError or
ValueError before any C call. Every C call releases the GIL (ctypes.CDLL does), so threads
solving different problems run in parallel.
"""
from ._lib import Error, library_path, version as _version
from .landscape import Grid, Landscape, catalogue
from .solve import FD, HeatPlan, HopfLaxPlan, Solution, prox, solve
from .analysis import (GibbsPlan, Widening, boundary_layer, default_delta, hessian_fd, minima,
                       semiconcavity, semiconcavity_bound, widen)
from .particles import basins, gibbs_mean, particles
from .viz import heatmap, plot
from . import nn

__version__ = _version()


def version():
    """The runtime version of libdeeprelax (dr_version()); equals __version__."""
    return _version()


__all__ = ["Error", "Grid", "Landscape", "catalogue", "solve", "Solution", "HeatPlan",
           "HopfLaxPlan", "FD", "prox", "GibbsPlan", "Widening", "widen", "hessian_fd",
           "boundary_layer", "semiconcavity", "semiconcavity_bound", "minima", "default_delta",
           "particles", "basins", "gibbs_mean", "heatmap", "plot", "nn", "version",
           "library_path", "__version__"]
