#!/usr/bin/env bash
# Pipeline cost and latency for a 10,000 × 512 float32 checkpoint: the engine time the pipeline spends on a
# checkpoint compared with two references (its one k-NN pass, kept, plus a Jaccard merge and linear CKA per
# reference) against one k-NN pass of it alone (same JVM, pipeline stopped), and the ratio (target <= 1.3);
# linear CKA alone per comparison; from CheckpointCompleted committed (the publisher's transaction returns) to
# the comparison results committed and read back (read_committed); the load average; and, when the Vectory
# sink connector is RUNNING in the stack's Connect worker, to the comparison being searchable in OpenSearch's
# vectory-comparisons index.
#
# Usage: bench/pipeline.sh [rows] [dim] [checkpoints]
#   env: VECTORY_BOOTSTRAP_SERVERS (127.0.0.1:9092), VECTORY_SCHEMA_REGISTRY (stack's Apicurio; "none" for
#        single-object encoding), VECTORY_OPENSEARCH, VECTORY_CONNECT (http://127.0.0.1:8083)
# Needs a running broker (bin/stack up). Without a connector it uses throwaway topics bench-<time>.* and
# deletes them; with one it uses the connector's topics and a fresh experiment name.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh # exports JAVA_HOME and JAVA, or exits naming what is missing
ROWS=${1:-10000}
DIM=${2:-512}
STEPS=${3:-3}
REGISTRY=${VECTORY_SCHEMA_REGISTRY:-http://127.0.0.1:8081/apis/ccompat/v7}
[ "$REGISTRY" = none ] && REGISTRY=""

WORK=bench/pipeline/target
mkdir -p "$WORK"
echo "building vectory-streams, vectory-ingest, vectory-sink and the bench classpath..." >&2
mvn -q -B -o -pl streams,ingest,sink -am install -DskipTests >&2 2>/dev/null || mvn -q -B -pl streams,ingest,sink -am install -DskipTests >&2
mvn -q -B -o -f bench/pipeline/pom.xml dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2 2>/dev/null \
  || mvn -q -B -f bench/pipeline/pom.xml dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
CP=$(cat "$WORK/classpath.txt")
if curl -sf -m 3 "${VECTORY_CONNECT:-http://127.0.0.1:8083}/connectors" >/dev/null; then
  echo "Connect answers at ${VECTORY_CONNECT:-http://127.0.0.1:8083}: connectors $(curl -s -m 3 "${VECTORY_CONNECT:-http://127.0.0.1:8083}/connectors")" >&2
fi
exec "$JAVA" -Xmx4g --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
  -Dlog4j2.configurationFile=bench/pipeline/log4j2.xml -Djava.io.tmpdir="$WORK" -cp "$CP" bench/pipeline/PipelineBench.java \
  --rows "$ROWS" --dim "$DIM" --steps "$STEPS" --schema-registry "$REGISTRY"
