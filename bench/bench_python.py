# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python binding's overhead, side by side with C in one run (make bench):
  solve2d: deeprelax.solve of quad2d on 1024 x 1024 (beta 10, t 1, u and grad) against
           dr_landscape_sample + dr_solve in C (build/bench/bench_solve solve2d): target
           within 5%;
  plan1d:  HeatPlan(paper1d, 1201 points, FFT engine, one thread) called 1000 times (u only,
           as plan(t) returns) against the same loop of dr_heat_execute in C: target within 10%.
           Also printed: the overhead per call in microseconds, (Python - C) / 1000.
The last row of plan1d: plan(t) against the bare ctypes call in the same process.
Rounds alternate C and Python (C: best of 2 runs in its process, so both sides are warm); each
side's best round is kept (wall-clock seconds; the machine
is shared, so the best of several is the least disturbed). Prints the ratios."""
import os
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
import deeprelax as dr  # noqa: E402
import numpy as np  # noqa: E402

BUILD = os.environ.get("BUILD", "build")
C_BENCH = os.path.join(ROOT, BUILD, "bench", "bench_solve")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def c_time(case, cpu=False):
    # best of 2 inside the C process: its first run pays the process's cold start (page
    # faults, the OpenMP pool), which the Python process paid once in an earlier round
    out = subprocess.run([C_BENCH, case, "2"], capture_output=True, text=True, check=True)
    words = out.stdout.split()
    return (float(words[1]), float(words[2])) if cpu else float(words[1])


def py_solve2d():
    f = dr.Landscape("quad2d")
    t0 = time.perf_counter()
    dr.solve(f, 1.0, beta=10.0, n=1024, domain=((-4, 4), (-4, 4)))
    return time.perf_counter() - t0


def py_plan1d():
    """(wall, calling-thread CPU) seconds of the loop of plan(t); BARE gets the CPU seconds of the same
    loop as one bare ctypes call into a fixed buffer, in the same process: the floor any
    binding has, so plan(t) / bare is the package's own overhead without the process-to-process
    noise of a shared machine."""
    from deeprelax import _lib
    with dr.HeatPlan("paper1d", 30.0, 0.05, 0.2, n=1201, engine="fft", threads=1) as p:
        t0, c0 = time.perf_counter(), time.thread_time()
        for k in range(1000):
            p(0.05 + 0.015 * (k % 10) + 0.001)
        wall, cpu = time.perf_counter() - t0, time.thread_time() - c0
        raw, handle, u = _lib.heat_execute_raw, p._ptr, np.empty(p.grid.shape)
        addr = u.ctypes.data
        c0 = time.thread_time()
        for k in range(1000):
            raw(handle, 0.05 + 0.015 * (k % 10) + 0.001, addr, None, None)
        BARE.append(time.thread_time() - c0)
        return wall, cpu


BARE = []


def main():
    if not os.path.exists(C_BENCH):
        sys.exit("bench_python: %s is missing (make bench builds it)" % C_BENCH)
    print("binding overhead, best of %d alternating rounds (wall s; shared machine: noisy)"
          % ROUNDS)
    print("%-40s %10s %10s %8s %8s" % ("case", "C", "Python", "ratio", "target"))
    for case, py, target in (("solve2d", py_solve2d, 1.05), ("plan1d", py_plan1d, 1.10)):
        c, p = [], []
        for _ in range(ROUNDS):
            c.append(c_time(case, cpu=case == "plan1d"))
            p.append(py())
        label = {"solve2d": "solve 1024x1024 Cole-Hopf (u, grad)",
                 "plan1d": "heat plan x1000, 1-D 1201 points"}[case]
        rows = [(label, min(c), min(p))]
        if case == "plan1d":
            # the loop is 0.05-0.3 s: on a loaded machine its wall clock carries the other jobs'
            # scheduling, which the calling thread's CPU time does not (one thread on both
            # sides; a process clock would also count an idle OpenMP or BLAS worker spinning)
            rows = [(label + " wall", min(w for w, _ in c), min(w for w, _ in p)),
                    (label + " cpu", min(u for _, u in c), min(u for _, u in p))]
        for name, cs, ps in rows:
            ratio = ps / cs  # below 1 = the overhead is under the machine's noise
            print("%-40s %10.4f %10.4f %8.3f %8s  %s" % (name, cs, ps, ratio, "<= %.2f" % target,
                                                         "ok" if ratio <= target else "OVER"))
        if case == "plan1d":
            print("%-40s %10.4f %10.4f %8.3f %8s  %s" % (
                "  plan(t) vs bare ctypes call (cpu)", min(BARE), rows[1][2],
                rows[1][2] / min(BARE), "<= 1.10", "ok" if rows[1][2] / min(BARE) <= 1.10
                else "OVER"))
            print("%-40s %10.1f us per call of %.1f us in C (cpu)"
                  % ("  binding overhead", (rows[1][2] - rows[1][1]) / 1000 * 1e6,
                     rows[1][1] / 1000 * 1e6))


if __name__ == "__main__":
    main()
