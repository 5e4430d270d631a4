# SPDX-License-Identifier: GPL-3.0-or-later
"""Peer for bench_heat: the Cole-Hopf solve a careful NumPy/SciPy user would write.

u = min f - log(G * exp(-beta (f - min f))) / beta with scipy.signal.fftconvolve, one pass per
axis, and a Gaussian truncated at 8 standard deviations, on f = |x|^2/2 over [-4, 4]^dim (quad,
quad2d), so the error is measured against the closed form
u = |x|^2/(2(1+t)) + dim log(1+t)/(2 beta) at t = 1: on the inner half of the box and on the whole
box (the peer pads nothing, so its edge is wrong). Wall-clock seconds (time.perf_counter), best
of `repeat`; SciPy's fftconvolve runs on one thread.

Usage: peer_heat.py DIM N BETA   (prints "key value" lines for bench_heat.c to read)
Run alone (no arguments), it prints the bench's cases.
"""
import math
import sys
import time

import numpy as np
import scipy.signal


def setup(dim, n, beta, t, half=4.0):
    x = np.linspace(-half, half, n)
    h = x[1] - x[0]
    if dim == 1:
        X = (x,)
    else:
        X = np.meshgrid(x, x)
    f = sum(c**2 for c in X) / 2
    s = t / beta
    r = min(int(math.ceil(8 * math.sqrt(s) / h)), n - 1)
    z = np.arange(-r, r + 1) * h
    g = np.exp(-z**2 / (2 * s)) * h / math.sqrt(2 * math.pi * s)
    return X, f, g


def solve_axes(dim, f, g, beta):
    v = np.exp(-beta * (f - f.min()))
    if dim == 1:
        v = scipy.signal.fftconvolve(v, g, mode="same")
    else:
        v = scipy.signal.fftconvolve(v, g[None, :], mode="same", axes=1)
        v = scipy.signal.fftconvolve(v, g[:, None], mode="same", axes=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return f.min() - np.log(v) / beta


def best_time(fn, repeat):
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def errors(dim, X, u, beta, t):
    exact = sum(c**2 for c in X) / (2 * (1 + t)) + dim * math.log(1 + t) / (2 * beta)
    diff = np.abs(u - exact)
    diff = np.where(np.isfinite(diff), diff, np.inf)
    inner = np.ones(diff.shape, dtype=bool)
    for c in X:
        inner &= np.abs(c) <= 2
    return float(diff[inner].max()), float(diff.max()), int(np.count_nonzero(~np.isfinite(u)))


def run(dim, n, beta, t=1.0):
    X, f, g = setup(dim, n, beta, t)
    repeat = 3 if n**dim >= 10**6 else 5
    seconds = best_time(lambda: solve_axes(dim, f, g, beta), repeat)
    inner, whole, nonfinite = errors(dim, X, solve_axes(dim, f, g, beta), beta, t)
    print("peer_axes_seconds", seconds)
    print("peer_error_inner", inner)
    print("peer_error_whole", whole)
    print("peer_nonfinite", nonfinite)


def main():
    if len(sys.argv) == 4:
        run(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
        return
    for dim, n in ((2, 1024), (1, 10**5), (1, 10**6)):
        for beta in (10.0, 100.0):
            print("== SciPy fftconvolve per axis, %d-D n = %d, beta = %g" % (dim, n, beta))
            run(dim, n, beta)


if __name__ == "__main__":
    main()
