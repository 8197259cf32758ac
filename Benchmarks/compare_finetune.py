#!/usr/bin/env python3
"""Fine-tuning speed: `cosine train --encoder` against sentence-transformers' trainer (PyTorch,
float32, all cores), the same texts, model, loss (MultipleNegativesRankingLoss), batch size and
maximum length, run one after the other on a quiet machine.

Reports the median seconds per optimizer step (the first step left out: both warm up), steps per
second and their ratio, whole-process seconds, peak resident memory (/usr/bin/time), where
CosineKit's step time goes (forward + pooling + loss, backward, clipping + AdamW; tokenization
runs once before the first step) and the GFLOP/s of its forward and backward passes (the model's
FLOPs: 2·tokens·weights of the projections plus 4·n²·hidden of attention per text and layer;
the backward pass counted as twice the forward).

  python3 Benchmarks/compare_finetune.py MODEL_DIR [--cosine .build/release/cosine]
          [--steps 12] [--batch-size 32] [--max-length 128]

Texts: Debian package descriptions (synopsis → long description) from apt's lists (run
`apt-get update -o Acquire::Languages=en` first), else the demo's bundled pairs.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Scripts"))

ST_RUN = r'''
import json, sys, time, torch
from datasets import Dataset
from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments, losses
from sentence_transformers.training_args import BatchSamplers
from transformers import TrainerCallback
model_dir, pairs_path, out, batch, max_length, steps = sys.argv[1:7]
rows = [json.loads(l) for l in open(pairs_path)]
model = SentenceTransformer(model_dir, device="cpu")
model.max_seq_length = int(max_length)
ds = Dataset.from_dict({"anchor": [r["anchor"] for r in rows], "positive": [r["positive"] for r in rows]})
times = []
class Clock(TrainerCallback):
    def on_step_begin(self, args, state, control, **kw): self.t = time.perf_counter()
    def on_step_end(self, args, state, control, **kw): times.append(time.perf_counter() - self.t)
args = SentenceTransformerTrainingArguments(output_dir=out, max_steps=int(steps), per_device_train_batch_size=int(batch),
    learning_rate=2e-5, warmup_steps=0.1, weight_decay=0.01, max_grad_norm=1.0, batch_sampler=BatchSamplers.NO_DUPLICATES,
    save_strategy="no", report_to=[], logging_steps=1, seed=0, use_cpu=True, disable_tqdm=True)
trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=ds,
    loss=losses.MultipleNegativesRankingLoss(model), callbacks=[Clock()])
t0 = time.perf_counter(); trainer.train(); total = time.perf_counter() - t0
print(json.dumps({"steps": times, "train": total, "threads": torch.get_num_threads(), "torch": torch.__version__}))
'''


def pairs(n):
    try:
        from make_text_pairs import debian_pairs
        found, _ = debian_pairs()
        source = "Debian package descriptions (apt lists)"
        rows = [(short, long) for _, short, long in found]
    except SystemExit:
        d = json.load(open(os.path.join(HERE, "..", "Sources/CosineDemo/Resources/text/debian_texts.json")))
        source = "the demo's bundled Debian pairs"
        rows = list(zip(d["queries"], d["documents"]))
    import random
    random.Random(3).shuffle(rows)
    seen, out = set(), []
    for q, doc in rows:
        if q in seen or doc in seen:
            continue
        seen.update((q, doc))
        out.append((q, doc))
        if len(out) == n:
            break
    return out, source


def timed(cmd, env=None):
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{r.stderr[-3000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1024
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", r.stderr).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return r.stdout, rss, seconds


def model_flops(model_dir, texts, max_length):
    from transformers import AutoTokenizer
    c = json.load(open(os.path.join(model_dir, "config.json")))
    h, inner, layers = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"]
    tok = AutoTokenizer.from_pretrained(model_dir)
    lengths = [len(ids) for ids in tok(texts, truncation=True, max_length=max_length)["input_ids"]]
    per_token = 2 * (4 * h * h + 2 * h * inner)
    return layers * sum(n * per_token + 4 * n * n * h for n in lengths), sum(lengths)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--cosine", default=os.path.join(HERE, "..", ".build/release/cosine"))
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-length", type=int, default=128)
    a = ap.parse_args()
    data, source = pairs(a.steps * a.batch_size)
    work = tempfile.mkdtemp(prefix="compare-finetune-")
    path = os.path.join(work, "pairs.jsonl")
    with open(path, "w") as f:
        for q, d in data:
            f.write(json.dumps({"anchor": q, "positive": d}) + "\n")
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"{len(data)} pairs of {source}; batch {a.batch_size}, max length {a.max_length}, {a.steps} steps, "
          f"mnrl; {os.cpu_count()} CPUs: {cpu}")
    out = os.path.join(work, "ours")
    our_out, our_rss, our_wall = timed([a.cosine, "train", "--encoder", a.model, "--pairs", path, "-o", out,
                                  "--batch-size", str(a.batch_size), "--max-length", str(a.max_length)])
    rows = [l.split(",") for l in open(os.path.join(out, "loss.csv")).read().splitlines()[1:]]
    fwd = [float(r[6]) for r in rows]
    bwd = [float(r[7]) for r in rows]
    upd = [float(r[8]) for r in rows]
    ours = [f + b + u for f, b, u in zip(fwd, bwd, upd)]
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="true")
    stdout, st_rss, st_wall = timed([sys.executable, "-c", ST_RUN, a.model, path, os.path.join(work, "st"),
                                     str(a.batch_size), str(a.max_length), str(a.steps)], env=env)
    st = json.loads(stdout.strip().splitlines()[-1])
    ours_med = statistics.median(ours[1:])
    st_med = statistics.median(st["steps"][1:])
    print(f"\n{'':28}{'cosine train':>14}{'sentence-transformers':>24}")
    print(f"{'median s/step (steps 2..)':28}{ours_med:>14.3f}{st_med:>24.3f}")
    print(f"{'steps/s':28}{1 / ours_med:>14.3f}{1 / st_med:>24.3f}   ratio {st_med / ours_med:.2f}x")
    print(f"{'whole process, s':28}{our_wall:>14.1f}{st_wall:>24.1f}")
    print(f"{'peak RSS, MB':28}{our_rss:>14.0f}{st_rss:>24.0f}")
    print(f"(PyTorch {st['torch']}, {st['threads']} threads, float32, defaults of SentenceTransformerTrainer)")
    texts = [t for pair in data for t in pair]
    flops, tokens = model_flops(a.model, texts, a.max_length)
    total = sum(ours)
    tokenizing = float(re.search(r"tokenizing took ([0-9.]+) s", our_out).group(1))
    print(f"\nCosineKit's time: forward + pooling + loss {sum(fwd) / total:.0%}, backward {sum(bwd) / total:.0%}, "
          f"clip + AdamW {sum(upd) / total:.0%} of the steps; tokenizing all {2 * len(data)} texts once before them "
          f"{tokenizing:.2f} s ({tokenizing / total:.1%} of the steps' time)")
    print(f"model FLOPs over the run: {flops / 1e9:.0f} GFLOP forward ({tokens} tokens); "
          f"forward {flops / sum(fwd) / 1e9:.0f} GFLOP/s, backward {2 * flops / sum(bwd) / 1e9:.0f} GFLOP/s")


if __name__ == "__main__":
    main()
