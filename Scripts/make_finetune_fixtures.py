#!/usr/bin/env python3
"""Writes the fine-tuning references of the tiny fixture models: PyTorch autograd in float64 and
one AdamW step in float32, as sentence-transformers' training computes them.

For each case (fixture model, loss, token-id columns): the loss in float64 and, per trainable
tensor, the gradient's L2 norm and its values at a few seeded positions; then, from the same
float32 weights, the loss, the global gradient norm and the values at those positions after
clip_grad_norm_(1.0) and one torch.optim.AdamW step (lr 1e-3, weight decay 0.01 except biases
and LayerNorm weights). Dropout is 0, so the step is deterministic.
Output: Tests/CosineEncodersTests/Fixtures/finetune/<case>.json.
"""
import json
import os

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from transformers import BertConfig, BertModel

ROOT = os.path.join(os.path.dirname(__file__), "..", "Tests", "CosineEncodersTests", "Fixtures")
ANCHORS = [[2, 17, 33, 91, 5, 3], [2, 120, 3], [2, 7, 8, 9, 10, 11, 12, 3], [2, 44, 45, 3]]
POSITIVES = [[2, 18, 33, 90, 3], [2, 121, 122, 3], [2, 7, 8, 9, 3], [2, 60, 61, 62, 63, 3]]
NEGATIVES = [[2, 100, 101, 3], [2, 5, 6, 3], [2, 70, 71, 72, 3], [2, 30, 3]]
SCORES = [0.9, 0.1, 0.5, 0.7]
CASES = [
    # name, fixture, loss, columns
    ("minilm-mnrl", "minilm", "mnrl", [ANCHORS, POSITIVES]),
    ("minilm-mnrl-negatives", "minilm", "mnrl", [ANCHORS, POSITIVES, NEGATIVES]),
    ("multi-cosent", "multi", "cosent", [ANCHORS, POSITIVES]),
    ("e5-mnrl", "e5", "mnrl", [ANCHORS, POSITIVES]),
]


def pool(states, mask, modes):
    out = []
    for mode in modes:
        m = mask.unsqueeze(-1).to(states.dtype)
        if mode == "cls":
            out.append(states[:, 0])
        elif mode == "max":
            out.append(torch.max(states.masked_fill(m == 0, -1e9), 1)[0])
        elif mode in ("mean", "mean_sqrt_len_tokens"):
            s = (states * m).sum(1)
            n = torch.clamp(m.sum(1), min=1e-9)
            out.append(s / n if mode == "mean" else s / torch.sqrt(n))
        elif mode == "weightedmean":
            w = torch.arange(1, states.shape[1] + 1, dtype=states.dtype).view(1, -1, 1) * m
            out.append((states * w).sum(1) / torch.clamp(w.sum(1), min=1e-9))
        elif mode == "lasttoken":
            last = mask.sum(1) - 1
            out.append(states[torch.arange(states.shape[0]), last])
    return torch.cat(out, 1)


def embed(model, columns, modes, normalize, dtype):
    texts = [s for column in columns for s in column]
    length = max(len(s) for s in texts)
    ids = torch.tensor([s + [0] * (length - len(s)) for s in texts])
    mask = (ids != 0).long()
    states = model(input_ids=ids, attention_mask=mask).last_hidden_state
    e = pool(states, mask, modes)
    if normalize:
        e = F.normalize(e, dim=-1)
    b = len(columns[0])
    return [e[i * b:(i + 1) * b] for i in range(len(columns))]


def loss_of(kind, parts, dtype):
    if kind == "mnrl":  # sentence-transformers' MultipleNegativesRankingLoss, scale 20
        a, rest = parts[0], torch.cat(parts[1:])
        scores = F.normalize(a, dim=-1) @ F.normalize(rest, dim=-1).T * 20
        return F.cross_entropy(scores, torch.arange(len(a)))
    # CoSENTLoss, scale 20
    a, b = parts
    scores = F.cosine_similarity(a, b) * 20
    scores = scores[:, None] - scores[None, :]
    labels = torch.tensor(SCORES, dtype=dtype)
    labels = (labels[:, None] < labels[None, :]).to(dtype)
    scores = scores - (1 - labels) * 1e12
    return torch.logsumexp(torch.cat((torch.zeros(1, dtype=dtype), scores.view(-1))), dim=0)


def load(fixture, dtype):
    d = os.path.join(ROOT, fixture)
    conf = json.load(open(os.path.join(d, "config.json")))
    cfg = BertConfig(**{k: v for k, v in conf.items() if k != "model_type"}, hidden_dropout_prob=0.0,
                     attention_probs_dropout_prob=0.0, attn_implementation="eager")
    model = BertModel(cfg, add_pooling_layer=False)
    state = {k.removeprefix("bert."): v.to(torch.float32) for k, v in load_file(os.path.join(d, "model.safetensors")).items()}
    model.load_state_dict(state, strict=False)
    model = model.to(dtype).train()
    modes, normalize = ["mean"], False
    if os.path.exists(os.path.join(d, "modules.json")):
        mods = json.load(open(os.path.join(d, "modules.json")))
        normalize = any(m["type"].endswith("Normalize") for m in mods)
        pc = json.load(open(os.path.join(d, "1_Pooling", "config.json")))
        modes = pc["pooling_mode"] if isinstance(pc["pooling_mode"], list) else [pc["pooling_mode"]]
    return model, modes, normalize


def main():
    out_dir = os.path.join(ROOT, "finetune")
    os.makedirs(out_dir, exist_ok=True)
    for name, fixture, kind, columns in CASES:
        model, modes, normalize = load(fixture, torch.float64)
        loss = loss_of(kind, embed(model, columns, modes, normalize, torch.float64), torch.float64)
        loss.backward()
        g = torch.Generator().manual_seed(7)
        tensors = {}
        for pname, p in model.named_parameters():
            idx = torch.randint(0, p.numel(), (6,), generator=g).tolist()
            tensors[pname] = {"shape": list(p.shape), "indices": idx, "grad_norm": p.grad.norm().item(),
                              "grad": [p.grad.flatten()[i].item() for i in idx]}
        # One float32 step, as the trainer takes it.
        model32, _, _ = load(fixture, torch.float32)
        loss32 = loss_of(kind, embed(model32, columns, modes, normalize, torch.float32), torch.float32)
        loss32.backward()
        norm = torch.nn.utils.clip_grad_norm_(model32.parameters(), 1.0).item()
        decay = [p for n, p in model32.named_parameters() if not (n.endswith("bias") or "LayerNorm.weight" in n)]
        rest = [p for n, p in model32.named_parameters() if n.endswith("bias") or "LayerNorm.weight" in n]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}], lr=1e-3)
        opt.step()
        for pname, p in model32.named_parameters():
            t = tensors[pname]
            t["updated"] = [p.detach().flatten()[i].item() for i in t["indices"]]
        ref = {"fixture": fixture, "loss": kind, "columns": columns, "scores": SCORES if kind == "cosent" else None,
               "value": loss.item(), "value_f32": loss32.item(), "grad_norm_f32": norm, "learning_rate": 1e-3,
               "tensors": tensors}
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(ref, f, indent=0)
        print(name, loss.item(), norm)


if __name__ == "__main__":
    main()
