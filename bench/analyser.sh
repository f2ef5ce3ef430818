#!/usr/bin/env bash
# The web analyser at 100,000 points a map, in one run: the redraw during zoom and pan in headless Chromium
# (requestAnimationFrame intervals in the page: median and p95, target <= 33 ms), the app's projection times
# (PCA, UMAP, PCA+UMAP of map A, cold: the on-disk cache is dropped first) beside Debian umap-learn's on the same
# data with the same n_neighbors/min_dist (whole process and fit alone), and the load average at start.
# Usage: bench/analyser.sh [N [D]]   (default 100000 384; data and store cached in bench/analyser/target)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bin/java-env.sh"
N="${1:-100000}"
D="${2:-384}"
PY=/usr/bin/python3
CHROMIUM="${VECTORY_CHROMIUM:-/usr/bin/chromium}"
OUT="$ROOT/bench/analyser/target"
DIR="$OUT/n$N-d$D"
# The app's UMAP settings (UmapOptions.defaults()), given to umap-learn as they are.
NEIGHBOURS=15
MIN_DIST=0.1
SEED=42
[ -x "$CHROMIUM" ] || { echo "needs Chromium at $CHROMIUM: apt-get install -y chromium" >&2; exit 1; }
"$PY" -c 'import umap, numpy' 2>/dev/null || { echo "needs Debian umap-learn: apt-get install -y umap-learn" >&2; exit 1; }
"$ROOT/vectory" --help >/dev/null 2>&1 || true # builds app/target/vectory.jar (and the page bundle) when stale
[ -d "$ROOT/app/src/main/web/node_modules/playwright-core" ] || { echo "needs the page's npm packages: mvn -pl app -am package" >&2; exit 1; }
mkdir -p "$DIR"

LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
LOAD1="${LOAD%% *}"
echo "bench/analyser: $N points x $D dimensions per map, 2 maps; load average at start $LOAD ($(nproc) cores)"
awk -v l="$LOAD1" 'BEGIN{ if (l > 1.2) print "WARNING: load average " l " > 1.2 at start: these figures are not comparable with a quiet machine'"'"'s" }'

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }

# The server: a single-file Java program over the app's jar; it serves until its standard input closes.
FIFO="$DIR/server.stdin"
rm -f "$FIFO"; mkfifo "$FIFO"
"$JAVA" -Xmx12g --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow --add-modules jdk.incubator.vector \
  -cp "$ROOT/app/target/vectory.jar" "$ROOT/bench/analyser/AnalyserBench.java" "$N" "$D" "$DIR" <"$FIFO" >"$DIR/server.out" 2>"$DIR/server.err" &
SERVER=$!
exec 3>"$FIFO"
stop() { exec 3>&-; wait "$SERVER" 2>/dev/null || true; rm -f "$FIFO"; }
trap stop EXIT
until grep -q '^url=' "$DIR/server.out" 2>/dev/null; do
  kill -0 "$SERVER" 2>/dev/null || { echo "the bench server died:" >&2; cat "$DIR/server.err" >&2; exit 1; }
  sleep 1
done
URL="$(sed -n 's/^url=//p' "$DIR/server.out")"
grep -v -e '^WARNING: Using incubator' -e 'PanamaVectorization' -e 'Java vector incubator' "$DIR/server.err" >&2 || true

# (a) the page: PCA of both maps, coloured by label, zoom and pan.
kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# (b) the app's projections of map A, asked over HTTP as the page asks; PCA was made when the page opened.
project() { # METHOD -> "seconds wall description"
  local t0 body; t0="$(now)"
  body="$(curl -sf "${URL}api/projection?space=bench-a&method=$1&slot=bench")"
  local wall; wall="$(since "$t0")"
  "$PY" -c 'import json,sys; j=json.loads(sys.stdin.read()); print("%.2f" % j["seconds"], sys.argv[1], j["description"])' "$wall" <<<"$body"
}
read -r PCA_S PCA_WALL PCA_DESC <<<"$(project pca)"
read -r UMAP_S UMAP_WALL UMAP_DESC <<<"$(project umap)"
read -r PU_S PU_WALL PU_DESC <<<"$(project pca+umap)"
# The page last: map A's projections are then timed alone, each on every core (the page would start B's and the
# coincidence beside them).
FRAMES="$(node "$ROOT/bench/analyser/frames.mjs" "$URL" "$OUT" "$CHROMIUM" | tail -1)"
stop
trap - EXIT

# The reference: umap-learn on the same rows of A (written by the server as a.npy), whole process timed here.
t0="$(now)"
REF="$("$PY" "$ROOT/bench/analyser/reference_umap.py" "$DIR/a.npy" "$NEIGHBOURS" "$MIN_DIST" "$SEED" 2>/dev/null | tail -1)"
REF_WALL="$(since "$t0")"
REF_FIT="$(kv umap_learn_fit_s "$REF")"
RATIO="$(awk -v a="$UMAP_S" -v b="$REF_FIT" 'BEGIN{printf "%.2f", a/b}')"

echo
echo "redraw during zoom and pan (headless Chromium, WebGL on SwiftShader, rAF intervals in the page; target <= 33 ms):"
echo "  frames $(kv n "$FRAMES"), median $(kv p50_ms "$FRAMES") ms, p95 $(kv p95_ms "$FRAMES") ms, max $(kv max_ms "$FRAMES") ms"
echo "  points per map: $(kv points_a "$FRAMES") in A, $(kv points_b "$FRAMES") in B; drawn per frame while a view moves (level of detail,"
echo "  #lod=N): $(kv drawn_moving_a "$FRAMES") in A, $(kv drawn_moving_b "$FRAMES") in B; every point once the view rests (120 ms);"
echo "  in view when zoomed in: $(kv visible_a_zoomed "$FRAMES") in A, $(kv visible_b_zoomed "$FRAMES") in B"
echo "  page open to both maps drawn: $(kv page_ready_s "$FRAMES") s; to the exact coincidence: $(kv coincidence_ready_s "$FRAMES") s"
echo "projections of map A ($N x $D, cosine), computed by the app cold, one at a time before the page opened (seconds it reports; HTTP wall in brackets):"
printf "  %-9s %8s s (%6s) %s\n" "PCA" "$PCA_S" "$PCA_WALL" "$PCA_DESC"
printf "  %-9s %8s s (%6s) %s\n" "UMAP" "$UMAP_S" "$UMAP_WALL" "$UMAP_DESC"
printf "  %-9s %8s s (%6s) %s\n" "PCA+UMAP" "$PU_S" "$PU_WALL" "$PU_DESC"
printf "  %-9s %8s s (%6s whole process) umap-learn 0.5.3, n_neighbors=%s min_dist=%s metric=cosine random_state=%s (NN-descent)\n" \
  "reference" "$REF_FIT" "$REF_WALL" "$NEIGHBOURS" "$MIN_DIST" "$SEED"
echo "  ratio app UMAP / umap-learn fit: $RATIO"
echo "load average at start $LOAD, now $(cut -d' ' -f1-3 /proc/loadavg); screenshot: $OUT/analyser-100k.png"
awk -v l="$LOAD1" 'BEGIN{ if (l > 1.2) print "WARNING: load average " l " > 1.2 at start: these figures are not comparable" }'
echo "frame_p50_ms=$(kv p50_ms "$FRAMES") frame_p95_ms=$(kv p95_ms "$FRAMES") frame_max_ms=$(kv max_ms "$FRAMES") points=$(kv points_a "$FRAMES") drawn_moving=$(kv drawn_moving_a "$FRAMES") pca_s=$PCA_S umap_s=$UMAP_S pca_umap_s=$PU_S umap_learn_s=$REF_FIT umap_learn_wall_s=$REF_WALL ratio=$RATIO load=$LOAD1 n=$N d=$D"
