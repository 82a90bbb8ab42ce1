#!/usr/bin/env bash
# Distillery's benchmarks in one run, written as one generated Markdown file (default docs/benchmarks.md): the
# machine, its float GEMM ceiling, the pipeline's own figures (stage time, peak heap and RSS, training and labelling
# throughput as GFLOP/s against that ceiling), the same job run by a PyTorch peer with Distillery/PyTorch ratios and
# accuracies side by side, a JFR summary of every stage where Distillery is behind, one training step op by op in
# both engines (StepProfile, bench/peer/step_profile.py), JMH kernel benchmarks, and the section scripts
# bench/trainer.sh, bench/parity.sh, bench/soft-labels.sh and bench/label-scale.sh.
#
# Usage: bench/run.sh quick|full|smoke [output file]
#        bench/run.sh record full-job|parity|soft-labels|label-scale
#   quick  12,000 training images, 2 teacher and 2 student epochs, short JMH runs: at most 10 minutes on 2 cores
#   full   all 60,000 images with the epochs of conf/fashion-mnist.yaml, longer JMH runs, every section script
#   smoke  600 images, 1 epoch, one JMH iteration each: checks that the harness works, its figures mean nothing
#   record measures one long section (full-job: the demo's job, all 60,000 images and the config's epochs, in Distillery
#          and the PyTorch peer, about 15 minutes; parity: the teacher trained twice; soft-labels: every storage mode and the
#          label stage at ~1.19M rows; label-scale: the label stage on 1.2M distinct rows against PyTorch) into
#          docs/measured/<section>.md. Full mode records them too; quick and smoke
#          include the last recorded file, with its date and commit, instead of measuring again.
# Environment: DISTILLERY_FASHION_MNIST (data folder), DISTILLERY_BENCH_WORK (scratch folder, default
# target/bench-<mode>), DISTILLERY_PYTHON (the peer's interpreter, default /usr/bin/python3).
# Exit codes: 0 written, 1 a measurement failed (its log is named), 2 bad usage or missing data or tools.
# The output file is replaced only when every section has been measured.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${1:-}"
SECTION=""
if [[ "$MODE" == record ]]; then SECTION="${2:-}"; OUT_FILE=/dev/null
else OUT_FILE="$(realpath -m "${2:-$HOME_DIR/docs/benchmarks.md}")"; fi
MEASURED="$HOME_DIR/docs/measured"
DATA="${DISTILLERY_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
PYTHON="${DISTILLERY_PYTHON:-/usr/bin/python3}"
CONF="$HOME_DIR/conf/fashion-mnist.yaml"
THREADS="$(nproc)"

EXTRA_SETS=()   # smoke: fewer test rows written by prepare (accuracies are measured on the IDX test file)
case "$MODE" in
  quick) ROWS=12000; T_EPOCHS=2; S_EPOCHS=2; GEMM_SIZES=1024,2048; GEMM_SECONDS=4
         JMH=(-f 1 -wi 1 -w 1s -i 2 -r 1s); TRAINER=(4000 1 8) ;;
  full)  ROWS=0; T_EPOCHS=6; S_EPOCHS=10; GEMM_SIZES=1024,2048; GEMM_SECONDS=15
         JMH=(-f 2 -wi 3 -w 2s -i 5 -r 2s); TRAINER=(12000 3 8) ;;
  smoke) ROWS=600; T_EPOCHS=1; S_EPOCHS=1; GEMM_SIZES=128,256; GEMM_SECONDS=0.2
         JMH=(-f 0 -wi 0 -i 1 -r 20ms); TRAINER=(); EXTRA_SETS=(--set data.test_limit=500) ;;
  record) [[ "$SECTION" =~ ^(full-job|parity|soft-labels|label-scale)$ ]] \
            || { echo "usage: bench/run.sh record full-job|parity|soft-labels|label-scale" >&2; exit 2; }
          ROWS=0; T_EPOCHS=6; S_EPOCHS=10; GEMM_SIZES=1024,2048; GEMM_SECONDS=4 ;;
  *) echo "usage: bench/run.sh quick|full|smoke [output file] | record full-job|parity|soft-labels|label-scale" >&2; exit 2 ;;
esac
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [[ -f "$DATA/$f.gz" || -f "$DATA/$f" ]] || { echo "error: $DATA/$f(.gz) not found; set DISTILLERY_FASHION_MNIST to the Fashion-MNIST IDX folder" >&2; exit 2; }
done
[[ ( "$MODE" == record && "$SECTION" != full-job ) || -x "$PYTHON" ]] || { echo "error: the PyTorch peer's interpreter $PYTHON does not exist; set DISTILLERY_PYTHON" >&2; exit 2; }
mkdir -p "$(dirname "$OUT_FILE")"

WORK="$(realpath -m "${DISTILLERY_BENCH_WORK:-$HOME_DIR/target/bench-$MODE}")"
rm -rf "$WORK"; mkdir -p "$WORK"
source "$HOME_DIR/bench/common.sh"
JMH_CP="$HOME_DIR/benchmarks/target/classes:$(cat "$HOME_DIR/benchmarks/target/classpath.txt" 2>/dev/null || true)"
[[ "$MODE" == record || -f "$HOME_DIR/benchmarks/target/classes/META-INF/BenchmarkList" ]] \
  || { echo "error: JMH benchmarks not built; run mvn -B -DskipTests package first" >&2; exit 2; }

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
fail() { echo "error: $1 failed; see $2" >&2; exit 1; }
# java with Distillery's JVM settings; standard error to the named log
jvm() { local logfile="$1"; shift; java -Xmx6g $OPENS $NATIVE -cp "$CP" "$@" 2>>"$logfile"; }
# awk over a RESULT file: field $2 of the line whose tag columns match
val() { awk -v tag="$2" -v key="$3" -v col="$4" '$1=="RESULT" && $2==tag && (key=="" || $3==key) {print $col; exit}' "$1"; }
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN {if (a > 0 && b > 0) printf "%.2fx", a/b; else print "n/a"}'; }
pct() { awk -v a="${1:-0}" 'BEGIN {printf "%.2f%%", 100*a}'; }
num() { awk -v a="${1:-0}" 'BEGIN {printf "%.0f", a}'; }
gib() { awk -v a="${1:-0}" 'BEGIN {printf "%.2f GiB", a/1073741824}'; }

COMMANDS=()
record() { COMMANDS+=("$*"); }

# ---------------------------------------------------------------------------------------------------------------
# One function per section. Each measures, then prints its Markdown; a figure that lands later gets its own.
# ---------------------------------------------------------------------------------------------------------------

section_ceiling() {
  log "GEMM ceiling ($GEMM_SIZES)"
  record "java ... dev.distillery.bench.GemmCeiling $GEMM_SIZES $GEMM_SECONDS"
  jvm "$WORK/gemm.log" dev.distillery.bench.GemmCeiling "$GEMM_SIZES" "$GEMM_SECONDS" > "$WORK/gemm.txt" \
    || fail "GEMM ceiling" "$WORK/gemm.log"
  GEMM_SMALL=$(awk '$1=="RESULT" && $2=="gemm" {print $4; exit}' "$WORK/gemm.txt")
  GEMM_LARGE=$(awk '$1=="RESULT" && $2=="gemm" {v=$4} END {print v}' "$WORK/gemm.txt")
  echo "## Compute ceiling: float GEMM"
  echo
  echo "Square single-precision matrix products through ND4J (its bundled OpenBLAS) on all $THREADS cores, best of"
  echo "repeated products over about $GEMM_SECONDS s per size after a warm-up. The figures below are fractions of these."
  echo
  echo "| size | GFLOP/s | threads |"
  echo "| --- | --- | --- |"
  awk '$1=="RESULT" && $2=="gemm" {printf "| %d x %d | %.1f | %d |\n", $3, $3, $4, $5}' "$WORK/gemm.txt"
  echo
}

section_pipeline() {
  log "Distillery pipeline: prepare, train-teacher, label, distill (${ROWS} rows, 0 = all)"
  local out="$WORK/pipeline"
  local sets=(--master "local[$THREADS]" --set "data.dir=$DATA" --set "data.train_limit=$ROWS"
              --set "teacher.epochs=$T_EPOCHS" --set "distill.epochs=$S_EPOCHS" "${EXTRA_SETS[@]}")
  record "java ... dev.distillery.bench.PipelineBenchmark $DATA $out.jfr --config conf/fashion-mnist.yaml --out $out ${sets[*]}"
  (unset OMP_NUM_THREADS; jvm "$WORK/pipeline.log" dev.distillery.bench.PipelineBenchmark "$DATA" "$out.jfr" \
    --config "$CONF" --out "$out" "${sets[@]}" > "$WORK/pipeline.txt") || fail "the pipeline benchmark" "$WORK/pipeline.log"
  # the same teacher in a plain batched loop on the same rows, all cores (no Spark, no Parquet output)
  record "OMP_NUM_THREADS=$THREADS java ... dev.distillery.bench.SoftLabelBenchmark plain $out 128"
  (export OMP_NUM_THREADS="$THREADS"; jvm "$WORK/plain.log" dev.distillery.bench.SoftLabelBenchmark plain "$out" 128 \
    > "$WORK/plain.txt") || fail "the plain inference loop" "$WORK/plain.log"
  # the label stage's default engine: the teacher's ONNX export, one single-threaded session call per thread
  record "java ... dev.distillery.bench.SoftLabelBenchmark plain $out 128 $THREADS onnxruntime"
  jvm "$WORK/plain-ort.log" dev.distillery.bench.SoftLabelBenchmark plain "$out" 128 "$THREADS" onnxruntime \
    > "$WORK/plain-ort.txt" || fail "the plain ONNX Runtime loop" "$WORK/plain-ort.log"
  echo "## Distillery's pipeline"
  echo
  echo "prepare, train-teacher, label and distill of conf/fashion-mnist.yaml in one JVM (-Xmx6g, Spark local[$THREADS]), as"
  echo "\`distillery run\` runs them; $(train_rows_text). Peak RSS is the stage's high-water"
  echo "mark (reset at its start, so it includes what earlier stages still hold); the distill stage trains the distilled"
  echo "student and its hard-label baseline."
  echo
  echo "| stage | seconds | peak heap | peak RSS | CPU (cores busy of $(nproc)) |"
  echo "| --- | --- | --- | --- | --- |"
  awk '$1=="RESULT" && $2=="stage" {printf "| %s | %.1f | %.2f GiB | %.2f GiB%s | %.2f |\n", $3, $4, $5/1073741824, $6/1073741824, ($7=="stage" ? "" : " (process peak)"), $8}' "$WORK/pipeline.txt"
  echo
}

train_rows_text() {
  local rows; rows=$(val "$WORK/pipeline.txt" train teacher 9)
  echo "${rows:-?} training rows (data.train_limit=$ROWS, 10% held out for validation), $T_EPOCHS teacher and $S_EPOCHS student epochs, batch 64, the 10,000 test images"
}

# the PyTorch peer's environment, into the caller's env array: Debian's OpenMP build of OpenBLAS, where installed,
# shares torch's OpenMP threads (the pthread build is the default)
peer_env() {
  local blas=/usr/lib/x86_64-linux-gnu/openblas-openmp
  [[ -f "$blas/libblas.so.3" ]] && env=("LD_LIBRARY_PATH=$blas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}") || true
}

section_peer() {
  log "PyTorch peer"
  local args=(--data "$DATA" --train-limit "$ROWS" --teacher-epochs "$T_EPOCHS" --student-epochs "$S_EPOCHS"
              --threads "$THREADS" --batch-size 64 --label-batch-size 128 --teacher-lr 0.002 --student-lr 0.003 --temperature 4.0 --alpha 0.7)
  local env=(); peer_env
  record "${env[*]} $PYTHON bench/peer/peer.py ${args[*]}"
  env "${env[@]}" "$PYTHON" "$HOME_DIR/bench/peer/peer.py" "${args[@]}" > "$WORK/peer.txt" 2> "$WORK/peer.log" \
    || fail "the PyTorch peer" "$WORK/peer.log"
  local d="$WORK/pipeline.txt" p="$WORK/peer.txt"
  local dt pt dta pta ds ps dsa psa dl pl dp
  dt=$(val "$d" train teacher 4); pt=$(val "$p" train teacher 4)
  dta=$(val "$d" train teacher 5); pta=$(val "$p" train teacher 5)
  ds=$(val "$d" train student-kd 4); ps=$(val "$p" train student-kd 4)
  dsa=$(val "$d" train student-kd 5); psa=$(val "$p" train student-kd 5)
  # both students of the distill stage: their epochs' samples over the time the stage spent on them (Distillery
  # trains them side by side, so the longer of the two; the peer one after the other, so the sum)
  local dba pba dboth pboth
  dba=$(val "$d" train student-baseline 5); pba=$(val "$p" train student-baseline 5)
  dboth=$(awk '$1=="RESULT" && $2=="train" && $3 ~ /^student-(kd|baseline)$/ {n += $8 * $9; if ($10 > t) t = $10}
               END {if (t > 0) print n / t}' "$d")
  pboth=$(awk '$1=="RESULT" && $2=="train" && $3 ~ /^student-(kd|baseline)$/ {n += $8 * $9; t += $10}
               END {if (t > 0) print n / t}' "$p")
  dl=$(awk '$1=="RESULT" && $2=="label" {print $3/$4}' "$d"); pl=$(awk '$1=="RESULT" && $2=="label" {print $3/$4}' "$p")
  dp=$(awk '$1=="RESULT" && $2=="plain" {print $3/$4}' "$WORK/plain.txt")
  local dpo; dpo=$(awk '$1=="RESULT" && $2=="plain" {print $3/$4}' "$WORK/plain-ort.txt")
  TEACHER_RATIO=$(awk -v a="$dt" -v b="$pt" 'BEGIN {print (b > 0 ? a/b : 0)}')
  LABEL_RATIO=$(awk -v a="$dl" -v b="$pl" 'BEGIN {print (b > 0 ? a/b : 0)}')
  STUDENT_RATIO=$(awk -v a="$ds" -v b="$ps" 'BEGIN {print (b > 0 ? a/b : 0)}')
  local torch; torch=$(awk '$1=="RESULT" && $2=="peer" {print "PyTorch " $3 ", " $4 " threads, BLAS " $5}' "$p")
  echo "## Against PyTorch"
  echo
  echo "The same job in PyTorch on the same machine ($torch): bench/peer/peer.py builds the same"
  echo "teacher (conv32-conv64-dense128, 421,642 parameters) and ds-cnn student (34,666) with the same initialisation scheme"
  echo "(He-normal, zero biases), Adam with the same warm-up and cosine schedule, batch 64, the same epochs, rows and"
  echo "distillation loss (T=4, alpha 0.7), and keeps each run's best validation epoch. Distillery trains data-parallel on"
  echo "$THREADS Spark workers (parameters averaged every 8 minibatches), PyTorch in one process on $THREADS threads."
  echo "Samples/s is training rows over each epoch's wall time including its validation pass, averaged over epochs, for"
  echo "both. The peer's validation rows are a seeded random 10%, Distillery's a hashed 10%. Targets: training at least"
  echo "0.6x PyTorch's throughput at equal accuracy (within 0.5 points); labelling at least 3x PyTorch's rows/s. The label"
  echo "stage runs the teacher's ONNX export in ONNX Runtime (label.engine, its default); the plain loops show both engines."
  echo "The distill stage trains two students, the KD student and its hard-label baseline, side by side on the $THREADS"
  echo "workers; the peer trains the same two one after the other. Its row counts both students' samples over the time"
  echo "spent on them (Distillery: the longer student's epochs; the peer: both students' epochs); the KD student's own"
  echo "samples/s, which on Distillery's side shares the cores with the baseline, is the row below it."
  echo
  echo "| figure | Distillery | PyTorch | Distillery/PyTorch | test accuracy Distillery | test accuracy PyTorch | target |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  echo "| teacher training, samples/s | $(num "$dt") | $(num "$pt") | $(ratio "$dt" "$pt") | $(pct "$dta") | $(pct "$pta") | $(verdict_times 0.6 "$dt" "$pt" "$dta" "$pta") |"
  echo "| soft labels, rows/s (label stage end to end: Spark, Parquet out; PyTorch: inference only) | $(num "$dl") | $(num "$pl") | $(ratio "$dl" "$pl") | | | $(verdict_times 3 "$dl" "$pl") |"
  echo "| soft labels, rows/s (plain batched inference loop, SameDiff, $THREADS threads) | $(num "$dp") | $(num "$pl") | $(ratio "$dp" "$pl") | | | $(verdict_times 3 "$dp" "$pl") |"
  echo "| soft labels, rows/s (plain batched inference loop, ONNX Runtime, $THREADS threads) | $(num "$dpo") | $(num "$pl") | $(ratio "$dpo" "$pl") | | | $(verdict_times 3 "$dpo" "$pl") |"
  echo "| distill stage, both students, samples/s (accuracies: KD; baseline $(pct "$dba") and $(pct "$pba")) | $(num "$dboth") | $(num "$pboth") | $(ratio "$dboth" "$pboth") | $(pct "$dsa") | $(pct "$psa") | $(verdict_times 0.6 "$dboth" "$pboth" "$dsa" "$psa") |"
  echo "| student distillation, samples/s (the KD student alone) | $(num "$ds") | $(num "$ps") | $(ratio "$ds" "$ps") | $(pct "$dsa") | $(pct "$psa") | $(verdict_times 0.6 "$ds" "$ps" "$dsa" "$psa") |"
  echo
  echo "### GFLOP/s against the ceiling"
  echo
  echo "FLOPs per sample are 2 x the architecture's multiply-accumulates (Architecture.macs()), x3 for a training step"
  echo "(forward, and backward for activations and weights); pooling, activations and the optimizer are not counted."
  echo
  echo "| workload | MACs per sample | FLOPs per sample | Distillery GFLOP/s | % of GEMM $(awk '$1=="RESULT" && $2=="gemm" {print $3; exit}' "$WORK/gemm.txt") | % of GEMM $(awk '$1=="RESULT" && $2=="gemm" {v=$3} END {print v}' "$WORK/gemm.txt") | PyTorch GFLOP/s |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  local tm sm; tm=$(val "$d" train teacher 6); sm=$(val "$d" train student-kd 6)
  flops_row "teacher training" "$tm" 6 "$dt" "$pt"
  flops_row "teacher inference (label stage)" "$tm" 2 "$dl" "$pl"
  flops_row "teacher inference (plain loop, SameDiff)" "$tm" 2 "$dp" "$pl"
  flops_row "teacher inference (plain loop, ONNX Runtime)" "$tm" 2 "$dpo" "$pl"
  flops_row "student distillation training" "$sm" 6 "$ds" "$ps"
  echo
}

# target column: met when Distillery is at least PyTorch's speed and (where accuracies are given) within 0.5 points
# verdict against a multiple of the peer's figure: verdict_times 3 a b
verdict_times() {
  local f="$1"; shift
  printf "%sx PyTorch: " "$f"
  verdict "$(awk -v a="${1:-0}" -v f="$f" 'BEGIN {print a / f}')" "${2:-0}" "${3:-}" "${4:-}"
}

verdict() {
  awk -v a="${1:-0}" -v b="${2:-0}" -v x="${3:-}" -v y="${4:-}" 'BEGIN {
    if (a <= 0 || b <= 0) {print "n/a"; exit}
    gap = (x != "" && y != "") ? 100 * (x - y) : 0
    acc = (x != "" && y != "") ? sprintf(", accuracy %+.2f points", gap) : ""
    if (a >= b && gap >= -0.5) printf "met%s", acc
    else if (a >= b) printf "**not met: accuracy %+.2f points** (throughput met)", gap
    else printf "**not met: %.0f%% behind**%s", 100 * (1 - a / b), acc }'
}

flops_row() {
  awk -v name="$1" -v macs="$2" -v k="$3" -v d="$4" -v p="$5" -v s="$GEMM_SMALL" -v l="$GEMM_LARGE" 'BEGIN {
    f = macs * k; g = f * d / 1e9
    printf "| %s | %d | %d | %.2f | %.1f%% | %.1f%% | %.2f |\n", name, macs, f, g, 100 * g / s, 100 * g / l, f * p / 1e9 }'
}

section_profile() {
  local jfr="$WORK/pipeline.jfr"
  echo "## Where the time goes"
  echo
  echo "A JFR recording (the JDK's \"profile\" settings) covered every pipeline stage of the run above; for each comparison"
  echo "where Distillery is behind PyTorch, the stage's most frequent top frames (Java and native-method samples) and"
  echo "innermost Distillery frames. Native code below a JNI call shows as that call. Recording: \`jfr print --events"
  echo "jdk.ExecutionSample $jfr\` (kept until the next run)."
  echo
  local any=0
  behind "$TEACHER_RATIO" && { profile_stage train-teacher "teacher training"; any=1; }
  behind "$LABEL_RATIO" && { profile_stage label "soft labels"; any=1; }
  behind "$STUDENT_RATIO" && { profile_stage distill "student distillation"; any=1; }
  (( any )) || { echo "Distillery is not behind in any comparison of this run."; echo; }
}

frames() {
  awk -v s="$1" -v k="$2" '$1=="PROFILE" && $2==s && $3==k {f=$0; for (i = 1; i <= 5; i++) sub(/^[^ ]+ /, "", f)
    printf "| %.1f%% | %d | `%s` |\n", 100*$4, $5, f}' "$WORK/pipeline.txt"
}

behind() { awk -v r="${1:-0}" 'BEGIN {exit !(r > 0 && r < 1)}'; }

profile_stage() {
  echo "### $2 (stage $1)"
  echo
  echo "| share of samples | samples | top frame |"
  echo "| --- | --- | --- |"
  frames "$1" top
  echo
  echo "| share of samples | samples | innermost Distillery frame |"
  echo "| --- | --- | --- |"
  frames "$1" distillery
  echo
}

section_step_profile() {
  local steps=40 warm=10; [[ "$MODE" == smoke ]] && { steps=2; warm=1; }
  [[ "$MODE" == full ]] && { steps=100; warm=20; }
  log "per-op training step profile (teacher and student, one thread, $steps steps)"
  local env=() m; peer_env
  for m in teacher student; do
    record "OMP_NUM_THREADS=1 java ... dev.distillery.bench.StepProfile $DATA $m 64 $warm $steps"
    (export OMP_NUM_THREADS=1; jvm "$WORK/step-$m.log" dev.distillery.bench.StepProfile "$DATA" "$m" 64 "$warm" "$steps" \
      > "$WORK/step-$m.txt") || fail "the $m step profile" "$WORK/step-$m.log"
    record "${env[*]} $PYTHON bench/peer/step_profile.py --data $DATA --model $m --batch 64 --warmup $warm --steps $steps --threads 1"
    env "${env[@]}" "$PYTHON" "$HOME_DIR/bench/peer/step_profile.py" --data "$DATA" --model "$m" --batch 64 --warmup "$warm" \
      --steps "$steps" --threads 1 > "$WORK/step-$m-peer.txt" 2> "$WORK/step-$m-peer.log" || fail "the $m step profile in PyTorch" "$WORK/step-$m-peer.log"
  done
  echo "## One training step, op by op"
  echo
  echo "Where the engines spend a training step (batch 64, Adam, one thread, $steps steps after $warm of warm-up, real"
  echo "Fashion-MNIST minibatches, no Spark): Distillery's StepProfile times every SameDiff op through a listener; PyTorch's"
  echo "step_profile.py reads its operator profiler (top-level operators; a backward entry holds that operator's whole"
  echo "gradient). \"outside ops\" is the rest of the step: the engine's graph session and optimizer update for"
  echo "SameDiff, Python and autograd bookkeeping for PyTorch. PyTorch's step time is taken without its profiler, and"
  echo "its time outside operators from the profiled steps' own wall time."
  echo
  for m in teacher student; do
    awk -v m="$m" 'FNR==1 {f++} $1=="RESULT" && $2=="step" {st[f]=$5; in_[f]=$6}
         END {printf "- %s: Distillery %.1f ms per step (%.1f ms inside ops), PyTorch %.1f ms (%.1f ms inside operators): Distillery/PyTorch speed %.2fx%s.\n", m, st[1], in_[1], st[2], in_[2], st[2]/st[1], (in_[1] > st[2] ? "; the engine'"'"'s ops alone take longer than PyTorch'"'"'s whole step" : "")}' \
      "$WORK/step-$m.txt" "$WORK/step-$m-peer.txt"
  done
  echo
  for m in teacher student; do
    echo "| $m: SameDiff op | ms per step | calls | PyTorch operator | ms per step | calls |"
    echo "| --- | --- | --- | --- | --- | --- |"
    awk -F'\t' 'NR==FNR {a[FNR]=$0; na=FNR; next} {b[FNR]=$0; nb=FNR}
      END {for (i = 1; i <= (na > nb ? na : nb); i++) {split(a[i] "\t\t", x, "\t"); split(b[i] "\t\t", y, "\t")
        printf "| %s | %s | %s | %s | %s | %s |\n", (x[1] == "" ? "" : "`" x[1] "`"), x[2], x[3], (y[1] == "" ? "" : "`" y[1] "`"), y[2], y[3]}}' \
      <(step_ops "$WORK/step-$m.txt" "(outside ops)") <(step_ops "$WORK/step-$m-peer.txt" "(outside operators)")
    echo
  done
}

# the 8 costliest ops of a StepProfile or step_profile.py output, then the step's time outside them: name, ms, calls
step_ops() {
  { awk '$1=="RESULT" && $2=="op" {n=$4; sub(/^autograd::engine::evaluate_function:_/, "backward: ", n); printf "%s\t%.2f\t%g\n", n, $5, $6}' "$1" | head -8
    awk -v label="$2" '$1=="RESULT" && $2=="step" {printf "%s\t%.2f\t\n", label, (NF >= 7 ? $7 : $5) - $6}' "$1"; }
}

section_jmh() {
  log "JMH benchmarks (${JMH[*]})"
  record "OMP_NUM_THREADS=1 java -cp benchmarks/target/classes:<its classpath.txt> org.openjdk.jmh.Main ${JMH[*]} -rf csv"
  (export OMP_NUM_THREADS=1; java -Xmx2g $NATIVE -cp "$JMH_CP" org.openjdk.jmh.Main "${JMH[@]}" -foe true \
    -jvmArgsAppend "-Xmx2g $NATIVE" -rf csv -rff "$WORK/jmh.csv" > "$WORK/jmh.log" 2>&1) || fail "JMH" "$WORK/jmh.log"
  echo "## Kernels (JMH)"
  echo
  echo "JMH 1.37 (\`${JMH[*]}\`), one thread. Integer runtime kernels (int8 codes, int32 accumulators) against the same"
  echo "loops in float, one image per call, in multiply-accumulates per second; the machine's float ceiling per core is"
  echo "about half the GEMM figure above."
  echo
  echo "| layer | int8 GMAC/s | float GMAC/s | int8 / float |"
  echo "| --- | --- | --- | --- |"
  "$PYTHON" - "$WORK/jmh.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
kern = {r["Benchmark"].rsplit(".", 1)[1]: float(r["Score"]) for r in rows if ".KernelBenchmark." in r["Benchmark"]}
names = {"StemConv": "student stem 3x3 conv, 1->16, 28x28", "Depthwise": "student 3x3 depthwise, 16 ch, 14x14",
         "Pointwise": "student 1x1 conv, 16->32, 14x14", "Dense": "student dense 3136->10",
         "TeacherConv": "teacher 3x3 conv, 32->64, 14x14", "TeacherDense": "teacher dense 3136->128"}
for key, label in names.items():
    i, f = kern.get("int8" + key), kern.get("float" + key)
    if i and f:
        print(f"| {label} | {i / 1e9:.3g} | {f / 1e9:.3g} | {i / f:.2f}x |")
print()
print("Training kernels: the default student's training step (forward, backward, Adam) on a minibatch of 64, with the")
print("cross-entropy or the distillation loss, float or fake-quantized (8-bit weights and activations); the loss alone")
print("(value and gradient for 64 rows) in the engine's graph; and the distillation loss in plain Java for 64 rows.")
print()
print("| benchmark | parameters | time per call | error (99.9%) |")
print("| --- | --- | --- | --- |")
for r in rows:
    if ".KernelBenchmark." in r["Benchmark"]:
        continue
    params = ", ".join(r[k] for k in r if k.startswith("Param") and r[k])
    err = r["Score Error (99.9%)"]
    err = "" if err in ("NaN", "") else f"{float(err):.3g}"
    print(f"| {r['Benchmark'].split('.')[-2]}.{r['Benchmark'].split('.')[-1]} | {params} | {float(r['Score']):.3g} {r['Unit'].replace('/op', '')} | {err} |")
EOF
  echo
}

section_trainer() {
  echo "## Spark trainer against a plain loop"
  echo
  if (( ${#TRAINER[@]} == 0 )); then echo "Not run in $MODE mode (bench/trainer.sh)."; echo; return; fi
  log "bench/trainer.sh ${TRAINER[*]}"
  record "bench/trainer.sh ${TRAINER[*]}"
  echo "\`bench/trainer.sh ${TRAINER[*]}\` (rows, repeats, averaging frequency): the teacher, batch 64, one warm epoch each."
  echo
  "$HOME_DIR/bench/trainer.sh" "${TRAINER[@]}" 2> "$WORK/trainer.log" || fail "bench/trainer.sh" "$WORK/trainer.log"
  echo
}

# A section too long for quick mode: measured in full and record modes, which also keep it in
# docs/measured/<name>.md with its date, commit, load and command; the other modes include that file instead.
long_section() {
  local name="$1" title="$2" body="$WORK/$1.section.md" t0 before
  echo "## $title"
  echo
  if [[ "$MODE" == full || "$MODE" == record ]]; then
    t0=$(date -u '+%Y-%m-%d %H:%M'); before=$(cut -d' ' -f1-3 /proc/loadavg)
    "$3" > "$body"
    cat "$body"
    mkdir -p "$MEASURED"
    { echo "<!-- Recorded by bench/run.sh $MODE${SECTION:+ $SECTION}; do not edit by hand. -->"
      echo "Measured $t0 to $(date -u '+%Y-%m-%d %H:%M') UTC by \`bench/run.sh $MODE${SECTION:+ $SECTION}\` at commit" \
        "$(git -C "$HOME_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$HOME_DIR" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)'),"
      echo "load average $before before and $(cut -d' ' -f1-3 /proc/loadavg) after (2 cores: above 2.5 the timings are disturbed)."
      echo
      cat "$body"; } > "$MEASURED/$name.md.tmp"
    mv -f "$MEASURED/$name.md.tmp" "$MEASURED/$name.md"
  elif [[ -f "$MEASURED/$name.md" ]]; then
    echo "Not measured again in $MODE mode. The last recorded measurement (docs/measured/$name.md, \`bench/run.sh record $name\`):"
    echo
    sed '/^<!--.*-->$/d' "$MEASURED/$name.md"
  else
    echo "Not measured in $MODE mode and never recorded: run \`bench/run.sh record $name\`."
  fi
  echo
}

# The comparison of record: the demo's job (all 60,000 images, the epochs of conf/fashion-mnist.yaml) in
# Distillery and in the PyTorch peer, one after the other. Full mode's pipeline and peer sections are this section.
measure_full_job() {
  if [[ -z "${GEMM_LARGE:-}" ]]; then section_ceiling > /dev/null; fi
  section_pipeline > "$WORK/full-job.part.md"
  section_peer >> "$WORK/full-job.part.md"
  sed 's/^## /### /' "$WORK/full-job.part.md"
}
section_full_job() { long_section full-job "The full job against PyTorch" measure_full_job; }
section_parity() { long_section parity "Parity: two workers against one process" measure_parity; }
section_soft_labels() { long_section soft-labels "Soft labels: storage, fidelity, throughput, memory" measure_soft_labels; }
section_label_scale() { long_section label-scale "The label stage against PyTorch at scale" measure_label_scale; }

measure_label_scale() {
  log "bench/label-scale.sh"
  record "bench/label-scale.sh $WORK/label-scale 2"
  echo "Command: \`bench/label-scale.sh $WORK/label-scale 2\`: a default-architecture teacher trained one epoch by"
  echo "train-teacher labels 1.2M distinct prepared rows in ONNX Runtime (local[2], one thread per task), on its own in a"
  echo "fresh JVM and as \`distillery run\` runs it; the same teacher in a plain loop and PyTorch's inference on 60,000 rows."
  echo "Medians of 2 runs, stage times from the stage's manifest."
  echo
  DISTILLERY_FASHION_MNIST="$DATA" DISTILLERY_PYTHON="$PYTHON" "$HOME_DIR/bench/label-scale.sh" "$WORK/label-scale" 2 \
    > "$WORK/label-scale.txt" 2> "$WORK/label-scale.log" || fail "bench/label-scale.sh" "$WORK/label-scale.log"
  grep '^|' "$WORK/label-scale.txt"
  echo
}

measure_parity() {
  log "bench/parity.sh"
  record "bench/parity.sh conf/fashion-mnist.yaml --set data.dir=$DATA"
  echo "Command: \`bench/parity.sh conf/fashion-mnist.yaml --set data.dir=$DATA\` (the config's teacher and epochs, all training rows)."
  echo
  "$HOME_DIR/bench/parity.sh" "$CONF" --set "data.dir=$DATA" 2> "$WORK/parity.log" || fail "bench/parity.sh" "$WORK/parity.log"
}

measure_soft_labels() {
  if [[ -z "${GEMM_LARGE:-}" ]]; then section_ceiling > /dev/null; fi
  log "bench/soft-labels.sh"
  record "bench/soft-labels.sh $WORK/soft-labels 22 10000"
  echo "Command: \`bench/soft-labels.sh $WORK/soft-labels 22 10000\` (a stand-in teacher of the default architecture trained"
  echo "for one epoch on 10,000 rows; every mode labels the 60,000 train and validation rows; local[2], one OpenMP thread per task)."
  if [[ -n "${STEPS:-}" || -n "${MODES:-}" ]]; then
    echo "Only part of the section was run: STEPS=\"${STEPS:-all}\", MODES=\"${MODES:-all}\"."
  fi
  echo
  "$HOME_DIR/bench/soft-labels.sh" "$WORK/soft-labels" 22 10000 > "$WORK/soft-labels.txt" 2> "$WORK/soft-labels.log" \
    || fail "bench/soft-labels.sh" "$WORK/soft-labels.log"
  echo "Bytes per row and fidelity (mean KL divergence of the rebuilt teacher distribution from the dense one):"
  echo
  echo "| storage | bytes per row | KL at T=1 | KL at T=4 | label rows/s (stage time) |"
  echo "| --- | --- | --- | --- | --- |"
  awk '$1=="RESULT" && $2=="label" && NF>=8 {rate[$3]=$4/$7}
       $1=="RESULT" && $2=="fidelity" {m=$3; sub(/^top-k-/, "top-k:", m); printf "| %s | %.1f | %s | %s | %.0f |\n", $3, $4, $5, $6, rate[m]}' "$WORK/soft-labels.txt"
  echo
  echo "| measurement | rows | rows/s or peak |"
  echo "| --- | --- | --- |"
  awk '$1=="RESULT" && $2=="label" && NF>=8 {printf "| label stage, %s | %d | %.0f rows/s (stage %.1f s, process %.1f s) |\n", $3, $4, $4/$7, $7, $5}
       $1=="RESULT" && $2=="plain" {printf "| plain loop, %s | %d | %.0f rows/s |\n", $3, $4, $4/$5}
       $1=="RESULT" && $2=="plain-views" {printf "| plain loop, %s, the %d-view rows the label stage wrote | %d | %.0f rows/s |\n", $3, $7, $4, $4/$5}
       $1=="RESULT" && $2=="views" {printf "| label stage, %d views | %d | %.0f rows/s (stage %.1f s); heap %.2f GiB, live after GC %.2f GiB |\n", $3, $4, $4/$7, $7, $6/1073741824, $8/1073741824}
       $1=="RESULT" && $2=="rss" {printf "| label stage RSS, %d views | | %.2f GiB |\n", $3, $4/1048576}' "$WORK/soft-labels.txt"
  echo
  awk -v gemm="${GEMM_LARGE:-0}" '$1=="RESULT" && $2=="label" && $3=="dense-float32" {label=$4/$7}
       $1=="RESULT" && $2=="plain" && $4/$5 > plain {plain=$4/$5; how=$3}
       $1=="RESULT" && $2=="teacher_macs" {macs=$3}
       $1=="RESULT" && $2=="views" {heap[$3]=$6; live[$3]=$8; rows[$3]=$4; rate[$3]=$4/$7}
       $1=="RESULT" && $2=="rss" {rss[$3]=$4}
       $1=="RESULT" && $2=="plain-views" {pv=$4/$5; pvviews=$7; pvrows=$4}
       END {
         if (pv > 0 && rate[pvviews] > 0) {
           printf "- **At scale** (%d rows, %d views): the label stage at %.0f rows/s against the plain loop on the same rows at %.0f rows/s (two threads, a teacher copy each, views made in the loop as the stage makes them): %.2fx, overhead %.1f%% (target: at most 20%%).\n", pvrows, pvviews, rate[pvviews], pv, rate[pvviews]/pv, 100*(1-rate[pvviews]/pv)
           if (macs > 0 && gemm > 0) printf "- Teacher inference in the label stage at scale: %.1f GFLOP/s (%d MACs per row), %.1f%% of the %.1f GFLOP/s GEMM ceiling; the plain loop: %.1f GFLOP/s.\n", rate[pvviews]*2*macs/1e9, macs, 100*rate[pvviews]*2*macs/1e9/gemm, gemm, pv*2*macs/1e9
         }
         if (label > 0 && plain > 0) printf "- At 60,000 rows (one view), where the stage'"'"'s fixed costs (Spark session, query planning, each task'"'"'s teacher set-up and warm-up) weigh more: the label stage (dense float32) against the fastest plain loop (%s): %.2fx, overhead %.1f%%.\n", how, label/plain, 100*(1-label/plain)
         if (label > 0 && macs > 0 && gemm > 0) printf "- Teacher inference in the label stage at 60,000 rows: %.1f GFLOP/s, %.1f%% of the %.1f GFLOP/s GEMM ceiling; the plain loop: %.1f GFLOP/s.\n", label*2*macs/1e9, 100*label*2*macs/1e9/gemm, gemm, plain*2*macs/1e9
         n=0; for (v in rows) {n++; views[n]=v}
         if (n == 2) {
           small = (rows[views[1]] < rows[views[2]]) ? views[1] : views[2]; large = (small == views[1]) ? views[2] : views[1]
           printf "- Memory from %d to %d rows: peak heap %+.1f%%, live heap after GC %+.1f%%, peak RSS %+.1f%% (target: each within 15%%).\n", rows[small], rows[large], 100*(heap[large]/heap[small]-1), 100*(live[large]/live[small]-1), 100*(rss[large]/rss[small]-1)
         }
       }' "$WORK/soft-labels.txt"
  echo
}

section_latency() {
  local runs=400; [[ "$MODE" == smoke ]] && runs=10
  log "inference latency"
  record "java ... dev.distillery.bench.LatencyBenchmark $WORK/pipeline/student/student-kd.dmodel $DATA 1,64 $runs"
  jvm "$WORK/latency.log" dev.distillery.bench.LatencyBenchmark "$WORK/pipeline/student/student-kd.dmodel" "$DATA" \
    1,64 "$runs" > "$WORK/latency.txt" || fail "the latency benchmark" "$WORK/latency.log"
  echo "## Inference latency: fp32 against int8"
  echo
  echo "The pipeline's KD student in each runtime, fp32 and int8 (its min-max per-channel PTQ, calibrated on 2,000"
  echo "training images), on 1,000 test images taken in turn; median of $runs calls at batch 1 and of $((runs / 64 > 5 ? runs / 64 : 5)) at"
  echo "batch 64, after warm-up calls. ONNX Runtime uses its default threads; SameDiff and the integer runtime one"
  echo "thread. Agreement is the argmax agreement on the 1,000 images."
  echo
  echo "| runtime | precision | batch 1: ms per call | batch 64: ms per call | batch 64: us per row | agrees with fp32 | agrees with integer int8 |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  awk '$1=="RESULT" && $2=="agreement" {k=$3" "$4; a[k]=$5; b[k]=$6; if (!(k in seen)) {seen[k]=1; order[++n]=k}}
       $1=="RESULT" && $2=="latency" {k=$3" "$4; if ($5==1) one[k]=$6; else {many[k]=$6; per[k]=$8}}
       END {for (i=1; i<=n; i++) {k=order[i]; split(k, p, " ");
         printf "| %s | %s | %.3f | %.3f | %.1f | %.1f%% | %.1f%% |\n", p[1], p[2], one[k], many[k], per[k], 100*a[k], 100*b[k]}}' "$WORK/latency.txt"
  echo
  awk '$1=="RESULT" && $2=="latency" && $5==1 {m[$3" "$4]=$6}
       END {if (m["integer-java int8"] > 0 && m["samediff fp32"] > 0) printf "- Batch 1, int8 integer runtime against fp32 SameDiff: %.2fx the speed.\n", m["samediff fp32"]/m["integer-java int8"];
            if (m["onnxruntime int8"] > 0 && m["onnxruntime fp32"] > 0) printf "- Batch 1, ONNX Runtime int8 against fp32: %.2fx the speed.\n", m["onnxruntime fp32"]/m["onnxruntime int8"]}' "$WORK/latency.txt"
  echo
}

section_compression() {
  echo "## Quantization and pruning"
  echo
  echo "Not measured by this harness yet: accuracy, size and speed of the pruned and quantized students belong here"
  echo "(function section_compression in bench/run.sh)."
  echo
}

machine() {
  local cpu flags
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  flags=$(awk -F': ' '/^flags/ {print $2; exit}' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'avx2|fma|f16c|avx512f|avx512_vnni|avx_vnni' | paste -sd, -)
  echo "| what | value |"
  echo "| --- | --- |"
  echo "| date (UTC) | $START_DATE to $(date -u '+%Y-%m-%d %H:%M') |"
  echo "| mode | $MODE ($(( $(date +%s) - START )) s) |"
  echo "| CPU | $cpu, $THREADS logical cores, flags: ${flags:-none of avx2/fma/f16c/avx512} |"
  echo "| memory | $(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available at the end"}') |"
  echo "| Java | $(java -version 2>&1 | head -2 | tr '\n' ' ' | sed 's/ *$//') |"
  echo "| PyTorch | $(awk '$1=="RESULT" && $2=="peer" {print $3 ", BLAS " $5}' "$WORK/peer.txt" 2>/dev/null) |"
  echo "| commit | $(git -C "$HOME_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$HOME_DIR" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)') |"
  echo "| load average before | $LOAD_BEFORE |"
  echo "| load average after | $(cut -d' ' -f1-3 /proc/loadavg) |"
}

# ---------------------------------------------------------------------------------------------------------------
START=$(date +%s); START_DATE=$(date -u '+%Y-%m-%d %H:%M')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if [[ "$MODE" == record ]]; then
  log "bench/run.sh record $SECTION -> $MEASURED/$SECTION.md (work folder $WORK)"
  case "$SECTION" in
    full-job) section_full_job > /dev/null ;;
    parity) section_parity > /dev/null ;;
    soft-labels) section_soft_labels > /dev/null ;;
    label-scale) section_label_scale > /dev/null ;;
  esac
  log "wrote $MEASURED/$SECTION.md in $(( $(date +%s) - START )) s"
  exit 0
fi
log "bench/run.sh $MODE -> $OUT_FILE (work folder $WORK)"
{
  section_ceiling
  if [[ "$MODE" == full ]]; then
    section_full_job
  else
    section_pipeline
    section_peer
    section_full_job
  fi
  section_profile
  section_step_profile
  section_jmh
  section_trainer
  section_parity
  section_soft_labels
  section_label_scale
  section_latency
  section_compression
} > "$WORK/body.md"

shared=$(awk -v a="$LOAD_BEFORE" -v b="$(cut -d' ' -f1 /proc/loadavg)" -v n="$THREADS" 'BEGIN {split(a, x, " "); print (x[1] > n + 0.5 || b > n + 0.5) ? 1 : 0}')
{
  echo "# Benchmarks"
  echo
  echo "<!-- Generated by bench/run.sh $MODE; do not edit by hand. Reading notes live in docs/benchmarks-notes.md. -->"
  echo
  echo "Generated by \`bench/run.sh $MODE\`. Reading notes, history and earlier measurements: [benchmarks-notes.md](benchmarks-notes.md)."
  echo
  if (( shared )); then
    echo "**This run shared the machine with other work** (load average above the $THREADS cores before or after, see"
    echo "below): absolute figures are low and noisy; ratios within one section are more trustworthy than absolute values."
    echo
  fi
  echo "## Machine"
  echo
  machine
  echo
  echo "## Commands"
  echo
  echo '```'
  for c in "${COMMANDS[@]}"; do echo "$c"; done
  echo '```'
  echo
  echo "\`java ...\` is \`java -Xmx6g <Spark's --add-opens list> -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.bytedeco.javacpp.maxBytes=0 -cp benchmarks/target/classes:jobs/target/distillery.jar:jobs/target/lib/*\` (bench/common.sh)."
  echo
  cat "$WORK/body.md"
} > "$WORK/benchmarks.md"
mv -f "$WORK/benchmarks.md" "$OUT_FILE.tmp" && mv -f "$OUT_FILE.tmp" "$OUT_FILE"
log "wrote $OUT_FILE in $(( $(date +%s) - START )) s"
