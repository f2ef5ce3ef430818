#!/usr/bin/env bash
# The compare engine against its peers, on the same data, in one run:
#   vectory (exact; the engine in a fresh JVM: first run = JIT-cold, then one warm run)
#   FAISS exact (Debian python3-faiss: IndexFlatIP on L2-normalised vectors, k+1 search, self dropped, 2 threads)
#   pynndescent (Debian python3-pynndescent: approximate, the method Vectory used)
# on a seeded synthetic 20,000 x 512 pair and on a real pair (all-MiniLM-L6-v2 vs its quantised twin over all
# 1,307 fortunes). Prints each wall time, the ratios, and whether vectory's mean Jaccard agrees with FAISS's.
# Usage: bench/compare.sh [N D]     (default 20000 512)
# Numbers are wall-clock on whatever else the machine is doing; all three run back to back on the same data.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bin/java-env.sh"
export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$JAVA")")}"
N="${1:-20000}"
D="${2:-512}"
K=10
THREADS=2
PY=/usr/bin/python3
OUT="$ROOT/bench/compare/target"
mkdir -p "$OUT"
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set for this CPU elsewhere; NumPy and FAISS run without them here
# (only in their own commands), so OpenBLAS picks its kernels itself.
pyenv() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"; }

CORE_JAR="$ROOT/core/target/vectory-core-0.1.0-SNAPSHOT.jar"
if [ ! -f "$CORE_JAR" ] || [ -n "$(find "$ROOT/core/src/main" -newer "$CORE_JAR" -type f -print -quit)" ]; then
  echo "building core ..." >&2
  (cd "$ROOT" && mvn -q -B -pl core package -DskipTests) >&2
fi

SYN_A="$OUT/synthetic-$N-$D-a.npy"
if [ ! -f "$SYN_A" ]; then
  pyenv "$PY" "$ROOT/bench/compare/make_synthetic.py" "$N" "$D" 7 "$OUT" 
  mv "$OUT/synthetic-a.npy" "$SYN_A"
  mv "$OUT/synthetic-b.npy" "$OUT/synthetic-$N-$D-b.npy"
fi
REAL="$OUT/real-1307"
if [ ! -f "$REAL/minilm-q.npy" ]; then
  echo "embedding the 1,307 fortunes with both models (in-process ONNX) ..." >&2
  (cd "$ROOT/bench/compare/realpair" && mvn -q -B compile exec:java -Dexec.args="1307 $REAL") >&2
fi

vectory() { # A B -> "first warm mean"
  "$JAVA" -Xmx8g --add-modules jdk.incubator.vector -cp "$CORE_JAR" "$ROOT/bench/compare/CompareBench.java" "$1" "$2" "$K" 2 2>/dev/null \
    | awk '{for(i=1;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}; s[v["run"]]=v["seconds"]; m=v["mean_jaccard"]} END {print s[1], s[2], m}'
}
kv() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1==k {print $2}'; }

printf "%-28s %8s %8s %8s %8s %10s %10s  %s\n" "pair (k=$K, cosine, no self)" "vectory" "warm" "faiss" "pynnd" "vec/faiss" "vec/pynnd" "mean Jaccard: vectory | faiss | pynndescent"
for pair in "synthetic ${N}x${D}|$SYN_A|$OUT/synthetic-$N-$D-b.npy" "real MiniLM 1307x384|$REAL/minilm.npy|$REAL/minilm-q.npy"; do
  IFS='|' read -r name A B <<<"$pair"
  read -r vfirst vwarm vmean <<<"$(vectory "$A" "$B")"
  peers="$(pyenv "$PY" "$ROOT/bench/compare/peers.py" "$A" "$B" "$K" "$THREADS" both 2>/dev/null | tr '\n' ' ')"
  fs="$(kv "$peers" faiss_seconds)"; fm="$(kv "$peers" faiss_mean_jaccard)"
  ps="$(kv "$peers" pynndescent_seconds)"; pm="$(kv "$peers" pynndescent_mean_jaccard)"
  rf="$(awk -v a="$vfirst" -v b="$fs" 'BEGIN{printf "%.2f", a/b}')"
  rp="$(awk -v a="$vfirst" -v b="$ps" 'BEGIN{printf "%.2f", a/b}')"
  agree="$(awk -v a="$vmean" -v b="$fm" 'BEGIN{d=a-b; if(d<0)d=-d; printf "%s (|diff| %.1e)", (d<=1e-4?"agree":"DISAGREE"), d}')"
  printf "%-28s %7ss %7ss %7ss %7ss %10s %10s  %s | %s | %s  vectory vs faiss: %s\n" "$name" "$vfirst" "$vwarm" "$fs" "$ps" "$rf" "$rp" "$vmean" "$fm" "$pm" "$agree"
done
echo "vectory = exact k-NN in both spaces + Jaccard + histogram + linear CKA (first run in a fresh JVM, JIT cold; 'warm' = second run);"
echo "faiss = exact k-NN in both spaces (IndexFlatIP, normalised, k+1, $THREADS threads); pynndescent = approximate k-NN in both spaces."
echo "Ratios use vectory's first (cold) run. Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)."
