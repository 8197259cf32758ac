#!/usr/bin/env python3
"""Writes the tokenizer fixtures of the tests and their references from Hugging Face tokenizers.

Tests/CosineEncodersTests/Fixtures/tokenizers/<name>/ holds a small WordPiece vocabulary in one
configuration of BERT's normalizer (tokenizer.json, or vocab.txt + tokenizer_config.json as a
`transformers` BertTokenizer directory) and cases.json: texts (edge cases and seeded random
strings over every plane) with the ids the library gives them. The `minilm` model fixture gains a
tokenizer (vocabulary of its 128 ids) and text.json: texts, their ids and the float64 embeddings
of the torch model on those ids.

    python3 Scripts/make_tokenizer_fixtures.py
"""
import json
import os
import random
import shutil
import sys

import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import AutoTokenizer, BertConfig, BertModel

sys.path.insert(0, os.path.dirname(__file__))
from check_text_encoder import EDGE, random_texts  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "CosineEncodersTests", "Fixtures")
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = ["hello", "world", "the", "un", "##able", "##ing", "##s", "##ed", "cafe", "café", "naive", "naïve", "resume",
         "résumé", "strasse", "straße", "istanbul", "i̇stanbul", "Hello", "World", "The", "ÅÄÖ", "åäö", "ß", "ss",
         "中", "文", "数", "学", "漢", "字", "한", "국", "ᄒ", "ᅡ", "ᆫ", "ᄀ", "ᅮ", "ᆨ", "σ", "ς", "Σ", "ο", "δ", "υ", "ε",
         "##σ", "##ς", "##ο", "##δ", "##υ", "##ε", "e", "##́", "́", "🙂", "👍", "##🏽", "[", "]", "##x", "ﬁ", "fi", "ｆ",
         "１", "！", "…", "–", "—", "“", "”", "«", "»", "。", "、", "¿", "¡", "§", "€", "$", "##1", "##2", "super",
         "##cal", "##i", "##fr", "##ag", "##il", "##istic", "##ex", "##pi", "##ali", "##do", "##cious", "x", "##z"]


def vocabulary():
    chars = [chr(c) for c in range(0x21, 0x7F)]
    cont = ["##" + chr(c) for c in range(0x61, 0x7B)] + ["##" + chr(c) for c in range(0x30, 0x3A)]
    out = []
    for t in SPECIALS + chars + cont + WORDS:
        if t not in out:
            out.append(t)
    return out


def texts():
    t = list(EDGE) + ["[cls]x[CLS]y[MASK]", "Σίσυφος ΟΔΟΣ", "ﬁne ｆ１！", "supercalifragilisticexpialidocious"]
    return t + random_texts(160, seed=11)


def wordpiece_tokenizer(vocab, clean, chinese, strip, lower):
    tok = Tokenizer(models.WordPiece(vocab={t: i for i, t in enumerate(vocab)}, unk_token="[UNK]",
                                     max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(clean_text=clean, handle_chinese_chars=chinese, strip_accents=strip,
                                                lowercase=lower)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                       special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    tok.add_special_tokens(SPECIALS)
    return tok


CONFIGS = [
    # name, clean_text, handle_chinese_chars, strip_accents, lowercase
    ("uncased", True, True, None, True),
    ("cased", True, True, None, False),
    ("lowercase-keep-accents", True, True, False, True),
    ("strip-cased", False, False, True, False),
]


def main():
    vocab = vocabulary()
    base = os.path.join(ROOT, "tokenizers")
    shutil.rmtree(base, ignore_errors=True)
    cases = texts()
    for name, clean, chinese, strip, lower in CONFIGS:
        d = os.path.join(base, name)
        os.makedirs(d)
        tok = wordpiece_tokenizer(vocab, clean, chinese, strip, lower)
        tok.save(os.path.join(d, "tokenizer.json"))
        with open(os.path.join(d, "cases.json"), "w") as f:
            json.dump([{"text": t, "ids": tok.encode(t).ids} for t in cases], f, ensure_ascii=True)
    # A transformers BertTokenizer directory without tokenizer.json: vocab.txt + tokenizer_config.json.
    d = os.path.join(base, "vocab-only")
    os.makedirs(d)
    with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": False, "tokenize_chinese_chars": True, "strip_accents": None,
                   "tokenizer_class": "BertTokenizer", "model_max_length": 512}, f)
    ref = AutoTokenizer.from_pretrained(d)
    with open(os.path.join(d, "cases.json"), "w") as f:
        json.dump([{"text": t, "ids": ref(t)["input_ids"]} for t in cases], f, ensure_ascii=True)

    # The minilm model fixture: a tokenizer over its 128 ids and float64 embeddings of texts.
    small = (SPECIALS + [chr(c) for c in range(0x61, 0x7B)] + ["##" + chr(c) for c in range(0x61, 0x7B)]
             + [chr(c) for c in range(0x30, 0x3A)] + list(".,!?'-") + ["the", "##ing", "##s", "hello", "world"])
    small += [f"[unused{i}]" for i in range(128 - len(small))]
    d = os.path.join(ROOT, "minilm")
    wordpiece_tokenizer(small, True, True, None, True).save(os.path.join(d, "tokenizer.json"))
    tok = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
    with open(os.path.join(d, "config.json")) as f:
        conf = json.load(f)
    model = BertModel(BertConfig(**conf, attn_implementation="eager"), add_pooling_layer=False)
    state = {k: v.to(torch.float32) for k, v in load_file(os.path.join(d, "model.safetensors")).items()}
    model.load_state_dict(state, strict=False)
    model = model.double().eval()
    max_len = json.load(open(os.path.join(d, "sentence_bert_config.json")))["max_seq_length"]
    sample = ["Hello, world!", "the singing hellos", "", "ZZZ top 42", "a b c d e f g h i j k l m n o p",
              "naïve! it's well-known", "中文 text", "tabs\tand\nnewlines"]
    out = []
    with torch.no_grad():
        for t in sample:
            ids = tok.encode(t).ids
            ids = ids[:max_len - 1] + [ids[-1]] if len(ids) > max_len else ids
            x = torch.tensor([ids])
            states = model(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state[0]
            e = torch.nn.functional.normalize(states.mean(0), dim=0)
            out.append({"text": t, "ids": ids, "embedding": e.tolist()})
    with open(os.path.join(d, "text.json"), "w") as f:
        json.dump(out, f)
    print("wrote", base, "and", d)


if __name__ == "__main__":
    main()
