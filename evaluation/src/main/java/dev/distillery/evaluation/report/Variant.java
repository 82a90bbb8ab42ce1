package dev.distillery.evaluation.report;

import dev.distillery.core.model.Architecture;
import dev.distillery.evaluation.measure.LatencyMeasurement;
import dev.distillery.evaluation.metrics.ClassificationMetrics;
import dev.distillery.evaluation.profile.Precision;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One model a report judges: what it is, how accurate, how big, and the file it was read from.
 *
 * @param kind       what produced it, e.g. {@value #TEACHER}, {@value #STUDENT_KD}, {@value #STUDENT_INT8}
 * @param sizeBytes  size of the model file that would be deployed; used as its flash need
 * @param sparsity   fraction of weights that are exactly zero, in [0, 1]
 * @param source     file the variant was loaded from; null for a model that only exists in memory
 * @param metrics    full classification results; null when only the accuracy is known
 * @param nonzeroWeights non-zero weights per layer (indexed like the layers, 0 for layers without weights); empty
 *                   when unknown, which the cost model treats as fully dense
 * @param measurements batch-1 latency measured on this machine, one per runtime; empty when not measured
 * @param lineage    the variant it is compared with in the ablation table and what separates them; null when the
 *                   model file records none (the teacher, the hard-label baseline, files of older runs)
 * @param teachers   the teachers it was distilled from; null for models trained without soft labels
 * @param perTensorLayers indices of the weighted layers whose integer weights carry a single scale (per-tensor);
 *                   empty for float variants and for integer variants quantized per output channel throughout
 */
public record Variant(String name, String kind, Precision precision, double accuracy, long params, long sizeBytes,
                      long macs, double sparsity, Path source, ClassificationMetrics metrics,
                      Architecture architecture, List<Long> nonzeroWeights, List<LatencyMeasurement> measurements,
                      Lineage lineage, TeacherSet teachers, Set<Integer> perTensorLayers) {
    public static final String TEACHER = "teacher";
    public static final String STUDENT_BASELINE = "student-baseline";
    public static final String STUDENT_KD = "student-kd";
    public static final String STUDENT_PRUNED = "student-pruned";
    public static final String STUDENT_INT8 = "student-int8";
    public static final String STUDENT_INT4 = "student-int4";

    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    public Variant {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("variant name is missing");
        }
        if (kind == null || !SLUG.matcher(kind).matches()) {
            throw new IllegalArgumentException("variant " + name + ": kind must be a lower-case id such as "
                    + STUDENT_KD + ", was " + kind);
        }
        Objects.requireNonNull(precision, "precision");
        if (architecture == null && !TEACHER.equals(kind)) {
            throw new IllegalArgumentException("variant " + name + ": only the teacher, a reference, may be a model "
                    + "without a Distillery architecture (an ONNX teacher)");
        }
        if (!(accuracy >= 0 && accuracy <= 1)) {
            throw new IllegalArgumentException("variant " + name + ": accuracy must be in [0, 1], was " + accuracy);
        }
        if (metrics != null && Math.abs(metrics.accuracy() - accuracy) > 1e-9) {
            throw new IllegalArgumentException("variant " + name + ": accuracy " + accuracy
                    + " disagrees with its metrics' accuracy " + metrics.accuracy());
        }
        if (params < 0 || (macs < 0 && architecture != null) || macs < UNKNOWN_MACS) {
            throw new IllegalArgumentException("variant " + name + ": params and macs must be >= 0, were " + params
                    + " and " + macs);
        }
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("variant " + name + ": size_bytes must be > 0, was " + sizeBytes);
        }
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("variant " + name + ": sparsity must be in [0, 1], was " + sparsity);
        }
        nonzeroWeights = nonzeroWeights == null ? List.of() : List.copyOf(nonzeroWeights);
        if (!nonzeroWeights.isEmpty() && (architecture == null || nonzeroWeights.size() != architecture.layers().size())) {
            throw new IllegalArgumentException("variant " + name + ": nonzero weight counts cover "
                    + nonzeroWeights.size() + " layers, the architecture has "
                    + (architecture == null ? "none" : architecture.layers().size()));
        }
        measurements = measurements == null ? List.of() : List.copyOf(measurements);
        perTensorLayers = perTensorLayers == null ? Set.of() : Set.copyOf(perTensorLayers);
        if (lineage != null && lineage.from().equals(name)) {
            throw new IllegalArgumentException("variant " + name + " cannot be compared with itself");
        }
    }

    /** What {@link #macs} holds for a model whose MACs Distillery cannot count (an ONNX teacher). */
    public static final long UNKNOWN_MACS = -1;

    /** The architecture's name, or for an ONNX teacher "onnx:" and its file's name. */
    public String architectureName() {
        return architecture != null ? architecture.name()
                : "onnx:" + (source == null ? name : source.getFileName().toString());
    }

    /** An ONNX teacher: a reference with its accuracy and size, whose layers Distillery does not model. */
    public static Variant foreignTeacher(String name, ClassificationMetrics metrics, long params, long sizeBytes,
                                         Path source) {
        return new Variant(name, TEACHER, Precision.FP32, metrics.accuracy(), params, sizeBytes, UNKNOWN_MACS, 0,
                source, metrics, null, List.of(), List.of(), null, null, Set.of());
    }

    /** The teacher is the reference the students are judged against, never a candidate to ship. */
    public boolean candidate() {
        return !TEACHER.equals(kind);
    }

    public Variant withNonzeroWeights(List<Long> counts) {
        return new Variant(name, kind, precision, accuracy, params, sizeBytes, macs, sparsity, source, metrics,
                architecture, counts, measurements, lineage, teachers, perTensorLayers);
    }

    public Variant withMeasurements(List<LatencyMeasurement> measured) {
        return new Variant(name, kind, precision, accuracy, params, sizeBytes, macs, sparsity, source, metrics,
                architecture, nonzeroWeights, measured, lineage, teachers, perTensorLayers);
    }

    public Variant withLineage(Lineage from) {
        return new Variant(name, kind, precision, accuracy, params, sizeBytes, macs, sparsity, source, metrics,
                architecture, nonzeroWeights, measurements, from, teachers, perTensorLayers);
    }

    /** The same variant with the indices of its per-tensor quantized layers. */
    public Variant withPerTensorLayers(Set<Integer> layers) {
        return new Variant(name, kind, precision, accuracy, params, sizeBytes, macs, sparsity, source, metrics,
                architecture, nonzeroWeights, measurements, lineage, teachers, layers);
    }

    public Variant withTeachers(TeacherSet set) {
        return new Variant(name, kind, precision, accuracy, params, sizeBytes, macs, sparsity, source, metrics,
                architecture, nonzeroWeights, measurements, lineage, set, perTensorLayers);
    }

    /** A variant whose accuracy comes from its metrics and whose params and MACs come from its architecture. */
    public static Variant of(String name, String kind, Precision precision, Architecture architecture,
                             ClassificationMetrics metrics, long sizeBytes, double sparsity, Path source) {
        Objects.requireNonNull(metrics, "metrics");
        return new Variant(name, kind, precision, metrics.accuracy(), architecture.parameterCount(), sizeBytes,
                architecture.macs(), sparsity, source, metrics, architecture, List.of(), List.of(), null, null,
                Set.of());
    }
}
