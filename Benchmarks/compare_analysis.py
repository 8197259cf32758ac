#!/usr/bin/env python3
"""Analysis benchmarks side by side: CosineKit's cosine-bench against FAISS on the same shapes, in
one run, and the spherical k-means objective of both on the same data over several seeds.

usage: python3 Benchmarks/compare_analysis.py [--bench .build/release/cosine-bench]
          [--cli .build/release/cosine] [--runs 3] [--threads 2] [--rounds 2] [--seeds 3]
          [--only mine_f32,kmeans_f32,kmeans_all_f32,objective]

  mine_f32    paraphrase mining of 50000 x 384 Float32 rows, top-10 other rows each:
              FAISS IndexFlatIP searching the normalized rows against themselves for 11 results
              (index.add outside the timed region; the self-match is then dropped)
  kmeans_f32  spherical k-means, 100000 x 384 Float32, K = 100, 20 iterations, seed 0, both at
              their defaults: faiss.Kmeans(spherical=True, niter=20) on the normalized rows
              (it trains on a sample of max_points_per_centroid = 256 rows per centroid) against
              SphericalKMeans (the same sample size by default, then every row assigned)
  kmeans_all_f32  the same trained on every row on both sides (max_points_per_centroid = N;
              trainingSampleSize 0)
  objective   the mean cosine of every row to its nearest centroid after 20 iterations at both
              libraries' defaults (sampled training), averaged over --seeds seeds: the centroids
              of `cosine cluster X.npy --k 100 --centroids C.npy` against FAISS's, on the same
              100000 x 384 rows (target: not below FAISS's by more than 0.2 %)

Times are medians of --runs timed calls after one warm-up. With --rounds R, CosineKit and FAISS
alternate R times and the medians of the rounds are compared. The ratio column is FAISS time /
CosineKit time (above 1: CosineKit is faster). FAISS is skipped (and said so) when not installed.
"""
import argparse, os, re, statistics, subprocess, sys, tempfile


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import alternate, limit_blas_threads, median_time, ours  # noqa: E402

# BLAS libraries read their thread count when they load: set it before importing NumPy.
limit_blas_threads()

import numpy as np  # noqa: E402

N_MINE, N_KMEANS, D, TOP_K, K, ITERS = 50_000, 100_000, 384, 10, 100, 20
NAMES = ["mine_f32", "kmeans_f32", "kmeans_all_f32", "objective"]
TARGETS = {"mine_f32": 2.0, "kmeans_f32": 2.0, "kmeans_all_f32": 2.0}


def uniform(rng, shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


def faiss_times(names, runs, threads):
    import faiss
    faiss.omp_set_num_threads(threads)
    rng = np.random.default_rng(0)
    res = {}
    if "mine_f32" in names:
        x = uniform(rng, (N_MINE, D))
        faiss.normalize_L2(x)
        index = faiss.IndexFlatIP(D)
        index.add(x)
        res["mine_f32"] = median_time(lambda: index.search(x, TOP_K + 1), runs)
        del index, x
    if "kmeans_f32" in names or "kmeans_all_f32" in names:
        x = uniform(rng, (N_KMEANS, D))
        faiss.normalize_L2(x)

        def train(**kw):
            km = faiss.Kmeans(D, K, niter=ITERS, seed=0, spherical=True, **kw)
            km.train(x)

        if "kmeans_f32" in names:
            res["kmeans_f32"] = median_time(train, runs)
        if "kmeans_all_f32" in names:
            res["kmeans_all_f32"] = median_time(lambda: train(max_points_per_centroid=N_KMEANS), runs)
    return res


def objectives(cli, seeds, threads):
    """Mean cosine of every row to its nearest centroid after 20 iterations at both libraries'
    defaults, per seed, for CosineKit and FAISS on the same rows."""
    import faiss
    faiss.omp_set_num_threads(threads)
    x = uniform(np.random.default_rng(1), (N_KMEANS, D))
    xn = x.copy()
    faiss.normalize_L2(xn)

    def objective(centroids):
        c = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)
        return float((xn @ c.T).max(1).astype(np.float64).mean())

    ours_, theirs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        path, cpath = os.path.join(tmp, "x.npy"), os.path.join(tmp, "c.npy")
        np.save(path, x)
        for seed in range(seeds):
            subprocess.run([cli, "cluster", path, "--k", str(K), "--iterations", str(ITERS), "--seed", str(seed),
                            "--centroids", cpath, "--quiet"], check=True, capture_output=True, text=True)
            ours_.append(objective(np.load(cpath)))
    for seed in range(seeds):
        km = faiss.Kmeans(D, K, niter=ITERS, seed=seed, spherical=True)
        km.train(xn)
        theirs.append(objective(km.centroids))
    return ours_, theirs


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.join(os.path.dirname(__file__), "..", ".build", "release")
    p.add_argument("--bench", default=os.path.join(root, "cosine-bench"))
    p.add_argument("--cli", default=os.path.join(root, "cosine"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--only", default=",".join(NAMES), help="comma-separated subset of " + ", ".join(NAMES))
    args = p.parse_args()
    names = [n for n in args.only.split(",") if n]
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        p.error(f"unknown benchmark(s) {unknown}; known: {NAMES}")
    try:
        import faiss  # noqa: F401
        have_faiss = True
    except ImportError:
        have_faiss = False
        print("faiss not installed: FAISS anchors skipped", file=sys.stderr)

    timed = [n for n in names if n != "objective"]
    mine, theirs = {}, {}
    if timed:
        mine, theirs = alternate(args.rounds, lambda: ours(args.bench, timed, args.runs, args.threads),
                                 lambda: faiss_times(timed, args.runs, args.threads) if have_faiss else {}, "faiss")

    if "mine_f32" in mine:
        t = statistics.median(mine["mine_f32"])
        print(f"mine_f32: {2.0 * N_MINE * N_MINE * D / t / 1e9:.1f} GFLOP/s of self-search work ({args.threads} threads)")
    if "mine_f32" in theirs:
        t = statistics.median(theirs["mine_f32"])
        print(f"faiss self-search: {2.0 * N_MINE * N_MINE * D / t / 1e9:.1f} GFLOP/s")
    print(f"{'benchmark':<12}{'competitor':<30}{'their s':>10}{'ours s':>10}{'ratio':>8}{'target':>8}")
    who = {"mine_f32": "faiss IndexFlatIP self-search", "kmeans_f32": "faiss Kmeans(spherical)",
           "kmeans_all_f32": "faiss Kmeans, every row"}
    for bench in timed:
        if bench in mine and bench in theirs:
            t, o = statistics.median(theirs[bench]), statistics.median(mine[bench])
            mark = f"{TARGETS[bench]:>6.1f}x " + ("ok" if t / o >= TARGETS[bench] else "SHORT")
            print(f"{bench:<12}{who[bench]:<30}{t:>10.3f}{o:>10.3f}{t / o:>7.2f}x{mark:>11}")
    if "objective" in names and have_faiss:
        o, f = objectives(args.cli, args.seeds, args.threads)
        mo, mf = statistics.mean(o), statistics.mean(f)
        rel = (mo - mf) / mf
        print(f"objective (every row) after {ITERS} iterations, seeds 0..{args.seeds - 1}: ours {mo:.6f} {o}, "
              f"faiss {mf:.6f} {f}; ours - faiss = {100 * rel:+.3f} % "
              + ("ok" if rel >= -0.002 else "SHORT") + " (target: not below -0.2 %)")


if __name__ == "__main__":
    main()
