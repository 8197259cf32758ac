#!/usr/bin/env python3
"""Checks `cosine tokenize` and `cosine embed-text` against sentence-transformers on varied text.

Usage: python3 Scripts/check_text_encoder.py MODEL_DIR [cosine binary] [--texts N]

The texts: hand-written edge cases (accents, CJK, Hangul, emoji sequences, controls, zero-width
and format characters, combining marks, full-width forms, special tokens written in the text, a
10,000-character line), seeded random strings over every plane (unassigned and private-use
scalars included) and Debian package descriptions. Token ids must equal
`SentenceTransformer.tokenize` exactly; embeddings must be within 1e-5 of
`SentenceTransformer.encode` (float32, cosine >= 0.99999 per text).
"""
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

sys.path.insert(0, os.path.dirname(__file__))
from encoder_texts import debian_descriptions  # noqa: E402

EDGE = [
    "", " ", "a", "Hello, world!", "naïve café – Ünïcödé résumé", "ÅÄÖ åäö ØÆ øæ ß ẞ", "İstanbul ıi ǅ ǈ ǋ",
    "ΟΔΥΣΣΕΥΣ Σίσυφος", "数学 and 中文 mixed 漢字かなカナ", "한국어 텍스트 입니다", "Ελληνικά, русский, עברית, العربية",
    "हिन्दी ภาษาไทย ქართული ᎠᏂᏴᏫ", "emoji 🙂 text 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷 🥰 🫠", "zero\u200bwidth\u200cjoin\u200dner\u2060x\ufeffy",
    "soft\u00adhyphen and bidi \u202ereversed\u202c \u2066iso\u2069", "controls \x01\x02\x07\x1b[31m end\x7f\x9f",
    "replacement \ufffd char and nul \x00 here", "tabs\tand\x0bvertical\x0cform", "combining e\u0301 a\u0300\u0316 o\u0308\u0304",
    "stacked z\u0351\u0352\u0357\u035b\u0346\u033e\u0300a\u0315\u0315l\u0341g\u0343o", "Ｆｕｌｌ－ｗｉｄｔｈ　ＡＢＣ１２３！",
    "ligatures ﬁ ﬂ ﬃ and ⅸ ① ㎏ ™", "math 𝐀𝐁𝐂 𝔸 ∑∫√∞ ≤≥ ± ×÷", "quotes “double” ‘single’ «guillemets» „low“ 「括弧」",
    "dashes - – — ― and dots … · • ‧", "punct !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "numbers 3.14159 1,000,000 ½ ² ٣ ४",
    "[CLS] [SEP] [MASK] [PAD] [UNK] [cls] [SEP][SEP]x[MASK]y", "a[SEP]b", "UPPER lower MiXeD CamelCase snake_case",
    "url https://example.com/path?q=1&r=2#frag mail user@example.org", "x " * 300, "supercalifragilisticexpialidocious" * 4,
    "unassigned \U000e0080 \U0003fffe \U0010fffd private \ue000\uf8ff", "surrogate-free astral 𐍈 𓂀 𝄞 🀄",
    "line\u2028separator\u2029para \x85next", "ideographic space\u3000and nbsp\u00a0and thin\u2009space",
    "Vietnamese Tiếng Việt có dấu", "Ǆemal ǆ Ǳ", "Turkish DİYARBAKIR ıŞĞ", "a" * 101, "b" * 100, "é" * 150,
    "Deutsch: Straße, Maß, Fußgänger", "nested (((brackets))) and {braces} <angle>", "\u0301 leading combining mark",
]


def random_texts(count, seed=7):
    rng = random.Random(seed)
    blocks = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF),
              (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F), (0x2E80, 0x2FDF), (0x3000, 0x30FF),
              (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE00, 0xFE6F), (0xFF00, 0xFFEF),
              (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF), (0xE0000, 0xE007F), (0x0, 0x1F)]
    out = []
    for _ in range(count):
        chars = []
        for _ in range(rng.randint(1, 60)):
            if rng.random() < 0.15:
                cp = rng.randint(0, 0x10FFFF)
            else:
                lo, hi = rng.choice(blocks)
                cp = rng.randint(lo, hi)
            if 0xD800 <= cp < 0xE000:
                continue
            chars.append(chr(cp))
            if rng.random() < 0.2:
                chars.append(" ")
        out.append("".join(chars))
    return out


def texts(n):
    t = EDGE + random_texts(max(0, (n - len(EDGE)) // 2))
    t += debian_descriptions()[: max(0, n - len(t) - 1)]
    t.append(" ".join(debian_descriptions()[:200])[:10000])  # a 10,000-character line
    return t


def main():
    args = sys.argv[1:]
    count = 400
    if "--texts" in args:
        i = args.index("--texts")
        count = int(args[i + 1])
        del args[i:i + 2]
    model_dir = args[0]
    binary = args[1] if len(args) > 1 else ".build/release/cosine"
    torch.set_num_threads(os.cpu_count() or 1)
    st = SentenceTransformer(model_dir, device="cpu")
    all_texts = texts(count)
    # A .txt file holds texts without line breaks; the .jsonl holds them all.
    line_texts = [t for t in all_texts if "\n" not in t and "\r" not in t]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        txt, jsonl, out = (os.path.join(tmp, n) for n in ("texts.txt", "texts.jsonl", "e.npy"))
        with open(txt, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(line_texts) + "\n")
        with open(jsonl, "w", encoding="utf-8") as f:
            for t in all_texts:
                f.write(json.dumps({"text": t}) + "\n")
        for path, ts in ((txt, line_texts), (jsonl, all_texts)):
            got = subprocess.run([binary, "tokenize", "--model", model_dir, path], check=True, capture_output=True,
                                 text=True).stdout.splitlines()
            wrong = 0
            for i, t in enumerate(ts):
                f = st.tokenize([t])
                ref = f["input_ids"][0][f["attention_mask"][0].bool()].tolist()
                ours = json.loads(got[i]) if i < len(got) else None
                if ours != ref:
                    wrong += 1
                    if wrong <= 5:
                        print(f"  ids differ on text {i} {t[:60]!r}:\n    ours {ours[:40] if ours else ours}\n    ref  {ref[:40]}")
            print(f"tokenize {os.path.basename(path)}: {len(ts)} texts, {len(ts) - wrong} identical, {len(got)} lines out")
            failures += wrong + (len(got) != len(ts))
        subprocess.run([binary, "embed-text", "--model", model_dir, jsonl, "-o", out, "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
        ours = np.load(out)
    reference = st.encode(all_texts, batch_size=32, convert_to_numpy=True)
    cos = (ours * reference).sum(1) / np.maximum(np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1), 1e-30)
    diff = np.abs(ours - reference).max(1)
    worst = int(np.argmax(diff))
    print(f"embed-text: {len(all_texts)} texts, worst cosine {cos.min():.9f}, worst max|diff| {diff.max():.3e} "
          f"(text {worst})")
    ok = failures == 0 and ours.shape == reference.shape and cos.min() >= 0.99999 and diff.max() <= 1e-5
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
