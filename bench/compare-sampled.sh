#!/usr/bin/env bash
# Sampled mode on a huge pair: ./vectory compare --sample 2000 and --sample auto --ci 0.005 on 1,000,000 x 256
# (synthetic, cached under bench/compare/target), as a user runs them. Prints process wall time, the engine's own
# time, peak RSS beside the two arrays' size, the CI and the load average at start. There is no peer to beat here:
# FAISS has no sampled self-join; the target is the issue's (2,000 queries in at most 30 s).
# Usage: bench/compare-sampled.sh [ROWS] [DIM]     (defaults 1000000 256; needs about 2 GB of disk and 6 GB of RAM)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-1000000}"; D="${2:-256}"
PY=/usr/bin/python3
OUT="$ROOT/bench/compare/target"
mkdir -p "$OUT"
A="$OUT/sampled-$N-$D-a.npy"; B="$OUT/sampled-$N-$D-b.npy"
if [ ! -f "$B" ]; then
  echo "writing $N x $D float32 pair to $OUT ..." >&2
  "$PY" - "$N" "$D" "$A" "$B" <<'PY'
import sys, numpy as np
n, d, a_path, b_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
r = np.random.default_rng(1)
a = r.standard_normal((n, d), dtype=np.float32)
np.save(a_path, a)
np.save(b_path, a + np.float32(0.5) * r.standard_normal((n, d), dtype=np.float32))
PY
fi
"$ROOT/vectory" --help >/dev/null 2>&1 || true  # build the jar before timing
ARRAYS_MB=$(( N * D * 4 * 2 / 1000000 ))
printf "%-28s %6s %8s %9s %9s %12s %s\n" "$N x $D, k=10 cosine" "load" "wall s" "engine s" "queries" "peak RSS MB" "95% CI"
run() { # LABEL ARGS...
  local label="$1" load json t
  shift
  load="$(cut -d' ' -f1 /proc/loadavg)"
  json="$(/usr/bin/time -f '%e %M' -o "$OUT/sampled.time" "$ROOT/vectory" compare --json "$A" "$B" "$@" 2>/dev/null)"
  read -r wall rss < "$OUT/sampled.time"
  "$PY" -c 'import json,sys
j=json.loads(sys.argv[1]); ci=j.get("ci",[float("nan")]*2)
print("%-28s %6s %8s %9.2f %9d %12d %.4f-%.4f (half-width %.4f)" % (sys.argv[2], sys.argv[3], sys.argv[4], j["seconds"], j["queries"], int(sys.argv[5])//1000, ci[0], ci[1], (ci[1]-ci[0])/2))' \
    "$json" "$label" "$load" "$wall" "$rss"
}
run "--sample 2000" --sample 2000
run "--sample auto --ci 0.005" --sample auto --ci 0.005
echo "peak RSS counts the two arrays ($ARRAYS_MB MB) and the .npy files' mapped pages (file cache, reclaimable)."
echo "Load average now: $(cut -d' ' -f1-3 /proc/loadavg) (figures from a machine above ~1.2 are not the engine's best)."
