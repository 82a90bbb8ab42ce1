#!/usr/bin/env bash
# Parity of data-parallel training: the teacher of a config trained by the Spark trainer with 2 workers against the
# same config, initialisation, data and epochs trained by a plain loop in one JVM; test accuracy on the 10,000
# Fashion-MNIST test images, each run's epoch chosen on the same validation rows.
# Usage: bench/parity.sh [config] [--set key=value ...]   (default conf/fashion-mnist.yaml). Prints a Markdown table.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="${1:-$HOME_DIR/conf/fashion-mnist.yaml}"; shift || true
DATA="${DISTILLERY_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
source "$HOME_DIR/bench/common.sh"
export OMP_NUM_THREADS=1
out=$(java -Xmx8g $OPENS $NATIVE -cp "$CP" dev.distillery.bench.ParityBenchmark "$CONFIG" "$DATA" plain,spark2 "$@" 2> "${TMPDIR:-/tmp}/distillery-parity.log" | grep "^RESULT") || { echo "parity run failed; see ${TMPDIR:-/tmp}/distillery-parity.log" >&2; exit 1; }
row() { echo "$out" | awk -v k="$1" -v name="$2" '$2==k {printf "| %s | %.2f%% | %.2f%% | %d | %.0f |\n", name, 100*$3, 100*$4, $5, $6}'; }
echo "| training | test accuracy | validation accuracy | chosen epoch | seconds |"
echo "| --- | --- | --- | --- | --- |"
row plain "plain loop, one JVM, one network"
row spark2 "Spark trainer, 2 workers, averaging"
echo "$out" | awk '$2=="plain" {p=$3} $2=="spark2" {s=$3} END {printf "\nDifference (2 workers - one process): %+.2f points\n", 100*(s-p)}'
