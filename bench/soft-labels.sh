#!/usr/bin/env bash
# Soft labels on Fashion-MNIST with the default teacher architecture (conv32-conv64-dense128):
#  modes:    label the 60,000 train and validation rows in each storage mode; bytes per row;
#  fidelity: mean KL between the dense and the rebuilt teacher distributions at T=1 and T=4, per mode;
#  plain:    the same teacher on the same rows in a plain single-JVM batched loop (OMP threads 1 and 2, and two
#            threads with a teacher copy each and one OMP thread, as the label stage's two tasks run);
#  memory:   peak JVM heap and process RSS of the label stage with 2 views (~114k rows) and LARGE views;
#  plain-views: after memory, the plain loop (two threads with a teacher copy each, its fastest form) on exactly the
#            rows the LARGE-views label run wrote: the same views by the same augmenter, made in the timed loop.
# Usage: bench/soft-labels.sh [work dir] [large views] [teacher rows]
#   (defaults target/bench-soft-labels, 22 (~1.19M rows), 0 = train the teacher with the train-teacher stage for
#   one epoch; N > 0 = a stand-in teacher trained for one epoch on the first N rows in a plain loop, much faster).
#   STEPS="teacher modes recode fidelity plain memory plain-views" selects steps (recode: top-k re-encoded from the dense
#   float32 labels instead of labelled again, and every mode's fidelity, in one JVM), MODES="dense-float32 top-k:3" the storage modes. Prints RESULT lines; every JVM gets -Xmx6g.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(realpath -m "${1:-$HOME_DIR/target/bench-soft-labels}")"; LARGE="${2:-22}"; TEACHER_ROWS="${3:-0}"
STEPS="${STEPS:-teacher modes fidelity plain memory plain-views}"
DATA="${DISTILLERY_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
source "$HOME_DIR/bench/common.sh"
CP="$HOME_DIR/jobs/target/classes:$CP"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
CONF="$HOME_DIR/conf/fashion-mnist.yaml"
SETS=(--master "local[2]" --set "data.dir=$DATA" --set "teacher.epochs=1" --set "teacher.warmup_epochs=0")
AUG=(--set label.augment.shift_pixels=2 --set label.augment.flip=true --set label.augment.noise_std=0.02)
read -ra MODES <<< "${MODES:-dense-float32 dense-float16 top-k:1 top-k:3 top-k:5}"
jvm() { java -Xmx6g $OPENS $NATIVE -cp "$CP" "$@" 2>>"$WORK/bench.log"; }
bench() { jvm dev.distillery.bench.SoftLabelBenchmark "$@"; }
step() { [[ " $STEPS " == *" $1 "* ]]; }
mkdir -p "$WORK/modes"
BASE="$WORK/base"

if step teacher; then
  jvm dev.distillery.jobs.cli.DistilleryCli prepare --config "$CONF" --out "$BASE" "${SETS[@]}" >>"$WORK/bench.log"
  if [[ "$TEACHER_ROWS" -gt 0 ]]; then
    bench teacher "$BASE" "$TEACHER_ROWS"
  else
    jvm dev.distillery.jobs.cli.DistilleryCli train-teacher --config "$CONF" --out "$BASE" "${SETS[@]}" >>"$WORK/bench.log"
  fi
fi
if step modes; then
  for mode in "${MODES[@]}"; do
    storage="${mode%%:*}"; k="${mode#*:}"; [[ "$k" == "$mode" ]] && k=3
    rm -rf "$BASE/soft-labels"
    bench label label --config "$CONF" --out "$BASE" "${SETS[@]}" --set "label.storage=$storage" --set "label.top_k=$k" \
      | sed "s/^RESULT label/RESULT label $mode/"
    rm -rf "$WORK/modes/$mode"; mv "$BASE/soft-labels/labels" "$WORK/modes/$mode"
  done
fi
if step recode; then
  # top-k re-encoded from the dense float32 labels with the label stage's own writer (no second teacher pass),
  # then the fidelity of every mode, all in one JVM
  ks=(); others=()
  for mode in "${MODES[@]}"; do
    [[ "$mode" == top-k:* ]] && ks+=("${mode#*:}")
    [[ "$mode" != dense-float32 ]] && others+=("$mode")
  done
  rm -rf "$WORK"/modes/top-k:*
  bench recode-all "$WORK/modes" "$(IFS=,; echo "${ks[*]}")" "$(IFS=,; echo "${others[*]}")"
fi
if step fidelity; then
  for mode in "${MODES[@]}"; do bench fidelity "$WORK/modes/dense-float32" "$WORK/modes/$mode"; done
fi
if step plain; then
  bench plain "$BASE" 128 | sed 's/^RESULT plain/RESULT plain omp1/'
  OMP_NUM_THREADS=2 bench plain "$BASE" 128 | sed 's/^RESULT plain/RESULT plain omp2/'
  bench plain "$BASE" 128 2 | sed 's/^RESULT plain/RESULT plain threads2/'
fi
if step memory; then
  for views in 2 "$LARGE"; do
    rm -rf "$BASE/soft-labels"
    /usr/bin/time -v -o "$WORK/time-$views.txt" java -Xmx6g $OPENS $NATIVE -cp "$CP" \
      dev.distillery.bench.SoftLabelBenchmark label label --config "$CONF" --out "$BASE" "${SETS[@]}" \
      --set "label.views=$views" "${AUG[@]}" 2>>"$WORK/bench.log" | sed "s/^RESULT label/RESULT views $views/"
    echo "RESULT rss $views $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time-$views.txt") kB"
  done
fi
if step plain-views; then
  [[ -f "$BASE/soft-labels/manifest.json" ]] || { echo "error: plain-views needs the memory step's labels in $BASE/soft-labels" >&2; exit 2; }
  bench plain "$BASE" 128 2 views | sed 's/^RESULT plain/RESULT plain-views threads2/'
fi
