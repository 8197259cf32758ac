#!/usr/bin/env python3
"""Batch-loss benchmarks side by side: CosineKit's cosine-bench `mnrl_fwd_bwd_f32` against
sentence-transformers' MultipleNegativesRankingLoss through PyTorch autograd, in one run.

usage: python3 Benchmarks/compare_losses.py [--bench .build/release/cosine-bench] [--runs 5] [--threads 2] [--rounds 2]

The shape is fixed: B = 4096 anchors and positives of dimension 768 (float32), scale 20, no hard
negatives; both sides compute the value and the gradients with respect to anchors and positives.
Rounds alternate ours and theirs; times are medians. The ratio is their time / ours (above 1:
CosineKit is faster). CPU seconds per call (all threads) are printed too, as the machine may be
shared: ours from the benchmark process's rusage over its warm-up and timed calls (input
generation included), theirs from process_time over the same calls. The competitor is skipped (and said so) when torch or
sentence-transformers is not installed.
"""
import argparse, os, resource, statistics, sys, time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import median_time, ours  # noqa: E402

B, D, SCALE = 4096, 768, 20.0
TARGET = 2.5


def competitor(runs, threads):
    try:
        import torch
        from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    except ImportError:
        try:
            import torch
            from sentence_transformers.losses import MultipleNegativesRankingLoss
        except ImportError:
            print("torch or sentence-transformers not installed: skipped", file=sys.stderr)
            return None
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    a = torch.from_numpy(rng.uniform(-1, 1, (B, D)).astype(np.float32)).requires_grad_()
    p = torch.from_numpy(rng.uniform(-1, 1, (B, D)).astype(np.float32)).requires_grad_()

    class Identity(torch.nn.Module):
        def forward(self, x):
            return x

    loss = MultipleNegativesRankingLoss(Identity(), scale=SCALE)

    def fwd_bwd():
        a.grad = p.grad = None
        loss.compute_loss_from_embeddings([a, p], None).backward()

    c = time.process_time()
    t = median_time(fwd_bwd, runs)
    return t, (time.process_time() - c) / (runs + 1)


def ours_with_cpu(bench, runs, threads):
    """Median seconds and CPU seconds per call of `mnrl_fwd_bwd_f32`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = ours(bench, ["mnrl_fwd_bwd_f32"], runs, threads)["mnrl_fwd_bwd_f32"]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return t, cpu / (runs + 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "cosine-bench"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    mine, theirs, mine_cpu, theirs_cpu = [], [], [], []
    for r in range(max(1, args.rounds)):
        o, oc = ours_with_cpu(args.bench, args.runs, args.threads)
        mine.append(o)
        mine_cpu.append(oc)
        res = competitor(args.runs, args.threads)
        line = f"round {r + 1}: ours {o:.4f}s (CPU {oc:.3f}s/call)"
        if res is not None:
            theirs.append(res[0])
            theirs_cpu.append(res[1])
            line += f" | sentence-transformers+torch {res[0]:.4f}s (CPU {res[1]:.3f}s/call)"
        print(line, file=sys.stderr)
    o = statistics.median(mine)
    print(f"mnrl_fwd_bwd_f32: ours {o:.4f}s ({3 * 2.0 * B * B * D / o / 1e9:.1f} GFLOP/s counting three GEMMs, "
          f"{args.threads} threads)")
    if theirs:
        t = statistics.median(theirs)
        print(f"{'benchmark':<18}{'competitor':<36}{'their s':>10}{'ours s':>10}{'ratio':>8}{'target':>8}")
        mark = "ok" if t / o >= TARGET else "SHORT"
        oc, tc = statistics.median(mine_cpu), statistics.median(theirs_cpu)
        print(f"CPU seconds per call: ours {oc:.3f}, theirs {tc:.3f}, ratio {tc / oc:.2f}")
        print(f"{'mnrl_fwd_bwd_f32':<18}{'sentence-transformers MNRL (torch)':<36}{t:>10.4f}{o:>10.4f}{t / o:>8.2f}"
              f"{TARGET:>6.1f}x {mark}")


if __name__ == "__main__":
    main()
