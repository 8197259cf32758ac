#!/usr/bin/env python3
"""Retrieval benchmarks side by side: CosineKit's cosine-bench against PyTorch, NumPy and FAISS on
the same shapes, in one run, so the ratios can be checked by anyone.

usage: python3 Benchmarks/compare_search.py [--bench .build/release/cosine-bench] [--runs 5]
                                            [--threads 2] [--rounds 2] [--only NAME,...] [--cpu]

  matrix_f32   cosine matrix of [2048, 768] and [16384, 768] Float32:
               PyTorch F.normalize + torch.mm (MKL), NumPy normalize + @ (OpenBLAS)
  search_f32   top-10 of 1000 queries in a 200000 x 384 Float32 corpus:
               FAISS IndexFlatIP on normalized data (index.add outside the timed region)
  search1_f32  top-10 of 1 query in a 1000000 x 384 Float32 corpus: FAISS IndexFlatIP
  search1_int8 the same query against an int8 index (exact results): FAISS
               IndexScalarQuantizer(QT_8bit) (approximate) and IndexFlatIP; the recall@10 of
               the scalar quantizer against IndexFlatIP is printed

Each competitor is skipped (and said so) when its package is not installed. Times are medians of
--runs timed calls after one warm-up; inputs are generated outside the timed region. With
--rounds R, CosineKit and the competitors alternate R times and the medians of the rounds are
compared. The ratio column is competitor time / CosineKit time (above 1: CosineKit is faster);
the target column is what the ratio should reach.

With --cpu, matrix_f32 is also compared in CPU seconds per call (all threads), which a shared
machine disturbs less than wall time: NumPy's from process_time over its timed calls, ours as the
difference of the benchmark process's CPU time with --runs R + 1 and with --runs 1, over R (so
input generation and the warm-up cancel out).
"""
import argparse, json, os, resource, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import alternate, limit_blas_threads, median_time, ours  # noqa: E402

# BLAS libraries read their thread count when they load: set it before importing NumPy.
limit_blas_threads()

import numpy as np  # noqa: E402

M, N_MATRIX, D_MATRIX = 2048, 16384, 768
Q, N_SEARCH, D_SEARCH = 1000, 200_000, 384
N_SEARCH1 = 1_000_000
K = 10
NAMES = ["matrix_f32", "search_f32", "search1_f32", "search1_int8"]
TARGETS = {  # (benchmark, competitor) -> ratio to reach
    ("matrix_f32", "torch normalize+mm"): 0.8,
    ("matrix_f32", "numpy normalize+@"): 1.0,
    ("search_f32", "faiss IndexFlatIP"): 1.2,
    ("search1_f32", "faiss IndexFlatIP"): 2.5,
    ("search1_int8", "faiss SQ8"): 6.0,
    ("search1_int8", "faiss IndexFlatIP"): 6.0,
}




def uniform(rng, shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


NUMPY_MATRIX = """
import sys, numpy as np
sys.path.insert(0, sys.argv[1])
from timing import median_time
rng = np.random.default_rng(0)
a = rng.uniform(-1, 1, (%d, %d)).astype(np.float32)
b = rng.uniform(-1, 1, (%d, %d)).astype(np.float32)
def np_matrix():
    an = a / np.linalg.norm(a, axis=1, keepdims=True)
    bn = b / np.linalg.norm(b, axis=1, keepdims=True)
    return an @ bn.T
import time
c = time.process_time()
t = median_time(np_matrix, int(sys.argv[2]))
print((time.process_time() - c) / (int(sys.argv[2]) + 1), t)
""" % (M, D_MATRIX, N_MATRIX, D_MATRIX)


NUMPY_CPU = []  # CPU seconds per call of NumPy's matrix_f32, one entry per round


def ours_cpu_per_call(bench, name, runs, threads):
    """CPU seconds (all threads) per timed call of `name`: the benchmark process's CPU time with
    `runs` + 1 timed calls minus that with 1, over `runs`."""
    def cpu(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        ours(bench, [name], n, threads)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (cpu(runs + 1) - cpu(1)) / runs


def numpy_matrix_seconds(runs):
    """NumPy's matrix_f32 time, in a process without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE: they are
    set on some machines for old OpenBLAS builds and make a current NumPy pick slower kernels (this
    command alone runs without them; FAISS below keeps them)."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    out = subprocess.run([sys.executable, "-c", NUMPY_MATRIX, os.path.dirname(os.path.abspath(__file__)), str(runs)],
                         env=env, check=True, capture_output=True, text=True).stdout
    NUMPY_CPU.append(float(out.split()[-2]))
    return float(out.split()[-1])


def competitors(names, runs, threads):
    rng = np.random.default_rng(0)
    res = {}  # (benchmark, competitor) -> seconds
    if "matrix_f32" in names:
        a, b = uniform(rng, (M, D_MATRIX)), uniform(rng, (N_MATRIX, D_MATRIX))

        res[("matrix_f32", "numpy normalize+@")] = numpy_matrix_seconds(runs)
        try:
            import torch
            import torch.nn.functional as F
            torch.set_num_threads(threads)
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            with torch.no_grad():
                res[("matrix_f32", "torch normalize+mm")] = median_time(
                    lambda: torch.mm(F.normalize(ta), F.normalize(tb).T), runs)
        except ImportError:
            print("torch not installed: matrix_f32 against PyTorch skipped", file=sys.stderr)
        del a, b
    try:
        import faiss
        faiss.omp_set_num_threads(threads)
        for name, n, nq in (("search_f32", N_SEARCH, Q), ("search1_f32", N_SEARCH1, 1)):
            if name not in names:
                continue
            xb, xq = uniform(rng, (n, D_SEARCH)), uniform(rng, (nq, D_SEARCH))
            faiss.normalize_L2(xb)
            faiss.normalize_L2(xq)
            index = faiss.IndexFlatIP(D_SEARCH)
            index.add(xb)  # FAISS's "prepare once", outside the timed region
            del xb
            res[(name, "faiss IndexFlatIP")] = median_time(lambda: index.search(xq, K), runs)
            del index
        if "search1_int8" in names:
            xb, xq = uniform(rng, (N_SEARCH1, D_SEARCH)), uniform(rng, (1, D_SEARCH))
            faiss.normalize_L2(xb)
            faiss.normalize_L2(xq)
            flat = faiss.IndexFlatIP(D_SEARCH)
            flat.add(xb)
            res[("search1_int8", "faiss IndexFlatIP")] = median_time(lambda: flat.search(xq, K), runs)
            _, want = flat.search(xq, K)
            del flat
            sq = faiss.IndexScalarQuantizer(D_SEARCH, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
            sq.train(xb)
            sq.add(xb)  # outside the timed region
            del xb
            res[("search1_int8", "faiss SQ8")] = median_time(lambda: sq.search(xq, K), runs)
            _, got = sq.search(xq, K)
            print(f"faiss SQ8 recall@10 against IndexFlatIP: {len(set(got[0]) & set(want[0])) / K:.2f} "
                  "(CosineKit's int8 index returns the exact top 10)", file=sys.stderr)
            del sq
    except ImportError:
        print("faiss not installed: search_f32 and search1_f32 against FAISS skipped", file=sys.stderr)
    return res


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bench", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "cosine-bench"))
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--only", default=",".join(NAMES), help="comma-separated subset of " + ", ".join(NAMES))
    p.add_argument("--cpu", action="store_true", help="also compare matrix_f32 in CPU seconds per call")
    args = p.parse_args()
    names = [n for n in args.only.split(",") if n]
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        p.error(f"unknown benchmark(s) {unknown}; known: {NAMES}")

    mine_cpu = []

    def ours_round():
        if args.cpu and "matrix_f32" in names:
            mine_cpu.append(ours_cpu_per_call(args.bench, "matrix_f32", args.runs, args.threads))
        return ours(args.bench, names, args.runs, args.threads)

    mine, theirs = alternate(args.rounds, ours_round, lambda: competitors(names, args.runs, args.threads))

    flops = {"matrix_f32": 2.0 * M * N_MATRIX * D_MATRIX, "search_f32": 2.0 * Q * N_SEARCH * D_SEARCH}
    for name in names:
        if name in mine and name in flops:
            print(f"{name}: {flops[name] / statistics.median(mine[name]) / 1e9:.1f} GFLOP/s ({args.threads} threads)")
    if "search1_f32" in mine:
        t = statistics.median(mine["search1_f32"])
        print(f"search1_f32: {N_SEARCH1 * D_SEARCH * 4 / t / 1e9:.1f} GB/s of Float32 corpus per second "
              f"(it reads the bfloat16 halves: {N_SEARCH1 * D_SEARCH * 2 / t / 1e9:.1f} GB/s from memory)")
    print(f"{'benchmark':<14}{'competitor':<22}{'their s':>10}{'ours s':>10}{'ratio':>8}{'target':>8}")
    for (bench, who), ts in sorted(theirs.items()):
        if bench not in mine:
            continue
        t, o = statistics.median(ts), statistics.median(mine[bench])
        target = TARGETS.get((bench, who))
        mark = "" if target is None else (f"{target:>6.1f}x " + ("ok" if t / o >= target else "SHORT"))
        print(f"{bench:<14}{who:<22}{t:>10.4f}{o:>10.4f}{t / o:>7.2f}x{mark:>11}")
    if mine_cpu and NUMPY_CPU:
        t, o = statistics.median(NUMPY_CPU), statistics.median(mine_cpu)
        print(f"matrix_f32 CPU seconds per call: numpy {t:.4f}, ours {o:.4f}, ratio {t / o:.2f}x "
              f"(rounds: numpy {', '.join(f'{x:.3f}' for x in NUMPY_CPU)}; ours {', '.join(f'{x:.3f}' for x in mine_cpu)})")


if __name__ == "__main__":
    main()
