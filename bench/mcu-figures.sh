#!/usr/bin/env bash
# Figures of docs/deployment-c.md: exports integer students to C and measures flash, RAM and instructions per
# inference on the host and on QEMU's Cortex-M4F, M7 and M55, checking every logit against the integer runtime.
#   bench/mcu-figures.sh [--images N] --test-model            # the test student, int8 and int4
#   bench/mcu-figures.sh [--images N] run/export/student-int8.dint ...
# Needs gcc, gcc-arm-none-eabi, libnewlib-arm-none-eabi and qemu-system-arm.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "$0")/.." && pwd)"
cd "$HOME_DIR"
mvn -B -q -o -pl student -am test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
  -Dmdep.includeScope=test >/dev/null
CP="student/target/test-classes:student/target/classes:$(cat student/target/classpath.txt)"
export OMP_NUM_THREADS=1
java -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.bytedeco.javacpp.maxBytes=0 -cp "$CP" \
  dev.distillery.student.mcu.McuFigures --work student/target/mcu-figures "$@"
