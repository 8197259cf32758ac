#!/usr/bin/env python3
"""Compares CosineKit's sentence embeddings with sentence-transformers on real texts.

Usage: COSINE_MINILM_DIR=<model dir> python3 Scripts/check_encoder.py [cosine-bench binary]
Tokenizes with the model's own tokenizer, runs `cosine-bench --filter encode_minilm --runs 1`
on the ids, and reports the worst cosine and max abs difference per text against
`SentenceTransformer.encode` (float32).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

sys.path.insert(0, os.path.dirname(__file__))
from encoder_texts import debian_descriptions  # noqa: E402


def texts():
    d = debian_descriptions()
    varied = ["", "a", "Hello, world!", "naïve café – Ünïcödé", "数学 and 中文 mixed", "x " * 300,
              "UPPER lower MiXeD 12345 3.14159", "tabs\tand\nnewlines", "emoji 🙂 text", "(((nested)))"]
    return varied + d[:290]


def main():
    model_dir = os.environ["COSINE_MINILM_DIR"]
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/cosine-bench"
    torch.set_num_threads(2)
    st = SentenceTransformer(model_dir, device="cpu")
    t = texts()
    reference = st.encode(t, batch_size=32, convert_to_numpy=True)
    tok = st.tokenizer
    ids = [tok(x, truncation=True, max_length=st.max_seq_length)["input_ids"] for x in t]
    with tempfile.TemporaryDirectory() as tmp:
        ids_path, out_path = os.path.join(tmp, "ids.json"), os.path.join(tmp, "out.f32")
        with open(ids_path, "w") as f:
            json.dump(ids, f)
        env = dict(os.environ, COSINE_MINILM_IDS=ids_path, COSINE_MINILM_OUT=out_path)
        subprocess.run([binary, "--filter", "encode_minilm", "--runs", "1"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        ours = np.fromfile(out_path, dtype=np.float32).reshape(len(t), -1)
    cos = (ours * reference).sum(1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1))
    diff = np.abs(ours - reference).max(1)
    worst = int(np.argmax(diff))
    print(f"texts: {len(t)}  worst cosine: {cos.min():.9f}  worst max|diff|: {diff.max():.3e} "
          f"(text {worst}, {len(ids[worst])} tokens)")
    ok = cos.min() >= 0.99999 and diff.max() <= 1e-5
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
