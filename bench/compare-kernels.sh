#!/usr/bin/env bash
# The two candidate block-product kernels on this machine: core's Vector API kernel vs OpenBLAS cblas_sgemm
# (bytedeco openblas 0.3.31-1.5.13), n x n x d float32 products, one thread then all cores. Usage: bench/compare-kernels.sh [N D REPS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bin/java-env.sh"
(cd "$ROOT" && mvn -q -B -pl core install -DskipTests) >&2
cd "$ROOT/bench/compare/kernels"
mvn -q -B compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt >&2
exec "$JAVA" --add-modules jdk.incubator.vector -cp "target/classes:$(cat target/cp.txt)" io.vectory.core.compare.KernelBench "${1:-4096}" "${2:-512}" "${3:-3}" 2> >(grep -v 'WARNING: Using incubator' >&2)
