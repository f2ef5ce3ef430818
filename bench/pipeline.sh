#!/usr/bin/env bash
# What a checkpoint costs the pipeline: from its CheckpointCompleted committed to its comparisons (previous and
# first) committed and read back, with the pipeline in child JVMs (stream threads + compare workers), against one
# k-NN pass of the checkpoint alone (latency_over_knn; budget 1.3 x pass + 10 s); with --instances K > 1, also K
# one-core instances sharing each checkpoint's k-NN shards against one one-core instance (scaleout; target <= 0.6).
# Prints the load average beside the figures; the last line is `latency_over_knn=<x> scaleout=<y>`.
#
# Usage: bench/pipeline.sh [--rows N] [--dim D] [--steps S] [--instances K]   (defaults 10000, 512, 3, 1)
#   env: VECTORY_BOOTSTRAP_SERVERS (127.0.0.1:9092), VECTORY_SCHEMA_REGISTRY (stack's Apicurio; "none" for
#        single-object encoding)
# Without VECTORY_BOOTSTRAP_SERVERS it uses the local stack, starting it (bin/stack up --no-connect) when it is not
# running and stopping what it started at exit. --instances needs taskset (util-linux). Uses throwaway topics
# bench-<time>.* and deletes them.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh # exports JAVA_HOME and JAVA, or exits naming what is missing
REGISTRY=${VECTORY_SCHEMA_REGISTRY:-http://127.0.0.1:8081/apis/ccompat/v7}
[ "$REGISTRY" = none ] && REGISTRY=""

if [ -z "${VECTORY_BOOTSTRAP_SERVERS:-}" ]; then
  # The local stack, as bin/test uses it: services this run starts, and only those, are stopped at exit.
  STARTED_FILE="$(mktemp)"
  trap 'started="$(cat "$STARTED_FILE" 2>/dev/null || true)"; rm -f "$STARTED_FILE";
        if [ -n "${started// /}" ]; then echo "bench: stopping what this run started: $started" >&2; bin/stack down $started >&2; fi' EXIT
  trap 'exit 130' INT TERM
  VECTORY_STACK_STARTED_FILE="$STARTED_FILE" bin/stack up --no-connect >&2
fi

WORK=bench/pipeline/target
mkdir -p "$WORK"
echo "building vectory-streams, vectory-ingest and the bench classpath..." >&2
mvn -q -B -o -pl streams,ingest -am install -DskipTests >&2 2>/dev/null || mvn -q -B -pl streams,ingest -am install -DskipTests >&2
mvn -q -B -o -f bench/pipeline/pom.xml dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2 2>/dev/null \
  || mvn -q -B -f bench/pipeline/pom.xml dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
CP=$(cat "$WORK/classpath.txt")
"$JAVA" -Xmx6g --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
  -Dlog4j2.configurationFile=bench/pipeline/log4j2.xml -Djava.io.tmpdir="$WORK" -cp "$CP" bench/pipeline/PipelineBench.java \
  --schema-registry "$REGISTRY" "$@"
