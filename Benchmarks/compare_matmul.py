#!/usr/bin/env python3
"""Matrix products of the training path side by side: cosine-bench's matmul_f32, matmul_f64 and
dense_fwd_bwd_f32 against NumPy (and PyTorch when installed) on the same shapes, in one run.

usage: python3 Benchmarks/compare_matmul.py [--bench .build/release/cosine-bench] [--runs 7] [--threads 2]

Shapes: x [2048, 768] times w [768, 768] (matmul_f32_wide: [512, 384] times [384, 1024]); the dense step is x·w + b, then the gradients
g·wᵀ, xᵀ·g and the column sums of g. Times are medians of --runs timed calls after one warm-up;
inputs are generated outside the timed region. The ratio column is competitor time / CosineKit
time (above 1: CosineKit is faster). NumPy's BLAS uses the threads it was built with unless
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS say otherwise (threadpoolctl limits it when installed).
"""
import argparse, os, statistics, sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import median_time, ours  # noqa: E402

N, K, M = 2048, 768, 768
NAMES = ["matmul_f32", "matmul_f32_wide", "matmul_f64", "dense_fwd_bwd_f32"]


def competitors(runs, threads):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (N, K)).astype(np.float32)
    w = (rng.uniform(-1, 1, (K, M)) / 28).astype(np.float32)
    b = rng.uniform(-1, 1, M).astype(np.float32)
    g = rng.uniform(-1, 1, (N, M)).astype(np.float32)
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    xw = rng.uniform(-1, 1, (512, 384)).astype(np.float32)
    ww = rng.uniform(-1, 1, (384, 1024)).astype(np.float32)
    res = {}

    def dense_step():
        y = x @ w + b
        return y, g @ w.T, x.T @ g, g.sum(axis=0)

    try:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(limits=threads)
    except ImportError:
        limits = None
    res[("matmul_f32", "numpy @")] = median_time(lambda: x @ w, runs)
    res[("matmul_f32_wide", "numpy @")] = median_time(lambda: xw @ ww, runs)
    res[("matmul_f64", "numpy @")] = median_time(lambda: x64 @ w64, runs)
    res[("dense_fwd_bwd_f32", "numpy (4 ops)")] = median_time(dense_step, runs)
    if limits is not None:
        limits.restore_original_limits()
    try:
        import torch
        torch.set_num_threads(threads)
        tx, tw, tb, tg = map(torch.from_numpy, (x, w, b, g))
        res[("matmul_f32", "torch.matmul")] = median_time(lambda: torch.matmul(tx, tw), runs)
        txw, tww = torch.from_numpy(xw), torch.from_numpy(ww)
        res[("matmul_f32_wide", "torch.matmul")] = median_time(lambda: torch.matmul(txw, tww), runs)
        lin = torch.nn.Linear(K, M)
        with torch.no_grad():
            lin.weight.copy_(tw.T)
            lin.bias.copy_(tb)
        xr = tx.clone().requires_grad_()

        def torch_step():
            xr.grad = None
            lin.zero_grad()
            lin(xr).backward(tg)

        res[("dense_fwd_bwd_f32", "torch nn.Linear autograd")] = median_time(torch_step, runs)
    except ImportError:
        print("torch not installed: skipped", file=sys.stderr)
    return res


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bench", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "cosine-bench"))
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    mine = ours(args.bench, NAMES, args.runs, args.threads)
    theirs = competitors(args.runs, args.threads)
    again = ours(args.bench, NAMES, args.runs, args.threads)  # again, to bracket the competitors
    mine = {k: statistics.median([mine[k], again[k]]) for k in mine}
    print(f"{'benchmark':<20}{'competitor':<28}{'their s':>10}{'ours s':>10}{'ratio':>8}")
    for (bench, who), t in sorted(theirs.items()):
        o = mine[bench]
        print(f"{bench:<20}{who:<28}{t:>10.4f}{o:>10.4f}{t / o:>7.2f}x")


if __name__ == "__main__":
    main()
