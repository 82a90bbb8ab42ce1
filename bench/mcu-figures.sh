#!/usr/bin/env bash
# Figures of docs/deployment-c.md: exports integer students to C and measures flash, RAM and instructions per
# inference on the host and on QEMU's Cortex-M4F, M7 and M55, checking every logit against the integer runtime.
#   bench/mcu-figures.sh [--images N] --test-model            # the test student, int8 and int4
#   bench/mcu-figures.sh [--images N] run/export/student-int8.dint ...
#   bench/mcu-figures.sh --rounding run/export/student-int8.dint ...   # other runtimes' requantization rounding
# Needs gcc, gcc-arm-none-eabi, libnewlib-arm-none-eabi and qemu-system-arm.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "$0")/.." && pwd)"
cd "$HOME_DIR"
LOG=student/target/mcu-figures-build.log
mkdir -p student/target
mvn -B -q -o -pl student -am test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
  -Dmdep.includeScope=test >"$LOG" 2>&1 || { cat "$LOG"; exit 1; }
CP="student/target/test-classes:student/target/classes:$(cat student/target/classpath.txt)"
export OMP_NUM_THREADS=1
JAVA=(java -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.bytedeco.javacpp.maxBytes=0 -cp "$CP")
if [[ "${1:-}" == "--rounding" ]]; then
  shift
  "${JAVA[@]}" dev.distillery.student.runtime.RoundingComparison "$@"
else
  "${JAVA[@]}" dev.distillery.student.mcu.McuFigures --work student/target/mcu-figures "$@"
fi
