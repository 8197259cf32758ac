#!/usr/bin/env python3
"""Measures `cosine train --adapter --loss mnrl` with its defaults on held-out pairs of the
bundled text sets, through the command line only: split, train, evaluate before and after.

For each source (debian, python) and each split seed, 20% of the pairs are held out; the
adapters are trained on the rest with `cosine train Q.npy D.npy --loss mnrl --adapter`, and
`cosine evaluate` reports held-out recall@1 of the frozen embeddings and through the adapters.

  python3 Scripts/measure_text_adapter.py [--cosine .build/release/cosine] [--seeds 0,1,2]
      [--data DIR --sources NAME,...] [--slices A:B,...] [-- extra train args]

--data reads NAME_queries.npy and NAME_documents.npy from another directory, to measure on
pairs the defaults were not chosen on (`Scripts/make_text_pairs.py --measure --out DIR` builds
them). --slices measures rows A..<B of each source as a set of its own (several disjoint sets of
one source, or sets of growing size). Prints the wall-clock seconds of each `cosine train`.
Needs NumPy.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "Sources/CosineDemo/Resources/text")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cosine", default=os.path.join(HERE, "..", ".build/release/cosine"))
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--sources", default="debian,python")
    p.add_argument("--data", default=DATA, help="directory of NAME_queries.npy and NAME_documents.npy")
    p.add_argument("--slices", default="", help="row ranges A:B, comma-separated, each measured as its own set")
    p.add_argument("extra", nargs="*", help="extra arguments for cosine train (after --)")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sets = []
        for name in a.sources.split(","):
            q = np.load(os.path.join(a.data, f"{name}_queries.npy"))
            d = np.load(os.path.join(a.data, f"{name}_documents.npy"))
            if len(q) != len(d):
                sys.exit(f"{name}: {len(q)} queries but {len(d)} documents")
            for piece in [x for x in a.slices.split(",") if x] or [f"0:{len(q)}"]:
                lo, hi = (int(x) for x in piece.split(":"))
                if not 0 <= lo < hi <= len(q):
                    sys.exit(f"{name}: slice {piece} is outside its {len(q)} rows")
                label = name if (lo, hi) == (0, len(q)) else f"{name}[{lo}:{hi}]"
                sets.append((label, q[lo:hi], d[lo:hi]))
        for source, q, d in sets:
            gains = []
            for seed in [int(s) for s in a.seeds.split(",")]:
                perm = np.random.default_rng(seed).permutation(len(q))
                h = int(round(0.2 * len(q)))
                held, train = perm[:h], perm[h:]
                f = {k: os.path.join(tmp, f"{k}.npy") for k in ("qt", "dt", "qh", "dh")}
                np.save(f["qt"], q[train])
                np.save(f["dt"], d[train])
                np.save(f["qh"], q[held])
                np.save(f["dh"], d[held])
                model = os.path.join(tmp, "m.json")
                start = time.perf_counter()
                subprocess.run(
                    [a.cosine, "train", f["qt"], f["dt"], "--loss", "mnrl", "--adapter", "-o", model] + a.extra,
                    check=True, capture_output=True)
                seconds = time.perf_counter() - start

                def evaluate(*args):
                    out = subprocess.run(
                        [a.cosine, "evaluate", "--queries", f["qh"], "--corpus", f["dh"], "--format", "json", *args],
                        check=True, capture_output=True, text=True).stdout
                    return json.loads(out)

                before, after = evaluate(), evaluate("--model", model)
                gains.append(after["recall@1"] - before["recall@1"])
                print(
                    f"{source} seed {seed}: {len(train)} training pairs, {h} held out; recall@1 "
                    f"{before['recall@1']:.4f} -> {after['recall@1']:.4f} ({100 * gains[-1]:+.1f} points); "
                    f"MRR@10 {before['mrr@10']:.4f} -> {after['mrr@10']:.4f}; training {seconds:.1f} s", flush=True)
            print(f"{source}: mean {100 * np.mean(gains):+.2f} points of recall@1 over {len(gains)} splits", flush=True)


if __name__ == "__main__":
    sys.exit(main())
