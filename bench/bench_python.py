# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python binding's overhead, side by side with C in one run (make bench):
  solve2d: deeprelax.solve of quad2d on 1024 x 1024 (beta 10, t 1, u and grad) against
           dr_landscape_sample + dr_solve in C (build/bench/bench_solve solve2d): target
           within 5%;
  plan1d:  HeatPlan(paper1d, 1201 points, FFT engine) called 1000 times against the same loop of
           dr_heat_execute in C: target within 10%.
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

BUILD = os.environ.get("BUILD", "build")
C_BENCH = os.path.join(ROOT, BUILD, "bench", "bench_solve")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def c_time(case):
    # best of 2 inside the C process: its first run pays the process's cold start (page
    # faults, the OpenMP pool), which the Python process paid once in an earlier round
    out = subprocess.run([C_BENCH, case, "2"], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[1])


def py_solve2d():
    f = dr.Landscape("quad2d")
    t0 = time.perf_counter()
    dr.solve(f, 1.0, beta=10.0, n=1024, domain=((-4, 4), (-4, 4)))
    return time.perf_counter() - t0


def py_plan1d():
    with dr.HeatPlan("paper1d", 30.0, 0.05, 0.2, n=1201, engine="fft") as p:
        t0 = time.perf_counter()
        for k in range(1000):
            p(0.05 + 0.015 * (k % 10) + 0.001)
        return time.perf_counter() - t0


def main():
    if not os.path.exists(C_BENCH):
        sys.exit("bench_python: %s is missing (make bench builds it)" % C_BENCH)
    print("binding overhead, best of %d alternating rounds (wall s; shared machine: noisy)"
          % ROUNDS)
    print("%-40s %10s %10s %8s %8s" % ("case", "C", "Python", "ratio", "target"))
    for case, py, target in (("solve2d", py_solve2d, 1.05), ("plan1d", py_plan1d, 1.10)):
        c, p = [], []
        for _ in range(ROUNDS):
            c.append(c_time(case))
            p.append(py())
        label = {"solve2d": "solve 1024x1024 Cole-Hopf (u, grad)",
                 "plan1d": "heat plan x1000, 1-D 1201 points"}[case]
        ratio = min(p) / min(c)  # below 1 = the overhead is under the machine's noise
        print("%-40s %10.4f %10.4f %8.3f %8s  %s" % (label, min(c), min(p), ratio,
                                                     "<= %.2f" % target,
                                                     "ok" if ratio <= target else "OVER"))


if __name__ == "__main__":
    main()
