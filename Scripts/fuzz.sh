#!/usr/bin/env bash
# Fuzzes the .npy reader (NPY.decode) with libFuzzer and AddressSanitizer.
#
#   Scripts/fuzz.sh              # 60 seconds
#   Scripts/fuzz.sh 600          # 600 seconds
#   Scripts/fuzz.sh -runs=10000000
#   Scripts/fuzz.sh 300 -jobs=2 -workers=2     # further arguments go to libFuzzer
#
# Builds the NPYFuzz product in release mode with -sanitize=fuzzer,address into .build-fuzz
# (gitignored), then runs it on a working corpus in fuzz-out/corpus (gitignored; new inputs
# go there) seeded from the checked-in Fuzz/corpus/npy. Crashing inputs are written to
# fuzz-out/artifacts/. Reproduce one without libFuzzer with
#   swift run NPYFuzz fuzz-out/artifacts/crash-…
# and, once fixed, copy it into Fuzz/corpus/npy/ (the tests replay that directory).
#
# Environment: FUZZ_SANITIZERS (default "fuzzer,address"; "fuzzer" alone is about twice as fast);
# COSINE_FUZZ_PARSER=model fuzzes the model-file reader (cosine embed MODEL) instead, with the
# seed corpus Fuzz/corpus/model and the working corpus fuzz-out/model-corpus; COSINE_FUZZ_PARSER=index
# fuzzes the index-file reader (cosine search --index) with Fuzz/corpus/index and inputs up to 32 KiB.
set -euo pipefail

cd "$(dirname "$0")/.."

limit=(-max_total_time=60)
if [[ $# -gt 0 ]]; then
  case "$1" in
    ''|*[!0-9]*) limit=() ;;                 # a libFuzzer flag such as -runs=N: pass everything through
    *) limit=(-max_total_time="$1"); shift ;;
  esac
fi

sanitizers="${FUZZ_SANITIZERS:-fuzzer,address}"
swift build -c release --product NPYFuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize="$sanitizers" -Xswiftc -DNPY_LIBFUZZER -Xswiftc -enable-experimental-feature -Xswiftc Extern

max_len=4096
if [[ "${COSINE_FUZZ_PARSER:-npy}" == model ]]; then
  corpus=(fuzz-out/model-corpus Fuzz/corpus/model); dict=()
elif [[ "${COSINE_FUZZ_PARSER:-npy}" == index ]]; then
  corpus=(fuzz-out/index-corpus Fuzz/corpus/index); dict=(); max_len=32768
else
  corpus=(fuzz-out/corpus Fuzz/corpus/npy); dict=(-dict=Fuzz/npy.dict)
fi
mkdir -p "${corpus[0]}" fuzz-out/artifacts
binary="$(swift build -c release --product NPYFuzz --scratch-path .build-fuzz --show-bin-path)/NPYFuzz"

exec "$binary" "${corpus[@]}" "${dict[@]}" \
  -artifact_prefix=fuzz-out/artifacts/ \
  -max_len="$max_len" \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -print_final_stats=1 \
  "${limit[@]}" "$@"
