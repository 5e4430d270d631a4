#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Elastic-SGD on mnistfc with K = 2 replicas, two ways on the same cores, side by side:
2 MPI ranks of 1 thread each (mpirun) against 1 process of 2 threads holding both replicas
(--replicas 2), at coupling periods L = 1, 10, 25. Prints samples/s (gradients of all replicas
per wall second, best of 2 runs), wall seconds, time per synchronisation (the MPI_Allreduce of the parameters and
batch-norm statistics, as rank 0 measures it, waiting included) and the communication share of
the wall time. Synthetic MNIST-format data (the speed does not depend on the pixels); skipped
with a message when this deeprelax was built without MPI or mpirun is missing.
Usage: bench_elastic_mpi.py [--samples N] [--epochs E]"""
import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("DEEPRELAX", os.path.join(HERE, "..", "build", "bin", "deeprelax"))
BATCH = 128


def write_idx(d, name, n, rng):
    y = rng.integers(0, 10, n).astype(np.uint8)
    x = (rng.random((n, 28, 28)) * 255).astype(np.uint8)
    with gzip.open(os.path.join(d, f"{name}-images-idx3-ubyte.gz"), "wb", compresslevel=1) as f:
        f.write(np.array([0x803, n, 28, 28], ">u4").tobytes() + x.tobytes())
    with open(os.path.join(d, f"{name}-labels-idx1-ubyte"), "wb") as f:
        f.write(np.array([0x801, n], ">u4").tobytes() + y.tobytes())


def run(cmd):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    if out.returncode != 0:
        sys.exit(f"bench_elastic_mpi: {' '.join(cmd[:4])}... failed: {out.stderr.strip()[:300]}")
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=3840)
    ap.add_argument("--epochs", type=int, default=1)
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"bench_elastic_mpi: {BIN} not built")
    helptext = subprocess.run([BIN, "train", "--help"], capture_output=True, text=True).stdout
    if "with MPI" not in helptext or not shutil.which("mpirun"):
        print("bench_elastic_mpi: skipped (deeprelax built without MPI, or no mpirun)")
        return
    tmp = tempfile.mkdtemp()
    try:
        rng = np.random.default_rng(1)
        write_idx(tmp, "train", a.samples, rng)
        write_idx(tmp, "t10k", 500, rng)
        common = ["train", "--data", tmp, "--model", "mnistfc", "--optim", "elastic-sgd",
                  "--epochs", str(a.epochs), "--batch", str(BATCH), "--json"]
        steps = -(-a.samples // BATCH)
        with open("/proc/loadavg") as f:
            load = f.read().split()[0]
        print(f"Elastic-SGD, mnistfc (1.86M parameters), K = 2, {a.epochs} epoch(s) of "
              f"{a.samples} samples, batch {BATCH}; load average {load} on "
              f"{os.cpu_count()} cores")
        print(f"{'L':>3}  {'layout':<22} {'samples/s':>9} {'wall s':>7} {'syncs':>5} "
              f"{'ms/sync':>8} {'comm %':>6}")
        for L in (1, 10, 25):
            syncs = a.epochs * (steps // L + 1)  # every L steps, plus the epoch's mean
            # best of 2 of each, alternating: the machine's load drifts between runs
            mpi_cmd = ["mpirun", "-q", "--allow-run-as-root", "--oversubscribe", "-np", "2",
                       "--bind-to", "none", BIN] + common + ["--threads", "1", "--L", str(L)]
            one_cmd = [BIN] + common + ["--threads", "2", "--replicas", "2", "--L", str(L)]
            mpi = one = None
            for _ in range(2):
                m, o = run(mpi_cmd), run(one_cmd)
                if mpi is None or m["samples_per_second"] > mpi["samples_per_second"]:
                    mpi = m
                if one is None or o["samples_per_second"] > one["samples_per_second"]:
                    one = o
            rates = []
            for name, j in (("2 ranks x 1 thread", mpi), ("1 process x 2 threads", one)):
                wall = sum(e["seconds"] for e in j["epochs"])
                comm = j["comm_seconds"]
                rates.append(j["samples_per_second"])
                per_sync = f"{1e3 * comm / syncs:8.1f}" if name.startswith("2") else f"{'-':>8}"
                print(f"{L:>3}  {name:<22} {j['samples_per_second']:9.0f} {wall:7.2f} "
                      f"{syncs:5d} {per_sync} {100 * comm / wall:6.1f}")
            print(f"     MPI / in-process samples/s = {rates[0] / rates[1]:.2f}")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
