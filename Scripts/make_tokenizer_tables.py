#!/usr/bin/env python3
"""Writes Sources/CosineEncoders/Tokenizer/UnicodeTables.swift: the character classes of BERT's
normalizer and pre-tokenizer, read off the Hugging Face `tokenizers` library scalar by scalar.

The classes are those of the library's own Unicode tables (which differ from the Unicode version
of the Swift runtime in places: unassigned scalars, newer emoji, a few punctuation marks), so the
Swift tokenizer gives the same ids whatever platform runs it. Every scalar except the surrogates
is probed; the script checks that the tables reproduce the library on every one before writing.

    pip install tokenizers && python3 Scripts/make_tokenizer_tables.py
"""
import os
import tokenizers
from tokenizers import normalizers, pre_tokenizers

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "CosineEncoders", "Tokenizer",
                   "UnicodeTables.swift")
BN = normalizers.BertNormalizer
CLEAN = BN(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
CHINESE = BN(clean_text=False, handle_chinese_chars=True, strip_accents=False, lowercase=False)
STRIP = BN(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
LOWER = BN(clean_text=False, handle_chinese_chars=False, strip_accents=False, lowercase=True)
NFD = normalizers.NFD()
PRE = pre_tokenizers.BertPreTokenizer()
HANGUL = range(0xAC00, 0xD7A4)


def scalars():
    return (cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000)


def hangul_nfd(cp):
    s = cp - 0xAC00
    out = [0x1100 + s // 588, 0x1161 + (s % 588) // 28]
    if s % 28:
        out.append(0x11A7 + s % 28)
    return "".join(map(chr, out))


def ranges(members):
    out = []
    for cp in sorted(members):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def main():
    removed, spaces, chinese, marks, pre_space, pre_punct = set(), set(), set(), set(), set(), set()
    nfd, lower = {}, {}
    for cp in scalars():
        c = chr(cp)
        r = CLEAN.normalize_str(c)
        if r == "":
            removed.add(cp)
        elif r == " " and c != " ":
            spaces.add(cp)
        elif r != c:
            raise SystemExit(f"clean_text maps U+{cp:04X} to {r!r}")
        r = CHINESE.normalize_str(c)
        if r == f" {c} ":
            chinese.add(cp)
        elif r != c:
            raise SystemExit(f"handle_chinese_chars maps U+{cp:04X} to {r!r}")
        d = NFD.normalize_str(c)
        if d != c:
            if cp in HANGUL:
                assert d == hangul_nfd(cp), hex(cp)
            else:
                nfd[cp] = d
        elif STRIP.normalize_str(c) == "":
            marks.add(cp)
        r = LOWER.normalize_str(c)
        if r != c:
            lower[cp] = r
        p = [piece for piece, _ in PRE.pre_tokenize_str("a" + c + "b")]
        if p == ["a", "b"]:
            pre_space.add(cp)
        elif p == ["a", c, "b"]:
            pre_punct.add(cp)
        elif p != ["a" + c + "b"]:
            raise SystemExit(f"the pre-tokenizer splits a U+{cp:04X} b as {p}")
    # The strip-accents step is NFD followed by dropping the marks: check that on every scalar.
    for cp in scalars():
        c = chr(cp)
        d = hangul_nfd(cp) if cp in HANGUL else nfd.get(cp, c)
        expected = "".join(x for x in d if ord(x) not in marks)
        if STRIP.normalize_str(c) != expected:
            raise SystemExit(f"strip_accents of U+{cp:04X} is not NFD without marks")

    def range_table(name, doc, members):
        flat = ", ".join(f"0x{a:X}, 0x{b:X}" for a, b in ranges(members))
        return f"  /// {doc}\n  static let {name}: [UInt32] = [{flat}]\n"

    def map_table(name, doc, mapping):
        items = []
        for cp in sorted(mapping):
            target = [ord(x) for x in mapping[cp]]
            items.append(", ".join([f"0x{cp:X}", str(len(target))] + [f"0x{t:X}" for t in target]))
        return f"  /// {doc}\n  static let {name}: [UInt32] = [{', '.join(items)}]\n"

    body = [
        range_table("removedByCleaning", "Scalars `clean_text` deletes (controls, format characters, U+0000, U+FFFD).",
                    removed),
        range_table("whitespaceForCleaning", "Scalars `clean_text` turns into a space.", spaces),
        range_table("chinese", "Scalars `handle_chinese_chars` surrounds with spaces (the CJK ideograph blocks).",
                    chinese),
        range_table("nonspacingMarks", "Scalars `strip_accents` deletes after the decomposition.", marks),
        range_table("splitWhitespace", "Scalars the pre-tokenizer splits on and drops.", pre_space),
        range_table("punctuation", "Scalars the pre-tokenizer splits off as words of their own.", pre_punct),
        map_table("decompositions",
                  "Canonical decompositions (NFD), Hangul syllables aside: `[scalar, n, n scalars]` entries.", nfd),
        map_table("lowercase", "Lowercase mappings that change the scalar: `[scalar, n, n scalars]` entries.", lower),
    ]
    with open(OUT, "w") as f:
        f.write("// Generated by Scripts/make_tokenizer_tables.py from tokenizers "
                f"{tokenizers.__version__}: do not edit.\n")
        f.write("// swift-format-ignore-file\n\n")
        f.write("/// The character classes of BERT's normalizer and pre-tokenizer, as Hugging Face `tokenizers`\n")
        f.write("/// defines them. Range tables are sorted `[first, last]` pairs (inclusive).\n")
        f.write("enum UnicodeTables {\n")
        f.write("\n".join(body))
        f.write("}\n")
    print(f"wrote {OUT}: {len(removed)} removed, {len(spaces)} spaces, {len(chinese)} CJK, {len(marks)} marks, "
          f"{len(pre_space)} split, {len(pre_punct)} punctuation, {len(nfd)} decompositions, {len(lower)} lowercase")


if __name__ == "__main__":
    main()
