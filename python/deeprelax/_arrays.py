# SPDX-License-Identifier: GPL-3.0-or-later
"""Argument checks shared by the package: every array is checked here, before any C call, so a
wrong dtype, shape or layout raises TypeError/ValueError instead of reaching the library."""
import math
import numbers

import numpy as np


def float64_array(a, name, ndim=None, shape=None, finite=True):
    """a as a C-contiguous float64 ndarray (lists and scalars are converted; an ndarray must
    already be float64 and C-contiguous, as NumPy's own C-API functions demand)."""
    if isinstance(a, np.ndarray):
        if a.dtype != np.float64:
            raise TypeError("%s must have dtype float64 (got %s)" % (name, a.dtype))
        if not a.flags.c_contiguous:
            raise ValueError("%s must be C-contiguous (got a Fortran-ordered or strided array; "
                             "use np.ascontiguousarray)" % name)
    else:
        try:
            a = np.ascontiguousarray(a, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError("%s must be an array of numbers (%s)" % (name, e)) from None
    if ndim is not None and a.ndim not in (ndim if isinstance(ndim, tuple) else (ndim,)):
        raise ValueError("%s must have %s dimension%s (got shape %s)"
                         % (name, " or ".join(map(str, ndim)) if isinstance(ndim, tuple)
                            else ndim, "" if ndim == 1 else "s", a.shape))
    if shape is not None and a.shape != tuple(shape):
        raise ValueError("%s must have shape %s (got %s)" % (name, tuple(shape), a.shape))
    if finite and a.size and not np.all(np.isfinite(a)):
        raise ValueError("%s holds NaN or infinite values" % name)
    return a


def positive(v, name, allow_inf=False):
    if not isinstance(v, numbers.Real) or isinstance(v, bool):
        raise TypeError("%s must be a number (got %r)" % (name, v))
    v = float(v)
    if not (v > 0) or (math.isinf(v) and not allow_inf):
        raise ValueError("%s must be positive%s (got %r)" % (name, " or inf" if allow_inf
                                                             else " and finite", v))
    return v


def count(v, name, minimum=1):
    if not isinstance(v, numbers.Integral) or isinstance(v, bool):
        raise TypeError("%s must be an integer (got %r)" % (name, v))
    if v < minimum:
        raise ValueError("%s must be at least %d (got %d)" % (name, minimum, v))
    return int(v)


def times(t):
    """t as a 1-D float64 array of positive finite times (a scalar gives one time)."""
    if not isinstance(t, np.ndarray):
        try:
            t = np.asarray(t, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError("t must be a number or a sequence of numbers (%s)" % e) from None
    arr = np.ascontiguousarray(np.atleast_1d(float64_array(t, "t", ndim=(0, 1))))
    if arr.size == 0:
        raise ValueError("t must hold at least one time")
    if not np.all(arr > 0):
        raise ValueError("every time must be positive (got %r)" % float(arr[~(arr > 0)][0]))
    return arr


def domain_pairs(domain, dim, name="domain"):
    """[(lo, hi)] * dim from (lo, hi) in 1-D or ((lo, hi), (lo, hi)) in 2-D (or flat 4 values)."""
    d = float64_array(domain, name).reshape(-1)
    if d.size != 2 * dim:
        raise ValueError("%s must give lo, hi for each of the %d axes (%d values, got %d)"
                         % (name, dim, 2 * dim, d.size))
    lo, hi = d[0::2].copy(), d[1::2].copy()
    if not np.all(hi > lo):
        raise ValueError("%s: every axis needs lo < hi (got %s)" % (name, d.tolist()))
    return lo, hi
