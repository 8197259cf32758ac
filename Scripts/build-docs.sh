#!/usr/bin/env bash
# Builds the DocC archive of the whole library as its users see it: one module, `CosineKit`.
#
# CosineKit is an umbrella that re-exports its layers (CosineCore, CosineLosses, CosineSearch,
# CosineTraining, CosineAnalysis), and a symbol graph holds one module's own declarations only.
# So this script extracts the layers' public symbol graphs, joins them into one graph named
# CosineKit (precise identifiers are unique across modules, so nothing collides), and converts the
# catalogue in Sources/CosineKit/Documentation.docc with it.
#
#   Scripts/build-docs.sh [--warnings-as-errors] [-o OUTPUT.doccarchive]
set -euo pipefail
cd "$(dirname "$0")/.."
out=".build/CosineKit.doccarchive"
flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --warnings-as-errors) flags+=(--warnings-as-errors) ;;
    -o) out="$2"; shift ;;
    *) echo "build-docs.sh: unknown argument '$1'" >&2; exit 64 ;;
  esac
  shift
done
graphs=".build/docs-symbolgraph"
rm -rf "$graphs" && mkdir -p "$graphs"
swift package dump-symbol-graph --minimum-access-level public > /dev/null
src=$(find .build -maxdepth 3 -type d -name symbolgraph -newer Package.swift | head -n 1)
[ -n "$src" ] || { echo "build-docs.sh: no symbol graphs were written" >&2; exit 1; }
python3 - "$src" "$graphs" <<'PY'
import json, sys, os
src, dst = sys.argv[1], sys.argv[2]
layers = ["CosineCore", "CosineLosses", "CosineSearch", "CosineTraining", "CosineAnalysis"]
merged, extensions = None, {}
for name in layers:
    with open(os.path.join(src, name + ".symbols.json")) as f:
        g = json.load(f)
    if merged is None:
        merged = g
        merged["module"]["name"] = "CosineKit"
    else:
        merged["symbols"] += g["symbols"]
        merged["relationships"] += g["relationships"]
    # Extensions of other modules' types (e.g. CosineCore@Swift): joined per extended module;
    # extensions of a layer by a higher layer are already part of the merged graph.
    for fn in os.listdir(src):
        if fn.startswith(name + "@") and fn.endswith(".symbols.json"):
            extended = fn[len(name) + 1 : -len(".symbols.json")]
            with open(os.path.join(src, fn)) as f:
                e = json.load(f)
            if extended in layers:
                merged["symbols"] += e["symbols"]
                merged["relationships"] += e["relationships"]
            elif extended in extensions:
                extensions[extended]["symbols"] += e["symbols"]
                extensions[extended]["relationships"] += e["relationships"]
            else:
                e["module"]["name"] = "CosineKit"
                extensions[extended] = e
with open(os.path.join(dst, "CosineKit.symbols.json"), "w") as f:
    json.dump(merged, f)
for extended, e in extensions.items():
    with open(os.path.join(dst, "CosineKit@" + extended + ".symbols.json"), "w") as f:
        json.dump(e, f)
PY
docc convert Sources/CosineKit/Documentation.docc --additional-symbol-graph-dir "$graphs" \
  --fallback-display-name CosineKit --fallback-bundle-identifier CosineKit \
  --output-path "$out" "${flags[@]}"

# CosineEncoders is a product of its own (not re-exported by CosineKit): its own archive.
encoders=".build/docs-symbolgraph-encoders"
rm -rf "$encoders" && mkdir -p "$encoders"
cp "$src"/CosineEncoders.symbols.json "$src"/CosineEncoders@*.symbols.json "$encoders"/ 2>/dev/null || true
docc convert Sources/CosineEncoders/Documentation.docc --additional-symbol-graph-dir "$encoders" \
  --fallback-display-name CosineEncoders --fallback-bundle-identifier CosineEncoders \
  --output-path "${out%CosineKit.doccarchive}CosineEncoders.doccarchive" "${flags[@]}"
