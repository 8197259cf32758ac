#!/usr/bin/env bash
# The C kernels on arm64: cross-compiles Sources/CCosineKernels and the test driver
# Tests/arm64/kernel_check.c for aarch64-linux-gnu, runs it under qemu-aarch64, runs the same
# driver natively at every kernel level this CPU has, and compares the digests of every result.
#
#   Scripts/test-arm64.sh [--install]
#
# --install installs the Debian packages it needs when they are missing (apt-get, as root):
# qemu-user, libc6-dev-arm64-cross and the cross libgcc (crt files, libgcc). The compiler is the
# toolchain's clang; it links with ld.lld when there is one, otherwise with
# binutils-aarch64-linux-gnu's ld.
#
# What the driver checks: every kernel family against references it computes itself (see
# Tests/arm64/check.h). What the comparison checks: results the kernel headers promise bitwise
# equal on every instruction set (digest class B) must be bitwise equal on arm64 and at every
# x86-64 level too; the others (class T) only within their tolerance, which each run checked
# against the reference, so differing digests are listed, not failed.
#
# Prints `N passed, M failed` and exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

install=0
for arg in "$@"; do
  case "$arg" in
    --install) install=1 ;;
    *) echo "test-arm64.sh: unknown argument '$arg' (usage: Scripts/test-arm64.sh [--install])" >&2; exit 2 ;;
  esac
done

sysroot=/usr/aarch64-linux-gnu
clang_bin="$(command -v clang || true)"
[ -n "$clang_bin" ] || { echo "test-arm64.sh: no clang on PATH (the Swift toolchain's usr/bin has one)" >&2; exit 2; }

have_libgcc() { ls /usr/lib/gcc-cross/aarch64-linux-gnu/*/libgcc.a > /dev/null 2>&1; }
missing=()
command -v qemu-aarch64 > /dev/null || missing+=(qemu-user)
[ -f "$sysroot/include/stdio.h" ] || missing+=(libc6-dev-arm64-cross)
have_libgcc || missing+=(libgcc-dev-arm64-cross)
linker=(-fuse-ld=lld)
command -v ld.lld > /dev/null || [ -x "$(dirname "$clang_bin")/ld.lld" ] || {
  linker=()
  command -v aarch64-linux-gnu-ld > /dev/null || missing+=(binutils-aarch64-linux-gnu)
}
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$install" != 1 ]; then
    echo "test-arm64.sh: missing ${missing[*]}; run with --install, or apt-get install them" >&2
    exit 2
  fi
  packages=()
  for p in "${missing[@]}"; do
    if [ "$p" = libgcc-dev-arm64-cross ]; then
      # The cross libgcc is versioned with the distribution's GCC (libgcc-12-dev-arm64-cross on
      # Debian 12): the newest one apt knows.
      apt-get update -qq > /dev/null
      p="$(apt-cache search --names-only '^libgcc-[0-9]+-dev-arm64-cross$' | cut -d' ' -f1 | sort -V | tail -1)"
      [ -n "$p" ] || { echo "test-arm64.sh: apt has no libgcc-*-dev-arm64-cross" >&2; exit 2; }
    fi
    packages+=("$p")
  done
  echo "installing ${packages[*]}"
  apt-get update -qq > /dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" > /dev/null
fi

kernels=Sources/CCosineKernels
driver=Tests/arm64
out=.build/arm64-check
mkdir -p "$out/aarch64" "$out/host"

# The kernels with the flags SwiftPM gives C targets in release builds; an object is rebuilt when
# its source or any header of the kernels is newer.
cflags=(-O2 -DSWIFT_PACKAGE=1 -fPIC -I "$kernels/include")
compile_all() {  # $1 = aarch64 | host: objects in parallel (2 jobs), then the driver
  local arch="$1" target=() pids=()
  [ "$arch" = aarch64 ] && target=(--target=aarch64-linux-gnu)
  while read -r src; do
    obj="$out/$arch/$(echo "${src#"$kernels"/}" | tr / _).o"
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
       [ -n "$(find "$kernels" -name '*.h' -newer "$obj" -print -quit)" ]; then
      "$clang_bin" "${target[@]}" "${cflags[@]}" -c "$src" -o "$obj" &
      pids+=($!)
      if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
    fi
  done < <(find "$kernels" -name '*.c' | sort)
  for p in "${pids[@]}"; do wait "$p"; done
  local link=()
  [ "$arch" = aarch64 ] && link=("${linker[@]}")
  "$clang_bin" "${target[@]}" -O2 -std=c11 -Wall -Wextra -I "$kernels/include" \
    "$driver"/*.c "$out/$arch"/*.o "${link[@]}" -lm -o "$out/$arch/kernel_check"
}

echo "building the kernels and the driver for aarch64 and for the host"
compile_all aarch64
compile_all host
file "$out/aarch64/kernel_check" | grep -q "ARM aarch64" ||
  { echo "test-arm64.sh: the cross build is not an aarch64 executable" >&2; exit 1; }

status=0
echo "running: aarch64 under qemu"
qemu-aarch64 -L "$sysroot" "$out/aarch64/kernel_check" > "$out/aarch64.txt" || status=1
runs=("$out/aarch64.txt")
cpu_level="$("$out/host/kernel_check" --level 0 | sed -n 's/.*(cpu \([0-9]\)).*/\1/p' | head -1)"
for level in $(seq 0 "${cpu_level:-0}"); do
  echo "running: $(uname -m), kernel level $level"
  "$out/host/kernel_check" --level "$level" > "$out/host-$level.txt" || status=1
  runs+=("$out/host-$level.txt")
done

python3 - "${runs[@]}" <<'EOF' || status=1
import sys

def load(path):
    digests, passed, failed = {}, 0, 0
    for line in open(path):
        if line.startswith("digest "):
            _, cls, name, value = line.split()
            digests[name] = (cls, value)
        elif line.startswith("FAIL") or line.startswith("  "):
            print(f"{path}: {line.rstrip()}")
        elif line.startswith("kernel_check:"):
            words = line.split()
            passed, failed = int(words[1]), int(words[3])
    return digests, passed, failed

runs = [(path, *load(path)) for path in sys.argv[1:]]
passed = sum(r[2] for r in runs)
failed = sum(r[3] for r in runs)
for path, _, p, f in runs:
    print(f"{path}: {p} passed, {f} failed")
    if p == 0:
        print(f"{path}: the driver did not finish")
        failed += 1

arm, arm_digests = runs[0][0], runs[0][1]
for path, digests, _, _ in runs[1:]:
    common = sorted(set(arm_digests) & set(digests))
    same_b, same_t, diff_t = 0, 0, {}
    for name in common:
        cls, value = digests[name]
        equal = value == arm_digests[name][1]
        if cls == "B":
            if equal:
                same_b += 1
                passed += 1
            else:
                print(f"FAIL {name}: promised bitwise equal on every instruction set, differs "
                      f"between {arm} and {path}")
                failed += 1
        elif equal:
            same_t += 1
        else:
            family = name.split("/")[0]
            diff_t[family] = diff_t.get(family, 0) + 1
    differing = ", ".join(f"{f} {n}" for f, n in sorted(diff_t.items())) or "none"
    print(f"{arm} vs {path}: {same_b} results promised bitwise equal are equal; of those only "
          f"promised within a tolerance, {same_t} are bitwise equal and "
          f"{sum(diff_t.values())} differ within it ({differing}); "
          f"{len(set(digests) - set(arm_digests))} results exist only in {path}")

# The portable code is the same C on both architectures: the same results must exist on both.
host0 = runs[1][1] if len(runs) > 1 else {}
if set(host0) != set(arm_digests):
    print(f"FAIL the aarch64 run and the host's portable run produced different sets of results")
    failed += 1
else:
    passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
exit "$status"
