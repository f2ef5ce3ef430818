#!/usr/bin/env bash
# Publish throughput of a 100,000 × 768 float32 checkpoint through CheckpointPublisher (validation,
# chunking, Avro encoding, one transaction, acks=all) beside Kafka's own producer perf test
# (org.apache.kafka.tools.ProducerPerformance, acks=all) sending the same number of records of the
# same size (one full encoded chunk) to the same broker, and the ratio. MB = 10^6 bytes.
#
# Usage: bench/publish.sh [rows] [dim]     (env: VECTORY_BOOTSTRAP_SERVERS, VECTORY_SCHEMA_REGISTRY or "none")
# Needs a running broker (bin/stack up). Publishes to throwaway topics bench-<time>.* and deletes them.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh # exports JAVA_HOME and JAVA, or exits naming what is missing
ROWS=${1:-100000}
DIM=${2:-768}
BOOTSTRAP=${VECTORY_BOOTSTRAP_SERVERS:-127.0.0.1:9092}
REGISTRY=${VECTORY_SCHEMA_REGISTRY:-http://127.0.0.1:8081/apis/ccompat/v7}
RUN="bench-$(date +%s)"
WORK=bench/publish/target
mkdir -p "$WORK"

echo "building vectory-ingest and the bench classpath..." >&2
mvn -q -B -o -pl ingest -am install -DskipTests >&2 2>/dev/null || mvn -q -B -pl ingest -am install -DskipTests >&2
mvn -q -B -f bench/publish/pom.xml dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
CP=$(cat "$WORK/classpath.txt")

echo "Vectory CheckpointPublisher: ${ROWS} × ${DIM} float32 → ${BOOTSTRAP} (registry: ${REGISTRY})" >&2
OURS=$("$JAVA" -Xmx3g -cp "$CP" bench/publish/PublishBench.java "$BOOTSTRAP" "$REGISTRY" "$RUN." "$ROWS" "$DIM" | tail -1)
echo "  $OURS" >&2
get() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$OURS"; }
CHUNKS=$(get chunks); RECORD=$(get record_bytes); OURS_MBS=$(get mb_per_s); VBYTES=$(get vector_bytes)

WARM=10
echo "Kafka ProducerPerformance: ${CHUNKS} records × ${RECORD} bytes after ${WARM} warm-up records, acks=all → ${BOOTSTRAP}" >&2
PERF=$("$JAVA" -Xmx1g -cp "$CP" org.apache.kafka.tools.ProducerPerformance --topic "$RUN.producer-perf" \
  --num-records $((CHUNKS + WARM)) --warmup-records "$WARM" --record-size "$RECORD" --throughput -1 \
  --command-property bootstrap.servers="$BOOTSTRAP" acks=all max.request.size=$((RECORD + 65536)) \
  batch.size=1048576 linger.ms=5 buffer.memory=67108864 2>/dev/null | grep "steady state records sent" | tail -1)
echo "  $PERF" >&2
# "N records sent, R records/sec (X MB/sec), ..." — recompute in 10^6 bytes of record values.
PERF_RPS=$(sed -n 's/.* records sent, \([0-9.]*\) records\/sec.*/\1/p' <<<"$PERF")
PERF_MBS=$(awk -v r="$PERF_RPS" -v b="$RECORD" 'BEGIN{printf "%.1f", r*b/1e6}')
OURS_REC_MBS=$(awk -v m="$OURS_MBS" -v c="$CHUNKS" -v rb="$RECORD" -v vb="$VBYTES" 'BEGIN{printf "%.1f", m*c*rb/vb}')

"$JAVA" -cp "$CP" bench/publish/DeleteTopics.java "$BOOTSTRAP" "$RUN." >&2 || echo "warning: could not delete topics $RUN.*" >&2

echo
echo "publish throughput, ${ROWS} × ${DIM} float32 ($(awk -v b="$VBYTES" 'BEGIN{printf "%.1f", b/1e6}') MB of vectors, ${CHUNKS} records of ${RECORD} B), acks=all, broker ${BOOTSTRAP}"
printf "  %-44s %8s MB/s of vectors  (%s MB/s of record values)\n" "vectory CheckpointPublisher (1 transaction)" "$OURS_MBS" "$OURS_REC_MBS"
printf "  %-44s %8s MB/s of record values (steady state after %d warm-up records)\n" "kafka ProducerPerformance (same records)" "$PERF_MBS" "$WARM"
printf "  ratio vectory / kafka (record values): %s\n" "$(awk -v a="$OURS_REC_MBS" -v b="$PERF_MBS" 'BEGIN{printf "%.2f", a/b}')"
