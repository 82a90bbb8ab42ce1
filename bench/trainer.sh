#!/usr/bin/env bash
# Teacher training throughput: plain single-JVM loop vs the Spark data-parallel trainer (1 and 2 workers; optimizer
# state averaged once per epoch, the default, and every round), the share
# of each Spark epoch spent in training steps, and the effect of the native settings on 2 workers: as Distillery
# applies them by itself (nothing set by the user), set explicitly (OMP_NUM_THREADS=1, JavaCPP polling off), and
# overridden back to the engine's own defaults (OpenMP on every core, JavaCPP polling on).
# Usage: bench/trainer.sh [rows] [repeats] [averaging frequency]   (defaults 12000, 3, 8). Prints Markdown tables.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS="${1:-12000}"; REPEATS="${2:-3}"; FREQ="${3:-8}"
DATA="${DISTILLERY_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
source "$HOME_DIR/bench/common.sh"

run() { java -Xmx6g $OPENS $1 -cp "$CP" dev.distillery.bench.TrainerBenchmark "$DATA" "$ROWS" "$2" "$3" "$FREQ" | grep '^RESULT'; }

explicit=$(export OMP_NUM_THREADS=1; run "$NATIVE" "$REPEATS" plain,spark1,spark1r,spark2 2>/dev/null)
automatic=$(unset OMP_NUM_THREADS; run "" 1 spark2 2>/dev/null || true)
# JavaCPP's own defaults with -Xmx6g: maxBytes = heap, maxPhysicalBytes = 2 x heap (polling on)
untuned=$(unset OMP_NUM_THREADS; run "-Ddistillery.native.threads=0 -Dorg.bytedeco.javacpp.maxBytes=6g -Dorg.bytedeco.javacpp.maxPhysicalBytes=12g" 1 spark2 2>/dev/null || true)

m() { echo "$1" | awk -v k="$2" '$2==k {print $3}' | median; }
f() { echo "$1" | awk -v k="$2" '$2==k {print $4}' | median; }
plain=$(m "$explicit" plain); s1=$(m "$explicit" spark1); s1r=$(m "$explicit" spark1r); s2=$(m "$explicit" spark2)
auto=$(m "$automatic" spark2); un=$(m "$untuned" spark2)
ratio() { awk -v a="${1:-0}" -v b="$2" -v fmt="$3" 'BEGIN {if (a > 0 && b > 0) printf fmt, a/b; else print "n/a"}'; }
echo "| measurement (averaging every $FREQ minibatches, $ROWS rows, batch 64) | samples/s (median of $REPEATS) | time in training steps | ratio |"
echo "| --- | --- | --- | --- |"
echo "| plain single-JVM loop, 1 thread | $plain | 100% | 1.00 |"
echo "| Spark trainer, 1 worker | $s1 | $(f "$explicit" spark1 | awk '{printf "%.1f%%", 100*$1}') | $(awk -v a="$s1" -v b="$plain" 'BEGIN {printf "%.3f (overhead %.1f%%)", a/b, 100*(1-a/b)}') |"
echo "| Spark trainer, 1 worker, optimizer state averaged every round | $s1r | $(f "$explicit" spark1r | awk '{printf "%.1f%%", 100*$1}') | $(awk -v a="$s1r" -v b="$plain" 'BEGIN {printf "%.3f (overhead %.1f%%)", a/b, 100*(1-a/b)}') |"
echo "| Spark trainer, 2 workers | $s2 | $(f "$explicit" spark2 | awk '{printf "%.1f%%", 100*$1}') | $(ratio "$s2" "$s1" "%.2fx of 1 worker") |"
echo "| Spark trainer, 2 workers, settings applied by Distillery itself (1 run) | ${auto:-n/a} | | $(ratio "$auto" "$s2" "%.2fx of explicit") |"
echo "| Spark trainer, 2 workers, OpenMP on all cores and JavaCPP polling on (1 run) | ${un:-n/a} | | $(ratio "$un" "$s2" "%.2fx of explicit") |"
