#!/usr/bin/env bash
# Prepare throughput and driver memory on IDX input: Fashion-MNIST as shipped (70,000 rows, gzipped) and a
# 1.2M-row set made from it (the 60,000 training images 20 times over and the test file, uncompressed, so that
# tasks can seek to their records). Usage: bench/prepare.sh [runs] (default 3). Prints a Markdown table: the timed
# runs' median, and the peak heap and RSS of one more run after a full collection (PrepareBenchmark).
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-3}"
DATA="${DISTILLERY_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
WORK="${DISTILLERY_BENCH_WORK:-$HOME_DIR/target/bench-prepare}"
source "$HOME_DIR/bench/common.sh"

"$HOME_DIR/bench/big-idx.sh" "$DATA" "$WORK/big"

run() { java -Xmx6g $OPENS $NATIVE -cp "$CP" dev.distillery.bench.PrepareBenchmark "$@" 2>>"$WORK/prepare.log" | grep '^RESULT'; }
small=$(run "$DATA" "$WORK" "$RUNS")
large=$(run "$WORK/big" "$WORK" "$RUNS" --set data.train_images=train-images-idx3-ubyte \
  --set data.train_labels=train-labels-idx1-ubyte --set data.test_images=t10k-images-idx3-ubyte \
  --set data.test_labels=t10k-labels-idx1-ubyte)
# median of the timed runs' seconds and rows/s; peak heap and RSS from the run after a full collection
row() {
  local rows secs rate heap rss
  rows=$(echo "$2" | awk '$2 == "prepare" {print $3; exit}')
  secs=$(echo "$2" | awk '$2 == "prepare" {print $4}' | median); rate=$(echo "$2" | awk '$2 == "prepare" {print $5}' | median)
  heap=$(echo "$2" | awk '$2 == "prepare-memory" {print $5}'); rss=$(echo "$2" | awk '$2 == "prepare-memory" {print $6}')
  awk -v l="$1" -v n="$rows" -v s="$secs" -v r="$rate" -v h="$heap" -v m="$rss" \
    'BEGIN {printf "| %s | %d | %.1f s | %.0f | %.2f GiB | %.2f GiB |\n", l, n, s, r, h/2^30, m/2^30}'
}
echo "| input | rows | time (median of $RUNS) | rows/s | peak driver heap | peak RSS |"
echo "| --- | --- | --- | --- | --- | --- |"
row "Fashion-MNIST, gzipped IDX" "$small"
row "1.2M rows, raw IDX" "$large"
