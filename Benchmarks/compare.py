#!/usr/bin/env python3
"""Row-wise cosine benchmarks side by side: CosineKit's cosine-bench against PyTorch, NumPy and
SimSIMD on the same shapes, in one run, so the ratios can be checked by anyone.

usage: python3 Benchmarks/compare.py [--bench .build/release/cosine-bench] [--runs 7] [--threads 2]

Each competitor is skipped (and said so) when its package is not installed. Times are medians of
--runs timed calls after one warm-up; inputs are generated outside the timed region. The ratio
column is competitor time / CosineKit time (above 1: CosineKit is faster).
"""
import argparse, json, os, statistics, subprocess, sys, time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import median_time, ours  # noqa: E402

ROWS, DIM = 65536, 768




def competitors(runs, threads):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (ROWS, DIM)).astype(np.float32)
    b = rng.uniform(-1, 1, (ROWS, DIM)).astype(np.float32)
    a16, b16 = a.astype(np.float16), b.astype(np.float16)
    res = {}  # (benchmark, competitor) -> seconds

    def np_einsum(x, y):
        return np.einsum("ij,ij->i", x, y) / (np.sqrt(np.einsum("ij,ij->i", x, x)) * np.sqrt(np.einsum("ij,ij->i", y, y)))

    res[("rowwise_f32", "numpy einsum")] = median_time(lambda: np_einsum(a, b), runs)
    res[("rowwise_f16", "numpy einsum")] = median_time(lambda: np_einsum(a16, b16), runs)
    try:
        import simsimd
        res[("rowwise_f32", "simsimd.cosine")] = median_time(lambda: simsimd.cosine(a, b), runs)
        res[("rowwise_f16", "simsimd.cosine")] = median_time(lambda: simsimd.cosine(a16, b16), runs)
    except ImportError:
        print("simsimd not installed: skipped", file=sys.stderr)
    try:
        import torch
        import torch.nn.functional as F
        torch.set_num_threads(threads)
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        res[("rowwise_f32", "torch F.cosine_similarity")] = median_time(lambda: F.cosine_similarity(ta, tb, dim=1), runs)
        ta16, tb16 = torch.from_numpy(a16), torch.from_numpy(b16)
        res[("rowwise_f16", "torch F.cosine_similarity")] = median_time(lambda: F.cosine_similarity(ta16, tb16, dim=1), runs)
        ga, gb = ta.clone().requires_grad_(), tb.clone().requires_grad_()

        def fwd_bwd():
            ga.grad = gb.grad = None
            (1 - F.cosine_similarity(ga, gb, dim=1)).mean().backward()

        res[("loss_fwd_bwd_f32", "torch autograd")] = median_time(fwd_bwd, runs)
    except ImportError:
        print("torch not installed: skipped", file=sys.stderr)
    return res


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bench", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "cosine-bench"))
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    names = ["memory_read", "rowwise_f32", "loss_fwd_bwd_f32", "loss_fwd_bwd_f32_alloc", "rowwise_f16"]
    mine = ours(args.bench, names, args.runs, args.threads)
    theirs = competitors(args.runs, args.threads)
    mine_after = ours(args.bench, names[1:], args.runs, args.threads)  # again, to bracket the competitors
    for k in mine_after:
        mine[k] = statistics.median([mine[k], mine_after[k]]) if k in mine else mine_after[k]
    gbps = 2 * ROWS * DIM * 4 / mine["rowwise_f32"] / 1e9
    print(f"machine read bandwidth (memory_read, {args.threads} threads): {(1 << 28) * 4 / mine['memory_read'] / 1e9:.1f} GB/s")
    print(f"rowwise_f32: {gbps:.1f} GB/s")
    print(f"{'benchmark':<24}{'competitor':<28}{'their s':>10}{'ours s':>10}{'ratio':>8}")
    for (bench, who), t in sorted(theirs.items()):
        for name in ([bench] if bench != "loss_fwd_bwd_f32" else [bench, bench + "_alloc"]):
            o = mine[name]
            print(f"{name:<24}{who:<28}{t:>10.4f}{o:>10.4f}{t / o:>7.1f}x")


if __name__ == "__main__":
    main()
