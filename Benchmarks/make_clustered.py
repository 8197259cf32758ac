#!/usr/bin/env python3
"""Clustered synthetic rows for the IVF benchmark (its case (b)).

    python3 Benchmarks/make_clustered.py --out DIR [--rows 1000000] [--centers 20000] [--noise 0.6]

Writes DIR/corpus.npy [rows, 384] float32 and DIR/queries.npy [2000, 384]: `centers` standard
normal centers of uneven popularity (weights ∝ 1/√rank), each row a center drawn by weight plus
`noise` times standard normal noise (the centers' own scale is 1), queries drawn the same way.
Seeded (--seed); about 1.5 GB for a million rows.
"""

import argparse
import os

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--centers", type=int, default=20_000)
    ap.add_argument("--noise", type=float, default=0.6)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    n, d, c = args.rows, args.dim, args.centers
    rng = np.random.default_rng(args.seed)
    centers = rng.standard_normal((c, d)).astype(np.float32)
    w = 1.0 / np.arange(1, c + 1) ** 0.5
    w /= w.sum()
    lab = rng.choice(c, n, p=w)
    x = np.empty((n, d), np.float32)
    for s in range(0, n, 100_000):
        e = min(n, s + 100_000)
        x[s:e] = centers[lab[s:e]] + args.noise * rng.standard_normal((e - s, d)).astype(np.float32)
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "corpus.npy"), x)
    lq = rng.choice(c, args.queries, p=w)
    q = centers[lq] + args.noise * rng.standard_normal((args.queries, d)).astype(np.float32)
    np.save(os.path.join(args.out, "queries.npy"), q.astype(np.float32))


if __name__ == "__main__":
    main()
