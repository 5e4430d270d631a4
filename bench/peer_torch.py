#!/usr/bin/python3
"""PyTorch peer of bench/bench_train.c: samples per second of training the paper's mnistfc
network (input dropout 0.2, 784-1024-1024-10, batch norm, ReLU, dropout 0.2; the dense layers
before batch norm without bias, as in deeprelax) with SGD + Nesterov momentum at batch 128 on
the CPU. Prints one line "peer_torch samples_per_second=X threads=N"; with --json a JSON object.
Usage: peer_torch.py [--threads N] [--steps S] [--json]"""
import argparse
import json
import os
import sys
import time

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
    if a.json:
        print(json.dumps({"peer": "torch", "version": torch.__version__, "threads": a.threads,
                          "samples_per_second": rate}))
    else:
        print(f"peer_torch samples_per_second={rate:.0f} threads={a.threads} "
              f"torch={torch.__version__}")


if __name__ == "__main__":
    main()
