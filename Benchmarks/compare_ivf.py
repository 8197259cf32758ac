#!/usr/bin/env python3
"""Inverted-file search, side by side: CosineKit's `--ivf` index against FAISS IndexIVFFlat and
IndexIVFScalarQuantizer(QT_8bit) with the same nlist, and hnswlib's HNSW, in one run.

    python3 Benchmarks/compare_ivf.py --cosine .build/release/cosine \
        --corpus corpus.npy --queries queries.npy --nlist 1024 [--k 10] [--nprobes 8,16,32,64,96,128]

Every library searches the same normalized float32 rows with inner product (= cosine). The truth
is the exact top k (FAISS IndexFlatIP). Reported per setting: recall@k, queries per second for the
whole batch of queries and for single queries (one at a time, the first --single of them), and
build time. CosineKit's figures are whole processes: `cosine index build` (reading the .npy,
training, writing the index file) and `cosine search --index` over the batch (reading the queries,
mapping the index, writing the results), so they include what the others do not (start-up,
files); its single-query rate comes from `cosine index tune` (100 queries one at a time, in
process). FAISS and hnswlib run in this process at their defaults (FAISS: OpenMP on every core,
k-means 10 rounds on 256 rows per list as its IVF training does; hnswlib: M 16, ef_construction
200, every core for building and batches). At the end: for each library, the fastest setting
whose recall reaches --target (0.95), and the ratios.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np


def recall(found, truth):
    k = truth.shape[1]
    hit = sum(len(set(f[:k]) & set(t)) for f, t in zip(found, truth))
    return hit / truth.size


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cosine", default=".build/release/cosine")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--nlist", type=int, default=1024)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--nprobes", default="4,8,16,24,32,48,64,96,128")
    ap.add_argument("--efs", default="16,24,32,48,64,96,128")
    ap.add_argument("--single", type=int, default=200, help="queries timed one at a time")
    ap.add_argument("--target", type=float, default=0.95)
    ap.add_argument("--quantize", default="int8", choices=["none", "int8"])
    ap.add_argument("--skip-hnsw", action="store_true")
    args = ap.parse_args()
    import faiss
    import hnswlib

    x = np.load(args.corpus).astype(np.float32)
    q = np.load(args.queries).astype(np.float32)
    n, d = x.shape
    xn = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-8)
    qn = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-8)
    xn = np.ascontiguousarray(xn, dtype=np.float32)
    qn = np.ascontiguousarray(qn, dtype=np.float32)
    cpu = open("/proc/cpuinfo").read()
    model = re.search(r"model name\s*:\s*(.*)", cpu)
    print(f"corpus {n} x {d}, {len(q)} queries, nlist {args.nlist}, k {args.k}; "
          f"{os.cpu_count()} cores, {model.group(1) if model else 'unknown CPU'}; faiss {faiss.__version__}")
    flat = faiss.IndexFlatIP(d)
    flat.add(xn)
    _, truth = flat.search(qn, args.k)
    nprobes = [int(p) for p in args.nprobes.split(",") if int(p) <= args.nlist]
    rows = []  # (library, setting, recall, batch q/s, single q/s)
    builds = {}

    def single_rate(search_one):
        m = min(args.single, len(qn))
        t0 = time.perf_counter()
        for i in range(m):
            search_one(qn[i:i + 1])
        return m / (time.perf_counter() - t0)

    # FAISS IVF, flat lists and 8-bit scalar quantizer.
    for name, make in (
        ("faiss IVFFlat", lambda qz: faiss.IndexIVFFlat(qz, d, args.nlist, faiss.METRIC_INNER_PRODUCT)),
        ("faiss IVF-SQ8", lambda qz: faiss.IndexIVFScalarQuantizer(
            qz, d, args.nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)),
    ):
        qz = faiss.IndexFlatIP(d)
        index = make(qz)
        t0 = time.perf_counter()
        index.train(xn)
        index.add(xn)
        builds[name] = time.perf_counter() - t0
        for p in nprobes:
            index.nprobe = p
            (_, found), secs = timed(lambda: index.search(qn, args.k))
            rows.append((name, f"nprobe {p}", recall(found, truth), len(qn) / secs,
                         single_rate(lambda one: index.search(one, args.k))))
            print(f"  {rows[-1][0]:16} {rows[-1][1]:12} recall {rows[-1][2]:.4f}  batch {rows[-1][3]:9.0f} q/s  "
                  f"single {rows[-1][4]:8.0f} q/s", flush=True)

    # hnswlib at its common settings.
    if not args.skip_hnsw:
        h = hnswlib.Index(space="ip", dim=d)
        t0 = time.perf_counter()
        h.init_index(max_elements=n, ef_construction=200, M=16)
        h.add_items(xn)
        builds["hnswlib"] = time.perf_counter() - t0
        for ef in [int(e) for e in args.efs.split(",")]:
            if ef < args.k:
                continue
            h.set_ef(ef)
            (found, _), secs = timed(lambda: h.knn_query(qn, k=args.k))
            rows.append(("hnswlib", f"ef {ef}", recall(found, truth), len(qn) / secs,
                         single_rate(lambda one: h.knn_query(one, k=args.k, num_threads=1))))
            print(f"  {rows[-1][0]:16} {rows[-1][1]:12} recall {rows[-1][2]:.4f}  batch {rows[-1][3]:9.0f} q/s  "
                  f"single {rows[-1][4]:8.0f} q/s", flush=True)

    # CosineKit: whole processes.
    with tempfile.TemporaryDirectory() as tmp:
        idx = os.path.join(tmp, "corpus.cosidx")
        qpath = os.path.join(tmp, "q.npy")
        np.save(qpath, q)
        t0 = time.perf_counter()
        subprocess.run([args.cosine, "index", "build", args.corpus, "-o", idx, "--ivf", str(args.nlist),
                        "--quantize", args.quantize], check=True, capture_output=True)
        builds["CosineKit"] = time.perf_counter() - t0
        tune = subprocess.run([args.cosine, "index", "tune", idx, "--queries", qpath, "--top-k", str(args.k),
                               "--sample", str(args.single), "--nprobes", ",".join(map(str, nprobes))],
                              check=True, capture_output=True, text=True).stdout
        singles = {}
        for line in tune.splitlines():
            parts = line.split("\t")
            if len(parts) == 5 and parts[0].isdigit():
                singles[int(parts[0])] = float(parts[3])
        ipath = os.path.join(tmp, "i.npy")
        for p in nprobes:
            _, secs = timed(lambda: subprocess.run(
                [args.cosine, "search", "--index", idx, "--queries", qpath, "--top-k", str(args.k), "--nprobe", str(p),
                 "--indices", ipath, "--quiet"], check=True, capture_output=True))
            found = np.load(ipath)
            single = singles.get(p, float("nan"))
            rows.append(("CosineKit", f"nprobe {p}", recall(found, truth), len(qn) / secs, single))
            print(f"  {rows[-1][0]:16} {rows[-1][1]:12} recall {rows[-1][2]:.4f}  batch {rows[-1][3]:9.0f} q/s  "
                  f"single {rows[-1][4]:8.0f} q/s  (whole process)", flush=True)

    print("\nbuild seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in builds.items()))
    print(f"\nfastest setting with recall@{args.k} >= {args.target}:")
    best = {}
    for lib in dict.fromkeys(r[0] for r in rows):
        ok = [r for r in rows if r[0] == lib and r[2] >= args.target]
        if not ok:
            print(f"  {lib:16} none reaches the target")
            continue
        b = max(ok, key=lambda r: r[3])
        s = max(ok, key=lambda r: r[4])
        best[lib] = (b, s)
        print(f"  {lib:16} batch {b[3]:9.0f} q/s ({b[1]}, recall {b[2]:.4f}); "
              f"single {s[4]:8.0f} q/s ({s[1]}, recall {s[2]:.4f})")
    if "CosineKit" in best:
        ck = best["CosineKit"]
        for lib, (b, s) in best.items():
            if lib != "CosineKit":
                print(f"  CosineKit / {lib}: batch {ck[0][3] / b[3]:.2f}x, single {ck[1][4] / s[4]:.2f}x, "
                      f"build {builds[lib] / builds['CosineKit']:.2f}x faster" if lib in builds else "")


if __name__ == "__main__":
    main()
