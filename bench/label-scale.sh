#!/usr/bin/env bash
# The label stage against PyTorch at scale. A teacher of the default architecture, trained one epoch by train-teacher
# on the demo's rows, labels the 1.2M-row set (bench/big-idx.sh as prepared by the prepare stage: 1,080,112 train and
# 119,888 validation rows) in ONNX Runtime, the stage's default engine:
#   cold: the stage run on its own in a fresh JVM (Spark's session and first query included);
#   warm: the stage as `distillery run` runs it after earlier stages (a second run in the same JVM);
#   plain: the same teacher in a plain ONNX Runtime loop on the demo's 60,000 rows (two threads, batches of 128);
#   peer: PyTorch's inference of its own teacher of the same architecture on the same 60,000 rows (bench/peer/peer.py).
# Usage: bench/label-scale.sh [work dir] [runs] (defaults target/bench-label-scale, 2). Prints RESULT lines, then a
# Markdown table of medians with each rate against PyTorch's. Run it on a quiet machine: nothing else may share the
# cores. The data sets and the teacher are made once and kept in the work dir.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(realpath -m "${1:-$HOME_DIR/target/bench-label-scale}")"; RUNS="${2:-2}"
DATA="${DISTILLERY_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
PYTHON="${DISTILLERY_PYTHON:-/usr/bin/python3}"
source "$HOME_DIR/bench/common.sh"
export OMP_NUM_THREADS=1
CONF="$HOME_DIR/conf/fashion-mnist.yaml"
SETS=(--master "local[2]" --set "teacher.epochs=1" --set "teacher.warmup_epochs=0")
DEMO=(--set "data.dir=$DATA")
BIG=(--set "data.dir=$WORK/idx" --set data.train_images=train-images-idx3-ubyte
     --set data.train_labels=train-labels-idx1-ubyte --set data.test_images=t10k-images-idx3-ubyte
     --set data.test_labels=t10k-labels-idx1-ubyte)
mkdir -p "$WORK"
jvm() { java -Xmx6g $OPENS $NATIVE -cp "$CP" "$@" 2>>"$WORK/bench.log"; }
cli() { jvm dev.distillery.jobs.cli.DistilleryCli "$@" >>"$WORK/bench.log"; }

"$HOME_DIR/bench/big-idx.sh" "$DATA" "$WORK/idx"
if [[ ! -f "$WORK/demo/teacher/teacher.onnx" ]]; then
  cli prepare --config "$CONF" --out "$WORK/demo" "${SETS[@]}" "${DEMO[@]}"
  cli train-teacher --config "$CONF" --out "$WORK/demo" "${SETS[@]}" "${DEMO[@]}"
fi
if [[ ! -f "$WORK/big/prepared/dataset.json" ]]; then
  cli prepare --config "$CONF" --out "$WORK/big" "${SETS[@]}" "${BIG[@]}"
fi
# the same teacher files; without train-teacher's manifest, label takes the folder as given instead of asking for a
# teacher trained on these rows
rm -rf "$WORK/big/teacher" && cp -r "$WORK/demo/teacher" "$WORK/big/teacher" && rm -f "$WORK/big/teacher/manifest.json"

label() {  # label <label|label-warm> <run folder> <sets...>: RESULT label rows seconds heap stage_seconds live
  local mode=$1 out=$2; shift 2
  rm -rf "$out/soft-labels"
  jvm dev.distillery.bench.SoftLabelBenchmark "$mode" label --config "$CONF" --out "$out" --force "${SETS[@]}" "$@" \
    | grep '^RESULT label'
}
peer_env=()
blas=/usr/lib/x86_64-linux-gnu/openblas-openmp
[[ -f "$blas/libblas.so.3" ]] && peer_env=("LD_LIBRARY_PATH=$blas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
for ((i = 1; i <= RUNS; i++)); do
  label label "$WORK/big" "${BIG[@]}" | sed 's/^RESULT label/RESULT cold/'
  label label-warm "$WORK/big" "${BIG[@]}" | sed 's/^RESULT label/RESULT warm/'
  jvm dev.distillery.bench.SoftLabelBenchmark plain "$WORK/demo" 128 2 onnxruntime | grep '^RESULT plain'
  env "${peer_env[@]}" "$PYTHON" "$HOME_DIR/bench/peer/peer.py" --data "$DATA" --teacher-epochs 1 --student-epochs 1 \
    --threads 2 --batch-size 64 --label-batch-size 128 2>>"$WORK/bench.log" | grep '^RESULT label' \
    | sed 's/^RESULT label/RESULT peer/'
done | tee "$WORK/results.txt"

# rows/s per line: cold and warm from the stage's own time (its manifest), plain and peer from the timed loop
awk '$1 == "RESULT" && ($2 == "cold" || $2 == "warm") {r[$2] = r[$2] " " $3 / $6; n[$2] = $3}
     $1 == "RESULT" && ($2 == "plain" || $2 == "peer") {r[$2] = r[$2] " " $3 / $4; n[$2] = $3}
     function median(s,   a, k, i, j, t) {
       k = split(s, a, " ")
       for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) {t = a[i]; a[i] = a[j]; a[j] = t}
       return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
     }
     END {
       p = median(r["peer"])
       print "| run | rows | rows/s (median) | against PyTorch |"
       print "| --- | --- | --- | --- |"
       split("cold warm plain peer", order, " ")
       name["cold"] = "label stage on its own, fresh JVM (stage time)"
       name["warm"] = "label stage as `distillery run` runs it (stage time)"
       name["plain"] = "plain ONNX Runtime loop, two threads, batches of 128"
       name["peer"] = "PyTorch, two threads, batches of 128 (inference only)"
       for (i = 1; i <= 4; i++) {
         m = median(r[order[i]])
         printf "| %s | %d | %.0f | %.2fx |\n", name[order[i]], n[order[i]], m, m / p
       }
     }' "$WORK/results.txt"
