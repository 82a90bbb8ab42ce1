#!/usr/bin/env bash
# Pruning on Fashion-MNIST: the distilled student, then (from the same student) structured channel pruning and
# gradual unstructured magnitude pruning, each fine-tuned under the distillation loss; test accuracy, parameters,
# MACs, file bytes and weight sparsity of each on the 10,000 test images, measured separately.
# Usage: bench/pruning.sh [out dir] [--set key=value ...]   (default out: ${TMPDIR:-/tmp}/distillery-pruning).
# Environment: PRUNE_EPOCHS (fine-tuning epochs, 3), PRUNE_RAMP (magnitude ramp fraction, 0.5),
# PRUNE_CHANNEL_FRACTION (0.4), PRUNE_SPARSITY (0.8).
# Extra --set options apply to every stage (e.g. --set teacher.epochs=4 --set distill.epochs=4).
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-${TMPDIR:-/tmp}/distillery-pruning}"; shift || true
DATA="${DISTILLERY_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
CHANNELS="${PRUNE_CHANNEL_FRACTION:-0.4}"   # 0.4 of the filters of every hidden layer: 48.5% of the default student's MACs
SPARSITY="${PRUNE_SPARSITY:-0.8}"
EPOCHS="${PRUNE_EPOCHS:-3}"
RAMP="${PRUNE_RAMP:-0.5}"                   # magnitude: share of fine-tuning over which sparsity ramps up
source "$HOME_DIR/bench/common.sh"
D="$HOME_DIR/bin/distillery"
COMMON=(--config "$HOME_DIR/conf/fashion-mnist.yaml" --set "data.dir=$DATA" "$@")
for stage in prepare train-teacher label distill; do
  "$D" "$stage" "${COMMON[@]}" --out "$OUT/dense" >&2
done
for v in channels magnitude; do
  rm -rf "$OUT/$v" && cp -r "$OUT/dense" "$OUT/$v"
done
# the two fine-tuning runs are independent: they share the dense student and run side by side
"$D" prune "${COMMON[@]}" --out "$OUT/channels" --set prune.method=channels --set "prune.channel_fraction=$CHANNELS" \
  --set "prune.epochs=$EPOCHS" > "$OUT/channels.log" 2>&1 &
CH=$!
"$D" prune "${COMMON[@]}" --out "$OUT/magnitude" --set prune.method=magnitude --set prune.schedule=gradual \
  --set "prune.sparsity=$SPARSITY" --set "prune.ramp_fraction=$RAMP" --set prune.frequency=25 \
  --set "prune.epochs=$EPOCHS" > "$OUT/magnitude.log" 2>&1 &
MAG=$!
wait "$CH" && wait "$MAG" || { echo "a prune run failed; see $OUT/*.log" >&2; exit 1; }
out=$(java -Xmx4g $OPENS $NATIVE -cp "$CP" dev.distillery.bench.PruneBenchmark "$DATA" \
  "dense=$OUT/dense/student/student-kd.dmodel" "channels=$OUT/channels/student-pruned/student-pruned.dmodel" \
  "magnitude=$OUT/magnitude/student-pruned/student-pruned.dmodel" | grep "^RESULT")
echo "| student | test accuracy | params | MACs | file bytes | weight sparsity |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "$out" | awk '{printf "| %s | %.2f%% | %d | %d | %d | %.1f%% |\n", $2, 100*$3, $4, $5, $6, 100*$7}'
echo "$out" | awk '$2=="dense" {d=$3; m=$5} $2=="channels" {c=$3; cm=$5} $2=="magnitude" {g=$3}
  END {printf "\nchannels: %+.2f points at %.1f%% of the MACs; magnitude: %+.2f points\n", 100*(c-d), 100*cm/m, 100*(g-d)}'
