package dev.distillery.evaluation.measure;

import dev.distillery.core.engine.InferenceRunner;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.evaluation.metrics.Bootstrap;
import dev.distillery.evaluation.metrics.Calibration;
import dev.distillery.evaluation.metrics.ClassificationMetrics;
import dev.distillery.student.quant.IntegerModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one variant over the test rows for its metrics (accuracy with a bootstrap interval, per-class figures,
 * calibration, agreement with the teacher) and times it in each runtime given.
 *
 * @param predictions the variant's predicted class per test row, for agreement with later variants
 */
public record VariantRun(ClassificationMetrics metrics, int[] predictions, List<LatencyMeasurement> measurements) {

    /** How thoroughly to evaluate: bootstrap resamples and seed, and the latency warm-up and timed calls. */
    public record Settings(int bootstrapResamples, long seed, int latencyWarmup, int latencyRuns, int batchSize) {
        public Settings {
            if (bootstrapResamples < 10) {
                throw new IllegalArgumentException("bootstrap resamples must be >= 10, was " + bootstrapResamples);
            }
            if (latencyWarmup < 0 || latencyRuns < 0 || batchSize < 1) {
                throw new IllegalArgumentException("latency warm-up and runs must be >= 0 and batch size >= 1, were "
                        + latencyWarmup + ", " + latencyRuns + ", " + batchSize);
            }
        }
    }

    /**
     * @param accuracyRunner  runtime whose logits give the metrics
     * @param timed           runtimes to time at batch 1 (may include {@code accuracyRunner})
     * @param teacher         the teacher's predictions on the same rows, or null for the teacher itself
     */
    public static VariantRun of(InferenceRunner accuracyRunner, List<InferenceRunner> timed, float[][] features,
                                int[] labels, int numClasses, int[] teacher, Settings settings) {
        return accuracy(accuracyRunner, features, labels, numClasses, settings).withTeacher(teacher)
                .timed(timed, features, settings);
    }

    /**
     * The metrics of one runtime's logits over every row, without teacher agreement or latency. Runs of different
     * variants may go side by side (each with its own runner); {@link #timed} must not.
     */
    public static VariantRun accuracy(InferenceRunner runner, float[][] features, int[] labels, int numClasses,
                                      Settings settings) {
        if (features.length != labels.length || features.length == 0) {
            throw new DataContractException("evaluation needs as many feature rows as labels, at least one; got "
                    + features.length + " and " + labels.length);
        }
        float[][] logits = new float[features.length][];
        for (int from = 0; from < features.length; from += settings.batchSize()) {
            int to = Math.min(features.length, from + settings.batchSize());
            float[][] out = runner.logits(Arrays.copyOfRange(features, from, to));
            System.arraycopy(out, 0, logits, from, out.length);
        }
        int[] predictions = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            predictions[i] = argmax(logits[i]);
        }
        ClassificationMetrics metrics = ClassificationMetrics.of(labels, predictions, numClasses)
                .withAccuracyInterval(Bootstrap.accuracy(Bootstrap.correct(labels, predictions), 0.95,
                        settings.bootstrapResamples(), settings.seed()))
                .withCalibrationError(Calibration.expectedCalibrationError(logits, labels, Calibration.DEFAULT_BINS));
        return new VariantRun(metrics, predictions, List.of());
    }

    /** With its agreement with the teacher's predictions on the same rows (unchanged for null: the teacher). */
    public VariantRun withTeacher(int[] teacher) {
        return teacher == null ? this
                : new VariantRun(metrics.withTeacherAgreement(ClassificationMetrics.agreement(predictions, teacher)),
                predictions, measurements);
    }

    /** With batch-1 latency in each runtime of {@code timed}, measured one after another on this thread. */
    public VariantRun timed(List<InferenceRunner> timed, float[][] features, Settings settings) {
        List<LatencyMeasurement> measured = new ArrayList<>(measurements);
        if (settings.latencyRuns() > 0) {
            float[][] samples = Arrays.copyOf(features, Math.min(features.length, 64));
            for (InferenceRunner r : timed) {
                measured.add(LatencyProbe.measure(r, samples, settings.latencyWarmup(), settings.latencyRuns()));
            }
        }
        return new VariantRun(metrics, predictions, measured);
    }

    /** Non-zero weights per layer of a float model (0 for layers without weights). */
    public static List<Long> nonzeroWeights(ModelArtifact model) {
        List<Long> out = new ArrayList<>();
        for (LayerInfo info : model.architecture().layerInfos()) {
            long nnz = 0;
            if (info.spec().hasWeights()) {
                for (float v : model.params().get(info.weightName())) {
                    if (v != 0f) {
                        nnz++;
                    }
                }
            }
            out.add(nnz);
        }
        return out;
    }

    /** Non-zero weight codes per layer of an integer model: pruned zeros, and small weights that round to zero. */
    public static List<Long> nonzeroWeights(IntegerModel model) {
        List<Long> out = new ArrayList<>();
        for (LayerInfo info : model.architecture().layerInfos()) {
            long nnz = 0;
            if (info.spec().hasWeights()) {
                for (byte v : model.layer(info.index()).weights()) {
                    if (v != 0) {
                        nnz++;
                    }
                }
            }
            out.add(nnz);
        }
        return out;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
