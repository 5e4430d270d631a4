#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch peer of bench/bench_train.c: samples per second of training the paper's mnistfc
network (input dropout 0.2, 784-1024-1024-10, batch norm, ReLU, dropout 0.2; the dense layers
before batch norm without bias, as in deeprelax) with SGD + Nesterov momentum at batch 128 on
the CPU, on the OpenBLAS build the project links (see project_blas_dir). Prints one line
"peer_torch samples_per_second=X threads=N ... blas=FILE"; with --json a JSON object.
Usage: peer_torch.py [--threads N] [--steps S] [--json]"""
import argparse
import json
import os
import re
import subprocess
import sys
import time


def project_blas_dir():
    """The directory of the libopenblas the project's binary links (ldd of build/bin/deeprelax,
    or $DEEPRELAX), else the OpenMP build the Makefile prefers, else None."""
    given = os.environ.get("DEEPRELAX_BLAS_DIR")
    if given:
        return given
    here = os.path.dirname(os.path.abspath(__file__))
    binary = os.environ.get("DEEPRELAX", os.path.join(here, "..", "build", "bin", "deeprelax"))
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=10).stdout
        m = re.search(r"libopenblas\S*\s+=>\s+(\S+)", out)
        if m:
            return os.path.dirname(os.path.realpath(m.group(1)))
    except (OSError, subprocess.SubprocessError):
        pass
    for d in ("/usr/lib/x86_64-linux-gnu/openblas-openmp", "/usr/lib/aarch64-linux-gnu/openblas-openmp"):
        if os.path.exists(os.path.join(d, "libblas.so.3")):
            return d
    return None


# torch reaches OpenBLAS through libblas.so.3, which Debian's alternatives point at one build
# (here the pthread one): put the project's build first on the loader path and restart once, so
# that the peer runs on the same BLAS even when run alone. The OpenMP wait policy is the one
# deeprelax's CLI sets (passive) unless the caller chose one.
_dir = project_blas_dir()
if _dir and os.environ.get("PEER_TORCH_BLAS") != _dir:
    os.environ["PEER_TORCH_BLAS"] = _dir
    os.environ["LD_LIBRARY_PATH"] = _dir + ":" + os.environ.get("LD_LIBRARY_PATH", "")
    if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
        os.environ["OMP_WAIT_POLICY"] = "passive"
    os.execv(sys.executable, [sys.executable] + sys.argv)

# the BLAS inside torch gets the same thread count (it would otherwise take every core)
_threads = next((sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == "--threads"),
                str(os.cpu_count()))
os.environ.setdefault("OPENBLAS_NUM_THREADS", _threads)
os.environ.setdefault("OMP_NUM_THREADS", _threads)

try:
    import torch
except ImportError:
    print("peer_torch: python3-torch is not installed (scripts/install-deps.sh bench)")
    sys.exit(0)


def mnistfc():
    nn = torch.nn
    return nn.Sequential(
        nn.Dropout(0.2),
        nn.Linear(784, 1024, bias=False), nn.BatchNorm1d(1024), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(1024, 1024, bias=False), nn.BatchNorm1d(1024), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(1024, 10))


def loaded_blas():
    """The OpenBLAS library file this process has mapped (what torch really runs on)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "/libopenblas" in line and ".so" in line}
    return ",".join(sorted(libs)) or "none"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = mnistfc()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    # synthetic data of MNIST's shape: the speed does not depend on the pixel values
    n = 12800
    x = torch.rand(n, 784)
    y = torch.randint(0, 10, (n,))
    model.train()

    def step(k):
        i = (k * a.batch) % (n - a.batch)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[i:i + a.batch]), y[i:i + a.batch])
        loss.backward()
        opt.step()

    for k in range(10):
        step(k)
    t = time.perf_counter()
    for k in range(a.steps):
        step(k)
    sec = time.perf_counter() - t
    rate = a.steps * a.batch / sec
    blas = loaded_blas()
    if a.json:
        print(json.dumps({"peer": "torch", "version": torch.__version__, "threads": a.threads,
                          "samples_per_second": rate, "blas": blas,
                          "wall_seconds": sec}))
    else:
        print(f"peer_torch samples_per_second={rate:.0f} threads={a.threads} "
              f"torch={torch.__version__} wall_seconds={sec:.2f} blas={blas}")


if __name__ == "__main__":
    main()
