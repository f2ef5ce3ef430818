#!/usr/bin/env bash
# Builds the native kernel (vectory_kernel.c) into $1/io/vectory/core/compare/native/linux-x86_64/ for core's jar.
# Optional: without a C compiler, or off Linux x86-64, it says so and the engine uses its Java kernels (the same
# results; a fresh JVM first warms the Vector API kernel up, about 0.2-0.45 s).
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/vectory_kernel.c"
OUT="$1/io/vectory/core/compare/native/linux-x86_64"
rm -f "$OUT/libvectorykernel.so" # never a library from an earlier build of other sources
if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
  echo "vectory-core: no native kernel for $(uname -s) $(uname -m) (Linux x86-64 only): the Java kernels run" >&2
  exit 0
fi
CC="${CC:-cc}"
if ! command -v "$CC" >/dev/null; then
  echo "vectory-core: no C compiler ($CC): the native kernel is not built, the Java kernels run (install gcc to build it)" >&2
  exit 0
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# Strict IEEE arithmetic: no contraction of a*b+c into an fma the Java kernels do not do, no fast-math.
FLAGS=(-O2 -fPIC -ffp-contract=off -fno-fast-math -std=c11 -Wall -Wextra)
# A compiler that cannot build it (too old for these intrinsics, say) leaves the Java kernels, and says so.
if ! { "$CC" "${FLAGS[@]}" -mavx512f -mfma -c "$SRC" -o "$TMP/k48.o" \
    && "$CC" "${FLAGS[@]}" -mavx2 -mfma -c "$SRC" -o "$TMP/k16.o" \
    && "$CC" -shared -o "$TMP/libvectorykernel.so" "$TMP/k48.o" "$TMP/k16.o"; }; then
  echo "vectory-core: $CC could not build the native kernel (above): the Java kernels run" >&2
  exit 0
fi
mkdir -p "$OUT"
mv "$TMP/libvectorykernel.so" "$OUT/libvectorykernel.so"
