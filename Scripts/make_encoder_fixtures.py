#!/usr/bin/env python3
"""Writes tiny random BERT sentence-encoder directories and their float64 references.

Each fixture mirrors one model family's shape choices (activation, eps, pooling, normalize) at a
tiny size. References come from running the same torch model in float64 on fixed padded batches:
final token states, pooled and normalized embeddings, saved as JSON next to the model.
"""
import json
import os
import shutil

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertModel

ROOT = os.path.join(os.path.dirname(__file__), "..", "Tests", "CosineEncodersTests", "Fixtures")

FIXTURES = [
    # name, act, eps, pooling modes, normalize, dtype, prefix, with modules.json
    ("minilm", "gelu", 1e-12, ["mean"], True, "F32", False, True),
    ("bge", "gelu", 1e-12, ["cls"], True, "F16", False, True),
    ("e5", "gelu_new", 1e-12, ["mean"], True, "BF16", True, True),
    ("gte", "gelu", 1e-12, ["mean"], False, "F32", False, True),
    ("multi", "relu", 1e-5, ["cls", "max", "mean", "mean_sqrt_len_tokens", "weightedmean", "lasttoken"], False, "F32", False, True),
    ("plain", "gelu_pytorch_tanh", 1e-7, ["mean"], False, "F32", False, False),
]

IDS = [[2, 17, 33, 91, 5, 3, 0, 0], [2, 120, 3, 0, 0, 0, 0, 0], [2, 7, 8, 9, 10, 11, 12, 3]]


def main():
    for i, (name, act, eps, modes, normalize, dtype, prefix, modules) in enumerate(FIXTURES):
        torch.manual_seed(1000 + i)
        cfg = BertConfig(vocab_size=128, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                         intermediate_size=64, hidden_act=act, layer_norm_eps=eps, max_position_embeddings=16,
                         type_vocab_size=2, attn_implementation="eager")
        model = BertModel(cfg, add_pooling_layer=False).eval()
        with torch.no_grad():
            for p in model.parameters():  # larger spread than the default init, to exercise every path
                p.add_(torch.randn_like(p) * 0.05)
        d = os.path.join(ROOT, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        conf = cfg.to_dict()
        conf["model_type"] = "bert"
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump({k: conf[k] for k in ["model_type", "vocab_size", "hidden_size", "num_hidden_layers",
                                             "num_attention_heads", "intermediate_size", "hidden_act",
                                             "layer_norm_eps", "max_position_embeddings", "type_vocab_size"]},
                      f, indent=1)
        tdt = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}[dtype]
        state = {(("bert." if prefix else "") + k): v.to(tdt).contiguous() for k, v in model.state_dict().items()
                 if "position_ids" not in k}
        save_file(state, os.path.join(d, "model.safetensors"))
        # The reference runs the stored (rounded) weights in float64.
        model.load_state_dict({k.removeprefix("bert."): v.to(torch.float32) for k, v in state.items()}, strict=False)
        model = model.double()
        if modules:
            mods = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
            if normalize:
                mods.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
                os.makedirs(os.path.join(d, "2_Normalize"))
            with open(os.path.join(d, "modules.json"), "w") as f:
                json.dump(mods, f, indent=1)
            os.makedirs(os.path.join(d, "1_Pooling"))
            with open(os.path.join(d, "1_Pooling", "config.json"), "w") as f:
                json.dump({"embedding_dimension": 32, "pooling_mode": modes[0] if len(modes) == 1 else modes,
                           "include_prompt": True}, f)
            with open(os.path.join(d, "sentence_bert_config.json"), "w") as f:
                json.dump({"max_seq_length": 12, "do_lower_case": False}, f)
        ids = torch.tensor(IDS)
        mask = (ids != 0).long()
        with torch.no_grad():
            states = model(input_ids=ids, attention_mask=mask).last_hidden_state
        pooled = reference_pool(states, mask, modes)
        normalized = torch.nn.functional.normalize(pooled, dim=-1) if normalize else pooled
        ref = {"ids": IDS, "mask": mask.tolist(), "states": states.flatten().tolist(),
               "pooled": pooled.flatten().tolist(), "embeddings": normalized.flatten().tolist()}
        with open(os.path.join(d, "reference.json"), "w") as f:
            json.dump(ref, f)
        check_against_sentence_transformers(d, ids, mask, normalized, modules)


def reference_pool(states, mask, modes):
    """Pooling through sentence-transformers' own module, in float64."""
    from sentence_transformers.models import Pooling
    pool = Pooling(states.shape[-1], pooling_mode=modes[0] if len(modes) == 1 else tuple(modes))
    out = pool({"token_embeddings": states, "attention_mask": mask})
    return out["sentence_embedding"]


def check_against_sentence_transformers(d, ids, mask, expected, modules):
    """The directory loads in sentence-transformers and agrees with the float64 reference (float32)."""
    from sentence_transformers import SentenceTransformer
    if not modules:
        return
    st = SentenceTransformer(d, device="cpu").float()
    with torch.no_grad():
        got = st({"input_ids": ids, "attention_mask": mask, "token_type_ids": torch.zeros_like(ids)})
    err = (got["sentence_embedding"].double() - expected).abs().max().item()
    assert err < 1e-4, (d, err)


if __name__ == "__main__":
    main()
