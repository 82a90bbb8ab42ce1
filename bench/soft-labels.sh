#!/usr/bin/env bash
# Soft labels on Fashion-MNIST with the default teacher (conv32-conv64-dense128, trained for EPOCHS epochs):
#  1. bytes per row and fidelity (mean KL between dense and rebuilt teacher distributions, T=1 and T=4) per mode;
#  2. label rows/s against a plain single-JVM batched loop of the same teacher on the same rows;
#  3. peak JVM heap and process RSS of the label stage at ~114k rows (2 views) and ~1.19M rows (22 views).
# Usage: bench/soft-labels.sh [work dir] [teacher epochs] [large views]  (defaults target/bench-soft-labels, 2, 22).
# Prints RESULT lines and a Markdown summary; every JVM gets -Xmx6g.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(realpath -m "${1:-$HOME_DIR/target/bench-soft-labels}")"; EPOCHS="${2:-2}"; LARGE="${3:-22}"
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
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
NATIVE="-Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.bytedeco.javacpp.maxBytes=0"
CONF="$HOME_DIR/conf/fashion-mnist.yaml"
SETS=(--master "local[2]" --set "data.dir=$DATA" --set "teacher.epochs=$EPOCHS")
AUG=(--set label.augment.shift_pixels=2 --set label.augment.flip=true --set label.augment.noise_std=0.02)
bench() { java -Xmx6g $OPENS $NATIVE -cp "$CP" dev.distillery.jobs.bench.SoftLabelBenchmark "$@" 2>>"$WORK/bench.log"; }
mkdir -p "$WORK" "$WORK/modes"
BASE="$WORK/base"

# the shared prepared data and teacher
java -Xmx6g $OPENS $NATIVE -cp "$CP" dev.distillery.jobs.cli.DistilleryCli prepare --config "$CONF" --out "$BASE" "${SETS[@]}" >>"$WORK/bench.log" 2>&1
java -Xmx6g $OPENS $NATIVE -cp "$CP" dev.distillery.jobs.cli.DistilleryCli train-teacher --config "$CONF" --out "$BASE" "${SETS[@]}" >>"$WORK/bench.log" 2>&1

# 1 + 2: every storage mode on the 60,000 train and validation rows, one view
for mode in dense-float32 dense-float16 top-k:1 top-k:3 top-k:5; do
  storage="${mode%%:*}"; k="${mode#*:}"; [[ "$k" == "$mode" ]] && k=3
  rm -rf "$BASE/soft-labels"
  bench label label --config "$CONF" --out "$BASE" "${SETS[@]}" --set "label.storage=$storage" --set "label.top_k=$k" \
    | sed "s/^RESULT label/RESULT label $mode/"
  rm -rf "$WORK/modes/$mode"; mv "$BASE/soft-labels/labels" "$WORK/modes/$mode"
done
for mode in dense-float32 dense-float16 top-k:1 top-k:3 top-k:5; do
  bench fidelity "$WORK/modes/dense-float32" "$WORK/modes/$mode"
done
bench plain "$BASE" 500 | sed 's/^RESULT plain/RESULT plain omp1/'
OMP_NUM_THREADS=2 bench plain "$BASE" 500 | sed 's/^RESULT plain/RESULT plain omp2/'

# 3: memory at two sizes, each a fresh JVM under /usr/bin/time
for views in 2 "$LARGE"; do
  rm -rf "$BASE/soft-labels"
  /usr/bin/time -v -o "$WORK/time-$views.txt" java -Xmx6g $OPENS $NATIVE -cp "$CP" \
    dev.distillery.jobs.bench.SoftLabelBenchmark label label --config "$CONF" --out "$BASE" "${SETS[@]}" \
    --set "label.views=$views" "${AUG[@]}" 2>>"$WORK/bench.log" | sed "s/^RESULT label/RESULT views $views/"
  echo "RESULT rss $views $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time-$views.txt")"
done
