#!/usr/bin/env python3
"""Checks `cosine mine`, `cosine cluster --threshold` and `cosine outliers` against the Python
libraries they follow, on small seeded data with planted duplicates and clusters.

usage: python3 Scripts/check_analysis_references.py [--cli .build/release/cosine]

  mine      sentence_transformers.util.paraphrase_mining_embeddings (top_k, max_pairs)
  cluster   sentence_transformers.util.community_detection (threshold, min_community_size)
  outliers  PyOD KNN(metric="cosine") semantics through scikit-learn NearestNeighbors:
            kneighbors() without X (each row's own index excluded), "largest" and "mean"

Pairs and communities must be equal (as sets where the reference's order among equal scores is
arbitrary); scores within 1e-5. A library that is not installed is skipped, and said so.
Exit status 1 on any mismatch.
"""
import argparse, os, subprocess, sys, tempfile

import numpy as np


def data(seed=0, n=600, d=32):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((12, d))
    x = centers[rng.integers(0, 12, n)] + 0.35 * rng.standard_normal((n, d))
    x[10] = x[3]
    x[11] = x[3]
    x[20] = 2 * x[21]
    return x.astype(np.float32)


def run(cli, *args):
    return subprocess.run([cli, *args], check=True, capture_output=True, text=True).stdout


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cli", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "cosine"))
    args = p.parse_args()
    failures = 0
    x = data()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.npy")
        np.save(path, x)
        try:
            import torch
            from sentence_transformers import util
            for top_k, max_pairs in ((5, 100000), (10, 500), (1, 50)):
                ref = util.paraphrase_mining_embeddings(torch.from_numpy(x), top_k=top_k, max_pairs=max_pairs)
                run(args.cli, "mine", path, "--top-k", str(top_k), "--max-pairs", str(max_pairs),
                    "--pairs", os.path.join(tmp, "p.npy"), "--scores", os.path.join(tmp, "s.npy"))
                pairs = np.load(os.path.join(tmp, "p.npy"))
                scores = np.load(os.path.join(tmp, "s.npy"))
                want = {(i, j) for _, i, j in ref}
                got = {tuple(map(int, r)) for r in pairs}
                # Pairs may differ only at near-ties: at the max_pairs cut, or where a row's k-th
                # and (k+1)-th other neighbors score the same within float error (duplicates).
                cut = min(s for s, _, _ in ref) if len(ref) == max_pairs else -2
                xn = x.astype(np.float64) / np.linalg.norm(x.astype(np.float64), axis=1, keepdims=True)
                sim = xn @ xn.T
                np.fill_diagonal(sim, -np.inf)
                ranked = -np.sort(-sim, axis=1)
                tied = set(np.flatnonzero(ranked[:, top_k - 1] - ranked[:, top_k] < 1e-5).tolist())
                differ = {pq for pq in want ^ got
                          if abs(sim[pq] - cut) > 1e-5 and pq[0] not in tied and pq[1] not in tied}
                ok = len(pairs) == len(ref) and not differ and np.allclose(
                    scores, [s for s, _, _ in ref], atol=1e-5)
                print(f"mine top_k={top_k} max_pairs={max_pairs}: {len(got)} pairs, "
                      f"{'ok' if ok else 'MISMATCH ' + str(sorted(differ)[:5])}")
                failures += not ok
            for threshold, size in ((0.75, 10), (0.9, 5), (0.6, 20)):
                ref = util.community_detection(torch.from_numpy(x), threshold=threshold, min_community_size=size)
                run(args.cli, "cluster", path, "--threshold", str(threshold), "--min-size", str(size),
                    "--labels", os.path.join(tmp, "l.npy"))
                labels = np.load(os.path.join(tmp, "l.npy"))
                got = [sorted(np.flatnonzero(labels == c).tolist()) for c in range(labels.max() + 1)]
                want = [sorted(c) for c in ref]
                ok = got == want
                print(f"community_detection threshold={threshold} min_size={size}: {len(want)} communities, "
                      f"{'ok' if ok else 'MISMATCH'}")
                failures += not ok
        except ImportError:
            print("sentence-transformers (or torch) not installed: mine and cluster --threshold skipped")
        try:
            from sklearn.neighbors import NearestNeighbors
            for k in (1, 5, 20):
                dist, _ = NearestNeighbors(n_neighbors=k, metric="cosine").fit(x.astype(np.float64)).kneighbors()
                for method, ref in (("largest", dist[:, -1]), ("mean", dist.mean(axis=1))):
                    run(args.cli, "outliers", path, "--neighbors", str(k), "--method", method,
                        "--scores", os.path.join(tmp, "o.npy"))
                    got = np.load(os.path.join(tmp, "o.npy"))
                    err = float(np.abs(got - ref).max())
                    ok = err < 1e-5
                    print(f"outliers K={k} {method}: max |ours - sklearn/PyOD| = {err:.2e} {'ok' if ok else 'MISMATCH'}")
                    failures += not ok
        except ImportError:
            print("scikit-learn not installed: outliers skipped")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
