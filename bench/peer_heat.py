"""Peer for bench_heat: the Cole-Hopf solve a careful NumPy/SciPy user would write.

u = min f - log(G * exp(-beta (f - min f))) / beta with scipy.signal.fftconvolve and a Gaussian
truncated at 8 standard deviations, on quad2d (f = |x|^2/2) so the error is measured against the
closed form u = |x|^2/(2(1+t)) + log(1+t)/beta on the inner half of the box. Two variants: one 2-D
convolution, and one pass per axis. Prints "key value" lines for bench_heat.c to read.
"""
import math
import sys
import time

import numpy as np
import scipy.signal


def setup(n, beta, t, half=4.0):
    x = np.linspace(-half, half, n)
    h = x[1] - x[0]
    X, Y = np.meshgrid(x, x)
    f = (X**2 + Y**2) / 2
    s = t / beta
    r = int(math.ceil(8 * math.sqrt(s) / h))
    z = np.arange(-r, r + 1) * h
    g = np.exp(-z**2 / (2 * s)) * h / math.sqrt(2 * math.pi * s)
    return X, Y, f, g


def solve_2d(f, g, beta):
    w = np.exp(-beta * (f - f.min()))
    with np.errstate(divide="ignore", invalid="ignore"):
        return f.min() - np.log(scipy.signal.fftconvolve(w, np.outer(g, g), mode="same")) / beta


def solve_axes(f, g, beta):
    w = np.exp(-beta * (f - f.min()))
    v = scipy.signal.fftconvolve(w, g[None, :], mode="same", axes=1)
    v = scipy.signal.fftconvolve(v, g[:, None], mode="same", axes=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return f.min() - np.log(v) / beta


def best_time(fn, repeat=5):
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def inner_error(X, Y, u, beta, t):
    exact = (X**2 + Y**2) / (2 * (1 + t)) + math.log(1 + t) / beta
    inner = (np.abs(X) <= 2) & (np.abs(Y) <= 2)
    diff = np.abs(u - exact)[inner]
    return float(np.nanmax(np.where(np.isfinite(diff), diff, np.inf)))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    t = 1.0
    X, Y, f, g = setup(n, 10.0, t)
    print("peer_2d_seconds", best_time(lambda: solve_2d(f, g, 10.0)))
    print("peer_axes_seconds", best_time(lambda: solve_axes(f, g, 10.0)))
    for beta in (10.0, 30.0, 100.0):
        X, Y, f, g = setup(n, beta, t)
        u = solve_axes(f, g, beta)
        print("peer_error_beta_%g" % beta, inner_error(X, Y, u, beta, t))
        print("peer_nonfinite_beta_%g" % beta, int(np.count_nonzero(~np.isfinite(u))))


if __name__ == "__main__":
    main()
