#!/usr/bin/env bash
# Teacher training throughput: plain single-JVM loop vs the Spark data-parallel trainer (1 and 2 workers),
# and the effect of the native settings (OMP_NUM_THREADS=1, JavaCPP memory polling off) on 2 workers.
# Usage: bench/trainer.sh [rows] [repeats] [averaging frequency]   (defaults 12000, 3, 8). Prints a Markdown table.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS="${1:-12000}"; REPEATS="${2:-3}"; FREQ="${3:-8}"
DATA="${DISTILLERY_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
[[ -f "$HOME_DIR/jobs/target/distillery.jar" ]] || (cd "$HOME_DIR" && mvn -B -q -DskipTests package)
CP="$HOME_DIR/jobs/target/distillery.jar:$HOME_DIR/jobs/target/lib/*"
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
--add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
export SPARK_LOCAL_IP=127.0.0.1
NATIVE="-Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.bytedeco.javacpp.maxBytes=0"
# run <extra JVM flags> <repeats> <modes>
run() { java -Xmx6g $OPENS $1 -cp "$CP" dev.distillery.jobs.bench.TrainerBenchmark "$DATA" "$ROWS" "$2" "$3" "$FREQ" | grep '^RESULT'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

tuned=$(export OMP_NUM_THREADS=1; run "$NATIVE" "$REPEATS" plain,spark1,spark2 2>/dev/null)
untuned=$(unset OMP_NUM_THREADS; run "" 1 spark2 2>/dev/null || true)

m() { echo "$1" | awk -v k="$2" '$2==k {print $3}' | median; }
plain=$(m "$tuned" plain); s1=$(m "$tuned" spark1); s2=$(m "$tuned" spark2); un=$(m "$untuned" spark2)
echo "| measurement (averaging every $FREQ minibatches, $ROWS rows, batch 64) | samples/s (median of $REPEATS) | ratio |"
echo "| --- | --- | --- |"
echo "| plain single-JVM loop, 1 thread | $plain | 1.00 |"
echo "| Spark trainer, 1 worker | $s1 | $(awk -v a="$s1" -v b="$plain" 'BEGIN {printf "%.3f (overhead %.1f%%)", a/b, 100*(1-a/b)}') |"
echo "| Spark trainer, 2 workers | $s2 | $(awk -v a="$s2" -v b="$s1" 'BEGIN {printf "%.2fx of 1 worker", a/b}') |"
echo "| Spark trainer, 2 workers, OMP threads default and JavaCPP polling on (1 run) | ${un:-n/a} | $(awk -v a="${un:-0}" -v b="$s2" 'BEGIN {if (a > 0) printf "%.2fx of tuned", a/b; else print "n/a"}') |"
