#!/usr/bin/env python3
"""Real embeddings for the IVF benchmark: Debian package descriptions in several languages,
embedded with all-MiniLM-L6-v2 by `cosine embed-text`.

    apt-get update -o Acquire::Languages=en,de,fr,es,it,pt,ru
    python3 Benchmarks/make_ivf_corpus.py MODEL_DIR --cosine .build/release/cosine --out DIR

Writes to DIR:
  corpus.txt / corpus.npy    the paragraphs of the long descriptions (every language found),
                             at most --corpus rows (default 110,000), float32 [N, 384]
  queries.txt / queries.npy  the one-line synopses of packages whose descriptions are NOT in the
                             corpus (held out), --queries rows (default 10,000)

Texts are de-duplicated; the split into corpus and held-out packages is seeded (--seed).
"""

import argparse
import glob
import os
import random
import re
import subprocess
import sys


def blocks(path):
    text = subprocess.run(
        ["/usr/lib/apt/apt-helper", "cat-file", path], check=True, capture_output=True, text=True
    ).stdout
    for block in text.split("\n\n"):
        name, lang, short, body, in_desc = None, None, None, [], False
        for line in block.split("\n"):
            if line.startswith("Package: "):
                name = line[9:].strip()
            elif line.startswith("Description-"):
                key, _, value = line.partition(": ")
                lang = key[len("Description-"):]
                short = value.strip()
                in_desc = True
            elif in_desc and line.startswith(" "):
                body.append("" if line.strip() == "." else line.strip())
            else:
                in_desc = False
        if name and short:
            yield name, lang, short, body


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--cosine", default=".build/release/cosine")
    ap.add_argument("--out", required=True)
    ap.add_argument("--corpus", type=int, default=110_000)
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-length", type=int, default=128)
    args = ap.parse_args()
    files = sorted(glob.glob("/var/lib/apt/lists/*_dists_bookworm_main_i18n_Translation-*"))
    if not files:
        sys.exit("no Translation index in /var/lib/apt/lists: run apt-get update -o Acquire::Languages=en,de,fr")
    packages = {}
    for f in files:
        for name, lang, short, body in blocks(f):
            paragraphs = [norm(p) for p in "\n".join(body).split("\n\n")]
            packages.setdefault(name, []).append((lang, norm(short), [p for p in paragraphs if len(p) >= 40]))
    names = sorted(packages)
    rng = random.Random(args.seed)
    rng.shuffle(names)
    held = set(names[: len(names) // 8])
    corpus, seen = [], set()
    for name in names:
        if name in held:
            continue
        for _, short, paragraphs in packages[name]:
            for p in paragraphs:
                if p not in seen:
                    seen.add(p)
                    corpus.append(p)
    rng.shuffle(corpus)
    corpus = corpus[: args.corpus]
    queries, qseen = [], set()
    for name in sorted(held):
        for _, short, _ in packages[name]:
            if short not in qseen and short not in seen:
                qseen.add(short)
                queries.append(short)
    rng.shuffle(queries)
    queries = queries[: args.queries]
    langs = sorted({lang for v in packages.values() for lang, _, _ in v})
    print(f"{len(corpus)} corpus paragraphs, {len(queries)} held-out queries; languages {', '.join(langs)}")
    os.makedirs(args.out, exist_ok=True)
    for kind, texts in (("corpus", corpus), ("queries", queries)):
        txt = os.path.join(args.out, kind + ".txt")
        with open(txt, "w") as f:
            for t in texts:
                f.write(t.replace("\n", " ") + "\n")
        subprocess.run(
            [args.cosine, "embed-text", "--model", args.model, txt, "-o", os.path.join(args.out, kind + ".npy"),
             "--max-length", str(args.max_length), "--batch-size", "64", "--quiet"],
            check=True,
        )
        print(f"wrote {os.path.join(args.out, kind + '.npy')}")


if __name__ == "__main__":
    main()
