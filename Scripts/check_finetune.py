#!/usr/bin/env python3
"""Checks `cosine train --encoder` against sentence-transformers' trainer on a real model.

1. One step, dropout off (a copy of MODEL_DIR with both dropout probabilities 0): the same texts,
   MultipleNegativesRankingLoss, batch = all pairs, learning rate 1e-4 without warm-up, AdamW
   with weight decay 0.01, gradients clipped to norm 1. Compares the step's loss and every
   updated tensor with SentenceTransformerTrainer's (fused or plain torch AdamW, its default).
2. The model `cosine train` saved loads in sentence-transformers (`SentenceTransformer(OUT)`)
   and encodes the same vectors as `cosine embed-text --model OUT`.

  python3 Scripts/check_finetune.py MODEL_DIR [path/to/cosine] [--pairs N]

Needs sentence-transformers, datasets and accelerate. Exits non-zero on a mismatch.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLE = os.path.join(HERE, "..", "Sources", "CosineDemo", "Resources", "text", "debian_texts.json")


def pairs(n):
    d = json.load(open(BUNDLE))
    rng = np.random.default_rng(5)
    idx = rng.permutation(len(d["queries"]))[:n]
    return [(d["queries"][i], d["documents"][i]) for i in idx]


def no_dropout_copy(model_dir, into):
    shutil.copytree(model_dir, into, symlinks=False, ignore=shutil.ignore_patterns("onnx", "openvino", "*.bin"))
    path = os.path.join(into, "config.json")
    config = json.load(open(path))
    config["hidden_dropout_prob"] = 0.0
    config["attention_probs_dropout_prob"] = 0.0
    json.dump(config, open(path, "w"), indent=2)


def torch_step(model_dir, data, out, lr):
    from datasets import Dataset
    from sentence_transformers import (SentenceTransformer, SentenceTransformerTrainer,
                                       SentenceTransformerTrainingArguments, losses)
    from sentence_transformers.training_args import BatchSamplers
    model = SentenceTransformer(model_dir, device="cpu")
    dataset = Dataset.from_dict({"anchor": [a for a, _ in data], "positive": [p for _, p in data]})
    args = SentenceTransformerTrainingArguments(
        output_dir=os.path.join(out, "runs"), num_train_epochs=1, per_device_train_batch_size=len(data),
        learning_rate=lr, warmup_steps=0, weight_decay=0.01, max_grad_norm=1.0, lr_scheduler_type="linear",
        batch_sampler=BatchSamplers.NO_DUPLICATES, logging_steps=1, save_strategy="no", report_to=[], seed=0,
        use_cpu=True, dataloader_drop_last=False)
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=dataset,
                                         loss=losses.MultipleNegativesRankingLoss(model))
    trainer.train()
    loss = next(h["loss"] for h in trainer.state.log_history if "loss" in h)
    model.save(out)
    return loss


def tensors(path):
    from safetensors.numpy import load_file
    return {k.removeprefix("bert."): v.astype(np.float64) for k, v in load_file(path).items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("cosine", nargs="?", default=".build/release/cosine")
    ap.add_argument("--pairs", type=int, default=32)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="cosine-finetune-")
    ok = True
    try:
        src = os.path.join(work, "model")
        no_dropout_copy(a.model, src)
        data = pairs(a.pairs)
        pairs_path = os.path.join(work, "pairs.jsonl")
        with open(pairs_path, "w") as f:
            for q, d in data:
                f.write(json.dumps({"anchor": q, "positive": d}) + "\n")
        lr = 1e-4
        ours = os.path.join(work, "ours")
        subprocess.run([a.cosine, "train", "--encoder", src, "--pairs", pairs_path, "-o", ours,
                        "--batch-size", str(len(data)), "--learning-rate", str(lr), "--warmup-ratio", "0"],
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(ours, "loss.csv")) as f:
            our_loss = float(f.read().splitlines()[1].split(",")[2])
        theirs = os.path.join(work, "theirs")
        their_loss = torch_step(src, data, theirs, lr)
        before = tensors(os.path.join(src, "model.safetensors"))
        mine = tensors(os.path.join(ours, "model.safetensors"))
        st = tensors(os.path.join(theirs, "model.safetensors"))
        print(f"one step, {len(data)} pairs: loss {our_loss:.6f} (cosine) vs {their_loss:.6f} (sentence-transformers)")
        if abs(our_loss - their_loss) > 1e-4 * max(1, abs(their_loss)):
            print("  FAIL: the losses differ")
            ok = False
        worst, moved, flipped, close, total = 0.0, 0.0, 0, 0, 0
        for name, ref in st.items():
            if name not in mine:
                print(f"  FAIL: {name} missing from the saved model")
                ok = False
                continue
            if name not in before or mine[name].shape != ref.shape:
                continue
            diff = np.abs(mine[name] - ref)
            worst = max(worst, float(diff.max()))
            moved = max(moved, float(np.abs(ref - before[name]).max()))
            # Adam's first step is about lr·sign(g): where g is within float32 noise of 0, the sign may differ.
            flipped += int((diff > 0.5 * lr).sum())
            close += int((diff <= 1e-6).sum())
            total += diff.size
        print(f"  updated weights: largest |cosine − sentence-transformers| {worst:.2e}; largest update {moved:.2e}; "
              f"{close / total:.4%} of {total} weights within 1e-6; {flipped} differ by more than lr/2")
        if flipped > 1e-4 * total:
            print("  FAIL: too many weights differ")
            ok = False
        # The saved model loads in sentence-transformers and encodes what cosine embed-text does.
        from sentence_transformers import SentenceTransformer
        texts = [q for q, _ in pairs(200)[-50:]] + [d for _, d in pairs(200)[-50:]]
        texts_path = os.path.join(work, "texts.txt")
        with open(texts_path, "w") as f:
            f.write("\n".join(t.replace("\n", " ") for t in texts) + "\n")
        e_path = os.path.join(work, "e.npy")
        subprocess.run([a.cosine, "embed-text", "--model", ours, texts_path, "-o", e_path, "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
        with open(texts_path) as f:
            lines = f.read().splitlines()
        ref = SentenceTransformer(ours, device="cpu").encode(lines, convert_to_numpy=True)
        e = np.load(e_path)
        d = float(np.abs(e - ref).max())
        print(f"  SentenceTransformer(OUT) vs cosine embed-text --model OUT on {len(lines)} texts: largest |difference| {d:.2e}")
        if d > 1e-5:
            print("  FAIL: the saved model encodes differently")
            ok = False
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("ok" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
