#!/usr/bin/env python3
"""Checks the `cosine` command line against PyTorch (float64) on cases the golden set does not
cover: float16, integer and Fortran-order inputs, 3-D inputs on every axis, broadcasting with
gradients, weighted and margin losses, mse with `none`. Needs numpy and torch.

usage: python3 Scripts/check_against_torch.py [.build/release/cosine]
Prints one line per failing case and 'N passed, M failed'; exit status 0 iff all pass.
"""
import os, subprocess, sys, tempfile

import numpy as np
import torch
import torch.nn.functional as F

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/cosine"
tmp = tempfile.mkdtemp()
rng = np.random.default_rng(7)
passed = failed = 0


def save(name, array, fortran=False):
    path = os.path.join(tmp, name)
    np.save(path, np.asfortranarray(array) if fortran else array)
    return path


def run(args, grads):
    out = os.path.join(tmp, "out.npy")
    extra = ["-o", out] + (["--grad1", os.path.join(tmp, "g1.npy"), "--grad2", os.path.join(tmp, "g2.npy")] if grads else [])
    p = subprocess.run([binary] + args + extra, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip())
    got = [np.load(out)]
    if grads:
        got += [np.load(os.path.join(tmp, "g1.npy")), np.load(os.path.join(tmp, "g2.npy"))]
    return got


def check(name, args, x1, x2, fn, rtol, atol, grads=True):
    global passed, failed
    a = torch.tensor(x1.astype(np.float64), requires_grad=True)
    b = torch.tensor(x2.astype(np.float64), requires_grad=True)
    value = fn(a, b)
    want = [value.detach().numpy()]
    if grads:
        value.sum().backward()
        want += [a.grad.numpy(), b.grad.numpy()]
    try:
        got = run(args, grads)
        problems = []
        for label, g, w in zip(["value", "grad1", "grad2"], got, want):
            if g.shape != w.shape:
                problems.append(f"{label} shape {g.shape} != {w.shape}")
            elif not np.allclose(g.astype(np.float64), w, rtol=rtol, atol=atol * max(1.0, np.abs(w).max() if w.size else 1)):
                problems.append(f"{label} max error {np.abs(g - w).max():.3g}")
    except RuntimeError as e:
        problems = [str(e)]
    if problems:
        failed += 1
        print(f"FAIL {name}: {'; '.join(problems)}")
    else:
        passed += 1


x3 = rng.normal(size=(3, 4, 5)); y3 = rng.normal(size=(3, 4, 5))
for axis in [0, 1, 2, -1, -3]:
    check(f"sim3d_axis{axis}", ["similarity", save("a.npy", x3), save("b.npy", y3), "--axis", str(axis)], x3, y3,
          lambda a, b, ax=axis: F.cosine_similarity(a, b, dim=ax), 1e-9, 1e-12)
xb = rng.normal(size=(4, 1, 6)); yb = rng.normal(size=(3, 6))
check("sim_broadcast_grads", ["similarity", save("a.npy", xb), save("b.npy", yb)], xb, yb,
      lambda a, b: F.cosine_similarity(a, b, dim=-1), 1e-9, 1e-12)
xf = rng.normal(size=(5, 7)); yf = rng.normal(size=(5, 7))
check("sim_fortran", ["similarity", save("a.npy", xf, fortran=True), save("b.npy", yf, fortran=True), "--axis", "0"], xf, yf,
      lambda a, b: F.cosine_similarity(a, b, dim=0), 1e-9, 1e-12)
xi = rng.integers(-5, 5, size=(6, 3)).astype(np.int32); yi = rng.integers(-5, 5, size=(6, 3)).astype(np.int64)
check("sim_integers", ["similarity", save("a.npy", xi), save("b.npy", yi)], xi, yi,
      lambda a, b: F.cosine_similarity(a, b, dim=-1), 1e-9, 1e-12)
xh = rng.normal(size=(8, 16)).astype(np.float16); yh = rng.normal(size=(8, 16)).astype(np.float16)
check("sim_float16", ["similarity", save("a.npy", xh), save("b.npy", yh)], xh, yh,
      lambda a, b: F.cosine_similarity(a, b, dim=-1), 2e-3, 2e-3)
xbig = (rng.normal(size=(4, 8)) * 1e20).astype(np.float32); ybig = (rng.normal(size=(4, 8)) * 1e20).astype(np.float32)
check("sim_1e20_float32", ["similarity", save("a.npy", xbig), save("b.npy", ybig)], xbig, ybig,
      lambda a, b: F.cosine_similarity(a, b, dim=-1), 1e-5, 1e-6, grads=False)

t = np.array([1, -1, 1, -1, -1, 1.0]); w = rng.uniform(0, 2, size=6)
x = rng.normal(size=(6, 5)); y = rng.normal(size=(6, 5))
for red in ["none", "sum", "mean"]:
    check(f"embedding_margin_{red}", ["loss", "--kind", "embedding", save("a.npy", x), save("b.npy", y), "--target", save("t.npy", t),
                                      "--margin", "0.1", "--reduction", red], x, y,
          lambda a, b, r=red: torch.nn.CosineEmbeddingLoss(margin=0.1, reduction=r)(a, b, torch.tensor(t)), 1e-9, 1e-12)
    lab = rng.uniform(0, 1, size=6)
    check(f"mse_{red}", ["loss", "--kind", "mse", save("a.npy", x), save("b.npy", y), "--target", save("l.npy", lab), "--reduction", red], x, y,
          lambda a, b, r=red, l=lab: getattr(torch, {"none": "clone", "sum": "sum", "mean": "mean"}[r])((F.cosine_similarity(a, b, dim=1) - torch.tensor(l)) ** 2), 1e-9, 1e-12)
    check(f"distance_weighted_{red}", ["loss", "--kind", "cosine-distance", save("a.npy", x), save("b.npy", y), "--sample-weight", save("w.npy", w), "--reduction", red], x, y,
          lambda a, b, r=red: getattr(torch, {"none": "clone", "sum": "sum", "mean": "mean"}[r])(torch.tensor(w) * (1 - F.cosine_similarity(a, b, dim=1))), 1e-9, 1e-12)


def keras_l2n(v, axis):
    return v / torch.clamp(torch.linalg.vector_norm(v, dim=axis, keepdim=True), min=1e-7)


check("keras_axis0_sum", ["loss", "--kind", "keras", save("a.npy", x3), save("b.npy", y3), "--axis", "0", "--reduction", "sum"], x3, y3,
      lambda a, b: -(keras_l2n(a, 0) * keras_l2n(b, 0)).sum(), 1e-9, 1e-12, grads=False)
check("normalize_axis1", ["normalize", save("a.npy", x3), "--axis", "1"], x3, x3,
      lambda a, b: F.normalize(a, dim=1), 1e-9, 1e-12, grads=False)
print(f"{passed} passed, {failed} failed")
sys.exit(0 if failed == 0 else 1)
