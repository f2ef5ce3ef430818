#!/usr/bin/env bash
# vectory compare against FAISS exact on the same data, in one run, as a user sees them: process wall times
# (vectory: ./vectory compare, JVM start, load and AOT cache included; FAISS: the whole python3 script, start, import
# and load included), their ratio, the load average at start and the engine's GFLOP/s against the machine's peak.
# Pairs: the real pair (6,817 fortunes embedded by two sentence models, bench/compare/realpair), synthetic
# 20,000 x 512 and clustered 50,000 x 512.
# A ratio is quoted only when the 1-minute load average at start is at most 1.5 (FAISS's OpenMP collapses under load).
# Usage: [REPS=3] bench/compare.sh   (one command; about 10-15 minutes on a quiet 2-core machine, plus a minute to make
#                                    the real pair the first time)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bin/java-env.sh"
K=10
REPS="${REPS:-3}" # runs of each side per pair; the medians are compared
PY=/usr/bin/python3
OUT="$ROOT/bench/compare/target"
mkdir -p "$OUT"
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set for this CPU elsewhere: unset for the FAISS/NumPy peer only.
pyenv() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"; }
"$PY" -c 'import faiss, numpy' 2>/dev/null || { echo "needs Debian python3-faiss and python3-numpy: apt-get install -y python3-faiss python3-numpy" >&2; exit 1; }

# Peak: cores x clock x 2 FMA pipes x lanes x 2 flops. Lanes: 16 with AVX-512 (8 on AMD family 25, Zen 4, which
# splits 512-bit FMAs), else 8 (AVX2). The clock is lscpu's max MHz, else /proc/cpuinfo's.
CORES="$(nproc)"
MHZ="$(lscpu | awk -F: '/CPU max MHz/ {gsub(/ /,"",$2); print $2}')"
[ -n "$MHZ" ] || MHZ="$(awk -F: '/cpu MHz/ {gsub(/ /,"",$2); print $2; exit}' /proc/cpuinfo)"
FAMILY="$(awk -F: '/cpu family/ {gsub(/ /,"",$2); print $2; exit}' /proc/cpuinfo)"
LANES=8
grep -qw avx512f /proc/cpuinfo && [ "$FAMILY" != 25 ] && LANES=16
PEAK="$(awk -v c="$CORES" -v m="$MHZ" -v l="$LANES" 'BEGIN{printf "%.0f", c*m*1e-3*2*l*2}')"

# Data (cached): synthetic pairs from make_synthetic.py, the real pair from realpair/ (two in-process models).
synthetic() { # N D -> "A B"
  local a="$OUT/synthetic-$1-$2-a.npy" b="$OUT/synthetic-$1-$2-b.npy"
  if [ ! -f "$a" ]; then
    pyenv "$PY" "$ROOT/bench/compare/make_synthetic.py" "$1" "$2" 7 "$OUT" >&2
    mv "$OUT/synthetic-a.npy" "$a"; mv "$OUT/synthetic-b.npy" "$b"
  fi
  echo "$a $b"
}
# The real pair: 6,817 fortunes (the size of the issue's two-sentence-model pair) from Debian's fortunes package,
# embedded by all-MiniLM-L6-v2 and its quantised twin. About a minute the first time, cached after.
REAL_ROWS=6817
REAL="$OUT/real-$REAL_ROWS"
FORTUNES=/usr/share/games/fortunes
if [ ! -f "$REAL/minilm-q.npy" ]; then
  if [ ! -f "$FORTUNES/people" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing Debian's fortunes package (the real pair's texts) ..." >&2
      apt-get install -y -qq --no-install-recommends fortunes >/dev/null \
        || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends fortunes >/dev/null; }
    fi
    [ -f "$FORTUNES/people" ] || { echo "needs Debian's fortunes package for the real pair: apt-get install -y fortunes" >&2; exit 1; }
  fi
  mkdir -p "$REAL"
  "$PY" "$ROOT/bench/compare/fortunes_corpus.py" "$FORTUNES" "$REAL_ROWS" "$REAL/corpus.csv" >&2
  echo "embedding $REAL_ROWS fortunes with both models (in-process ONNX, about a minute) ..." >&2
  (cd "$ROOT/bench/compare/realpair" && mvn -q -B compile exec:java -Dexec.args="$REAL_ROWS $REAL $REAL/corpus.csv") >&2
fi
# Build the CLI and record its AOT cache before timing (the first run after a build records it).
"$ROOT/vectory" --help >/dev/null 2>&1 || true
"$ROOT/vectory" compare "$REAL/minilm.npy" "$REAL/minilm-q.npy" >/dev/null 2>&1 || true

now() { date +%s.%N; }
printf "%-34s %6s %10s %10s %8s %10s %s\n" "pair (k=$K, cosine, no self)" "load" "vectory s" "faiss s" "ratio" "GFLOP/s" "mean Jaccard vectory | faiss"
echo "(wall times: the median of $REPS runs of each, alternating; load: the 1-minute average before the pair's first run)"
# The 1-minute load average still carries the previous pair's run: wait (up to 3 minutes) for it to fall to 1.0
# before a pair, so each pair starts on a quiet machine when the machine itself is quiet.
await_quiet() {
  local waited=0
  while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN{exit !(l > 1.0)}' && [ "$waited" -lt 180 ]; do
    [ $((waited % 30)) -eq 0 ] && echo "bench: load average $(cut -d' ' -f1 /proc/loadavg); waiting for 1.0 before the next pair ..." >&2
    sleep 5; waited=$((waited + 5))
  done
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
run_pair() { # NAME A B
  local name="$1" a="$2" b="$3" load t0 t1 vs fs vm fm shape n d r vruns="" fruns=""
  await_quiet
  load="$(cut -d' ' -f1 /proc/loadavg)"
  # REPS runs of each, alternating, so a passing disturbance hits both; the medians are compared.
  for r in $(seq "$REPS"); do
    t0="$(now)"; vm="$("$ROOT/vectory" compare --json "$a" "$b" 2>/dev/null | "$PY" -c 'import json,sys; print("%.6f" % json.load(sys.stdin)["mean_jaccard"])' 2>/dev/null || echo "?")"; t1="$(now)"
    vruns="$vruns $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')"
    t0="$(now)"; fm="$(pyenv "$PY" "$ROOT/bench/compare/peers.py" "$a" "$b" "$K" "$CORES" faiss 2>/dev/null | sed -n 's/.*faiss_mean_jaccard=//p')"; t1="$(now)"
    fruns="$fruns $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')"
  done
  vs="$(tr ' ' '\n' <<<"$vruns" | grep . | median)"
  fs="$(tr ' ' '\n' <<<"$fruns" | grep . | median)"
  shape="$("$PY" -c 'import numpy,sys; s=numpy.load(sys.argv[1],mmap_mode="r").shape; print(s[0], s[1])' "$a")"
  read -r n d <<<"$shape"
  # Useful flops: both spaces' products, the symmetric half counted once (2·n²·d), over vectory's process wall.
  local gf; gf="$(awk -v n="$n" -v d="$d" -v s="$vs" -v p="$PEAK" 'BEGIN{g=2*n*n*d/s/1e9; printf "%.0f (%.0f%%)", g, 100*g/p}')"
  local ratio; ratio="$(awk -v l="$load" -v a="$vs" -v b="$fs" 'BEGIN{ if (l > 1.5) print "n/a"; else printf "%.2f", a/b}')"
  printf "%-34s %6s %10s %10s %8s %10s %s | %s\n" "$name" "$load" "$vs" "$fs" "$ratio" "$gf" "$vm" "$fm"
  echo "  runs: vectory$vruns; faiss$fruns"
  awk -v l="$load" 'BEGIN{ if (l > 1.5) print "  (load average " l " > 1.5 at start: no ratio quoted; FAISS OpenMP collapses under load)"}'
}
run_pair "real $(( $(wc -l < "$REAL/ids.txt") )) x 384 (MiniLM vs MiniLM-q)" "$REAL/minilm.npy" "$REAL/minilm-q.npy"
read -r A B <<<"$(synthetic 20000 512)"; run_pair "synthetic 20000 x 512" "$A" "$B"
read -r A B <<<"$(synthetic 50000 512)"; run_pair "clustered 50000 x 512" "$A" "$B"
echo "vectory = ./vectory compare (exact k-NN in both spaces, Jaccard, histogram, linear CKA), whole process;"
echo "faiss = python3 bench/compare/peers.py faiss (IndexFlatIP on normalised rows, k+1, self dropped, $CORES threads), whole process."
echo "Peak $PEAK GFLOP/s = $CORES cores x $MHZ MHz x 2 FMA x $LANES lanes x 2. Load average now: $(cut -d' ' -f1-3 /proc/loadavg)."
