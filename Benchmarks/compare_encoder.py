#!/usr/bin/env python3
"""Sentence encoding side by side: CosineKit against sentence-transformers and ONNX Runtime.

usage: python3 Benchmarks/compare_encoder.py MODEL_DIR [--bench .build/release/cosine-bench]
                                             [--texts 1000] [--rounds 3] [--max-length 256] [--batch 32]

The texts are the descriptions (summary and long text) of the first N of the machine's Debian packages (the dpkg status
file). Every contender encodes all of them from text (tokenization included), sorted longest
first in batches of 32 and truncated to 256 tokens, and runs in the same process layout:
- sentence-transformers: `SentenceTransformer.encode` (PyTorch float32, all cores via
  torch.set_num_threads(os.cpu_count())), its defaults otherwise;
- ONNX Runtime: the model's BertModel exported to ONNX (float32, opset 17), a session with
  graph optimizations at ORT_ENABLE_ALL and intra-op threads = the core count, the fast
  Hugging Face tokenizer, mean pooling and normalization in NumPy;
- CosineKit: `cosine-bench --filter encode_minilm` (SentenceEncoder.encode), which reports the
  median of its runs after one warm-up.
Rounds alternate the three; the table gives each one's median texts per second and the ratios.
Embeddings are compared too (max |difference| against sentence-transformers).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Scripts"))
from encoder_texts import debian_descriptions  # noqa: E402


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--bench", default=".build/release/cosine-bench")
    ap.add_argument("--texts", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--batch", type=int, default=32)
    a = ap.parse_args()
    threads = os.cpu_count() or 1

    import torch
    import onnxruntime as ort
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer, BertModel

    torch.set_num_threads(threads)
    texts = debian_descriptions()[: a.texts]  # as many as the machine has, up to --texts
    st = SentenceTransformer(a.model, device="cpu")
    st.max_seq_length = a.max_length
    tokenizer = AutoTokenizer.from_pretrained(a.model)

    tmp = tempfile.mkdtemp(prefix="compare-encoder-")
    onnx_path = os.path.join(tmp, "model.onnx")
    bert = BertModel.from_pretrained(a.model, attn_implementation="eager").eval()

    class States(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    example = tokenizer(["hello world"], return_tensors="pt")
    with torch.no_grad():
        torch.onnx.export(States().eval(), (example["input_ids"], example["attention_mask"]), onnx_path,
                          input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": {0: "b", 1: "l"}, "attention_mask": {0: "b", 1: "l"},
                                        "last_hidden_state": {0: "b", 1: "l"}}, opset_version=17, dynamo=False)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])

    def run_st():
        return st.encode(texts, batch_size=a.batch, convert_to_numpy=True)

    def run_ort():
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), 384 if session.get_outputs() else 0), dtype=np.float32)
        for s in range(0, len(texts), a.batch):
            idx = order[s:s + a.batch]
            enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=a.max_length,
                            return_tensors="np")
            h = session.run(None, {"input_ids": enc["input_ids"].astype(np.int64),
                                   "attention_mask": enc["attention_mask"].astype(np.int64)})[0]
            m = enc["attention_mask"][..., None].astype(np.float32)
            e = (h * m).sum(1) / np.maximum(m.sum(1), 1e-9)
            out[idx] = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
        return out

    text_file = os.path.join(tmp, "texts.jsonl")
    with open(text_file, "w") as f:
        for t in texts:
            f.write(json.dumps({"text": t}) + "\n")
    out_file = os.path.join(tmp, "ours.f32")

    def run_ours():
        env = dict(os.environ, COSINE_MINILM_DIR=a.model, COSINE_MINILM_TEXTS=text_file, COSINE_MINILM_OUT=out_file,
                   COSINE_MINILM_MAX_LENGTH=str(a.max_length), COSINE_MINILM_BATCH=str(a.batch))
        r = subprocess.run([a.bench, "--filter", "encode_minilm", "--runs", "2", "--json"], env=env, check=True,
                           capture_output=True, text=True)
        row = json.loads([line for line in r.stdout.splitlines() if line.startswith("{")][0])
        return row["seconds"], row.get("gflop_per_s")

    def timed(f):
        t = time.perf_counter()
        f()
        return time.perf_counter() - t

    reference = run_st()  # warm-up and the reference
    ort_e = run_ort()
    seconds = {"sentence-transformers": [], "onnxruntime": [], "CosineKit": []}
    gflops = []
    for _ in range(a.rounds):
        seconds["sentence-transformers"].append(timed(run_st))
        seconds["onnxruntime"].append(timed(run_ort))
        s, g = run_ours()
        seconds["CosineKit"].append(s)
        if g:
            gflops.append(g)
    ours = np.fromfile(out_file, dtype=np.float32).reshape(len(texts), -1)
    ntok = sum(len(tokenizer(t, truncation=True, max_length=a.max_length)["input_ids"]) for t in texts)
    print(f"# {cpu_name()}, {threads} threads; {len(texts)} texts ({ntok} tokens, max length {a.max_length}), "
          f"batch {a.batch}, {a.rounds} alternating rounds")
    print(f"# torch {torch.__version__}, onnxruntime {ort.__version__}")
    med = {k: statistics.median(v) for k, v in seconds.items()}
    print(f"{'contender':24} {'texts/s':>9} {'CosineKit ×':>12}")
    for k, v in med.items():
        print(f"{k:24} {len(texts) / v:9.1f} {v / med['CosineKit']:12.2f}")
    if gflops:
        print(f"CosineKit GFLOP/s (model FLOPs / time): {statistics.median(gflops):.1f}")
    print(f"max |diff| vs sentence-transformers: CosineKit {np.abs(ours - reference).max():.2e}, "
          f"onnxruntime {np.abs(ort_e - reference).max():.2e}")


if __name__ == "__main__":
    main()
