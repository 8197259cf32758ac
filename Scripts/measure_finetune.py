#!/usr/bin/env python3
"""Held-out quality of `cosine train --encoder` against sentence-transformers' trainer and against
an adapter on frozen embeddings, on Debian pairs the demo's bundle does not hold.

Pairs: synopsis -> long description of Debian packages (apt's lists; run
`apt-get update -o Acquire::Languages=en`), minus every package and synopsis of the bundle.
For each split seed s: a seeded shuffle gives TRAIN training pairs and TEST held-out pairs, and
  - frozen:   the model as it is;
  - adapter:  `cosine train Q.npy D.npy --loss mnrl --adapter` on the frozen training embeddings;
  - cosine:   `cosine train --encoder MODEL --pairs train.jsonl --seed s` (mnrl, 1 epoch, batch 32,
              learning rate 2e-5, warm-up 10 %: the defaults);
  - sentence-transformers: SentenceTransformerTrainer with the same data, loss, hyperparameters,
              no-duplicates batches and seed.
Held-out recall@1 and MRR@10 come from `cosine evaluate` (query i's relevant document is i) on
embeddings made by `cosine embed-text` (the sentence-transformers model is read from its saved
directory, which checks that too).

  python3 Scripts/measure_finetune.py MODEL_DIR [--cosine .build/release/cosine] [--seeds 0,1,2]
          [--train 1500] [--test 1000]
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
sys.path.insert(0, HERE)

ST_FIT = r'''
import json, sys
from datasets import Dataset
from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments, losses
from sentence_transformers.training_args import BatchSamplers
model_dir, pairs_path, out, seed = sys.argv[1:5]
rows = [json.loads(l) for l in open(pairs_path)]
model = SentenceTransformer(model_dir, device="cpu")
ds = Dataset.from_dict({"anchor": [r["anchor"] for r in rows], "positive": [r["positive"] for r in rows]})
args = SentenceTransformerTrainingArguments(output_dir=out + "-runs", num_train_epochs=1, per_device_train_batch_size=32,
    learning_rate=2e-5, warmup_steps=0.1, weight_decay=0.01, max_grad_norm=1.0, batch_sampler=BatchSamplers.NO_DUPLICATES,
    save_strategy="no", report_to=[], seed=int(seed), use_cpu=True, disable_tqdm=True, logging_steps=1)
trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=ds, loss=losses.MultipleNegativesRankingLoss(model))
trainer.train()
print(json.dumps([h["loss"] for h in trainer.state.log_history if "loss" in h]))
model.save(out)
'''


def unseen_pairs():
    from make_text_pairs import debian_pairs, norm
    bundle = json.load(open(os.path.join(HERE, "..", "Sources/CosineDemo/Resources/text/debian_texts.json")))
    names, queries = set(bundle["names"]), {norm(q) for q in bundle["queries"]}
    found, _ = debian_pairs()
    seen, out = set(), []
    for name, short, long in found:
        if name in names or norm(short) in queries or norm(short) in seen or norm(long) in seen:
            continue
        seen.update((norm(short), norm(long)))
        out.append((short, long))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--cosine", default=os.path.join(HERE, "..", ".build/release/cosine"))
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--train", type=int, default=1500)
    ap.add_argument("--test", type=int, default=1000)
    a = ap.parse_args()
    pool = unseen_pairs()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"{len(pool)} Debian pairs the bundle does not hold; {a.train} training and {a.test} held-out pairs per "
          f"split; {os.cpu_count()} CPUs: {cpu}", flush=True)
    results = {k: [] for k in ("frozen", "adapter", "cosine", "sentence-transformers")}
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    for seed in [int(s) for s in a.seeds.split(",")]:
        rng = np.random.default_rng(seed)
        idx = rng.permutation(len(pool))
        train = [pool[i] for i in idx[:a.train]]
        test = [pool[i] for i in idx[a.train:a.train + a.test]]
        with tempfile.TemporaryDirectory(prefix="measure-finetune-") as tmp:
            def path(name):
                return os.path.join(tmp, name)

            def texts(name, rows):
                with open(path(name), "w") as f:
                    for t in rows:
                        f.write(json.dumps({"text": t}) + "\n")
                return path(name)

            with open(path("train.jsonl"), "w") as f:
                for q, d in train:
                    f.write(json.dumps({"anchor": q, "positive": d}) + "\n")
            inputs = {"qt": texts("qt.jsonl", [q for q, _ in train]), "dt": texts("dt.jsonl", [d for _, d in train]),
                      "qh": texts("qh.jsonl", [q for q, _ in test]), "dh": texts("dh.jsonl", [d for _, d in test])}

            def embed(model, key):
                out = path(f"{os.path.basename(model)}-{key}.npy")
                subprocess.run([a.cosine, "embed-text", "--model", model, inputs[key], "-o", out, "--quiet"],
                               check=True, capture_output=True)
                return out

            def evaluate(model, *extra):
                out = subprocess.run([a.cosine, "evaluate", "--queries", embed(model, "qh"), "--corpus",
                                      embed(model, "dh"), "--format", "json", *extra],
                                     check=True, capture_output=True, text=True).stdout
                return json.loads(out)

            frozen = evaluate(a.model)
            adapter = path("adapter.json")
            subprocess.run([a.cosine, "train", embed(a.model, "qt"), embed(a.model, "dt"), "--loss", "mnrl", "--adapter",
                            "-o", adapter], check=True, capture_output=True)
            adapted = evaluate(a.model, "--model", adapter)
            start = time.perf_counter()
            ours = path("cosine")
            subprocess.run([a.cosine, "train", "--encoder", a.model, "--pairs", path("train.jsonl"), "-o", ours,
                            "--seed", str(seed)], check=True, capture_output=True)
            our_seconds = time.perf_counter() - start
            our_losses = [float(l.split(",")[2]) for l in open(os.path.join(ours, "loss.csv")).read().splitlines()[1:]]
            tuned = evaluate(ours)
            start = time.perf_counter()
            theirs = path("st")
            r = subprocess.run([sys.executable, "-c", ST_FIT, a.model, path("train.jsonl"), theirs, str(seed)],
                               check=True, capture_output=True, text=True, env=env)
            st_seconds = time.perf_counter() - start
            st_losses = json.loads(r.stdout.strip().splitlines()[-1])
            st = evaluate(theirs)
            row = {"frozen": frozen, "adapter": adapted, "cosine": tuned, "sentence-transformers": st}
            for k, v in row.items():
                results[k].append(v)
            print(f"split {seed}: recall@1 " + ", ".join(f"{k} {v['recall@1']:.4f}" for k, v in row.items())
                  + f"; training {our_seconds:.0f} s (cosine) vs {st_seconds:.0f} s (sentence-transformers)", flush=True)
            def curve(losses):
                return " ".join(f"{x:.3f}" for x in losses[::max(1, len(losses) // 12)])
            print(f"  loss every {max(1, len(our_losses) // 12)} steps: cosine {curve(our_losses)}", flush=True)
            print(f"  {'':>27}sentence-transformers {curve(st_losses)}", flush=True)
    print("\nheld-out, mean ± standard deviation over the splits:")
    for k, rows in results.items():
        r1 = np.array([r["recall@1"] for r in rows])
        mrr = np.array([r["mrr@10"] for r in rows])
        print(f"  {k:>22}: recall@1 {r1.mean():.4f} ± {r1.std(ddof=1) if len(r1) > 1 else 0:.4f}, "
              f"MRR@10 {mrr.mean():.4f} ± {mrr.std(ddof=1) if len(mrr) > 1 else 0:.4f}")


if __name__ == "__main__":
    main()
