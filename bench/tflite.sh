#!/usr/bin/env bash
# TFLite full run: exports integer models as full-integer .tflite files (TfliteExporter, output quantization
# calibrated on the first 1,000 training images) and runs all 10,000 Fashion-MNIST test images through LiteRT.js
# (tools/litert) against the integer runtime: argmax agreement, largest output difference, accuracy, run time.
# Usage: bench/tflite.sh [export folder]
#   export folder  a run's export/ stage folder: student-int*.dint and ptq/*.dint are exported. Without it, the
#                  test students of TfliteLiteRtTest are trained and quantized (about 2 minutes) and exported.
# Prints a Markdown table and writes it, with the .tflite files, to student/target/tflite-full-run/.
# Needs node (Node.js 20) and `npm ci --prefix tools/litert`; exit codes: 0 measured, 1 failed, 2 bad usage.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODELS="${1:-}"
if [[ -n "$MODELS" ]]; then
  MODELS="$(realpath "$MODELS")"
  ls "$MODELS"/student-int*.dint >/dev/null 2>&1 || { echo "no student-int*.dint in $MODELS" >&2; exit 2; }
fi
command -v node >/dev/null || { echo "node (Node.js 20) is not on PATH" >&2; exit 2; }
[[ -d "$HOME_DIR/tools/litert/node_modules/@litertjs/core" ]] || npm ci --prefix "$HOME_DIR/tools/litert" --no-audit --no-fund
cd "$HOME_DIR"
mkdir -p student/target
mvn -B -q -pl student -am test -Dtest=TfliteFullRun -Dsurefire.failIfNoSpecifiedTests=false \
  ${MODELS:+"-Dtflite.models=$MODELS"} > student/target/tflite-full-run.log 2>&1 \
  || { echo "the full run failed; see student/target/tflite-full-run.log" >&2; exit 1; }
cat student/target/tflite-full-run/results.md
