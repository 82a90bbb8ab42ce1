package dev.distillery.evaluation.report;

import dev.distillery.core.labels.TeacherIdentity;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.evaluation.cost.CostModel;
import dev.distillery.evaluation.measure.LatencyMeasurement;
import dev.distillery.evaluation.metrics.Bootstrap;
import dev.distillery.evaluation.metrics.ClassificationMetrics;
import dev.distillery.evaluation.profile.HardwareProfile;
import dev.distillery.evaluation.profile.Precision;
import dev.distillery.evaluation.profile.ProfileLoader;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A teacher and two students on the four shipped profiles: the shape of a real evaluation, at test speed. */
final class ReportFixtures {
    static final Path SHIPPED = Path.of("..", "conf", "profiles");
    static final List<String> PROFILE_IDS = List.of("cortex-m7", "cortex-m4f", "raspberry-pi-4", "x86-avx2-host");

    /** The DESIGN.md teacher: conv32-conv64-dense128 on 28x28, 421,642 parameters. */
    static final Architecture TEACHER = new Architecture("teacher-cnn", 1, 28, 28, 10, List.of(
            new LayerSpec.Conv2d(32, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Conv2d(64, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Flatten(), new LayerSpec.Dense(128), new LayerSpec.Relu(), new LayerSpec.Dense(10)));

    static final Architecture STUDENT = new Architecture("student-dws", 1, 28, 28, 10, List.of(
            new LayerSpec.Conv2d(8, 3, 2), new LayerSpec.Relu(),
            new LayerSpec.DepthwiseConv2d(3, 1), new LayerSpec.Relu(),
            new LayerSpec.Conv2d(16, 1, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Flatten(), new LayerSpec.Dense(10)));

    /** The run's own teacher as soft-label files name it. */
    static final TeacherIdentity TEACHER_ID = new TeacherIdentity("ab".repeat(32), TEACHER.name(),
            TEACHER.parameterCount(), "out/teacher/teacher.dmodel");
    static final TeacherSet SINGLE = new TeacherSet("none", List.of(TEACHER_ID));

    private ReportFixtures() {
    }

    static List<HardwareProfile> profiles() {
        return ProfileLoader.loadAll(SHIPPED, PROFILE_IDS);
    }

    /** Metrics with exactly {@code correct} of 20 examples right, spread over 10 classes. */
    static ClassificationMetrics metrics(int correct) {
        int[] labels = new int[20];
        int[] predictions = new int[20];
        for (int i = 0; i < 20; i++) {
            labels[i] = i % 10;
            predictions[i] = i < correct ? labels[i] : (labels[i] + 1) % 10;
        }
        return ClassificationMetrics.of(labels, predictions, 10);
    }

    static Variant teacher() {
        // A file is a little larger than its weights: 2 KiB of header and metadata here.
        return Variant.of("teacher", Variant.TEACHER, Precision.FP32, TEACHER, metrics(19),
                CostModel.weightBytes(TEACHER, Precision.FP32) + 2048, 0.0, Path.of("out", "teacher", "model.bin"));
    }

    static Variant studentKd() {
        return Variant.of("student-kd", Variant.STUDENT_KD, Precision.FP32, STUDENT, metrics(18),
                CostModel.weightBytes(STUDENT, Precision.FP32) + 2048, 0.0, Path.of("out", "student", "model.bin"));
    }

    static Variant studentInt8() {
        return Variant.of("student-int8", Variant.STUDENT_INT8, Precision.INT8, STUDENT, metrics(17),
                CostModel.weightBytes(STUDENT, Precision.INT8) + 2048, 0.0, Path.of("out", "export", "model.int8"));
    }

    static Report report(Map<String, Double> minAccuracy) {
        return builder(minAccuracy).build();
    }

    /**
     * The full shape of a pipeline report: bootstrap intervals, calibration and teacher agreement on every
     * variant, latencies measured in two runtimes, zeros in the int8 student, a required profile.
     */
    static ReportBuilder builder(Map<String, Double> minAccuracy) {
        return new ReportBuilder("Fashion-MNIST distillation")
                .created(Instant.parse("2026-11-27T19:00:00Z"))
                .configHash("sha256:0123abcd")
                .dataset("Fashion-MNIST test split, 20 rows (fixture)")
                .profiles(profiles())
                .hostProfile(profiles().get(3))
                .minAccuracy(minAccuracy)
                .requiredProfiles(List.of("x86-avx2-host"))
                .classNames(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                        "Sneaker", "Bag", "Ankle boot"))
                .variants(List.of(full(teacher(), 19), full(studentKd(), 18).withTeachers(SINGLE),
                        full(studentInt8(), 17).withNonzeroWeights(halfZero(STUDENT)).withTeachers(SINGLE)
                                .withLineage(new Lineage("student-kd", Lineage.DERIVED,
                                        List.of("qat", "integer-conversion"), "quantization-aware training, int8"
                                        + " weights / int8 activations; then conversion to integer-only arithmetic"))))
                .note("seed", "42");
    }

    private static Variant full(Variant v, int correct) {
        int[] labels = new int[20];
        int[] predictions = new int[20];
        for (int i = 0; i < 20; i++) {
            labels[i] = i % 10;
            predictions[i] = i < correct ? labels[i] : (labels[i] + 1) % 10;
        }
        var m = v.metrics().withAccuracyInterval(Bootstrap.accuracy(Bootstrap.correct(labels, predictions), 0.95,
                200, 42)).withCalibrationError(0.05).withTeacherAgreement(correct / 19.0 > 1 ? 1 : correct / 19.0);
        return Variant.of(v.name(), v.kind(), v.precision(), v.architecture(), m, v.sizeBytes(), v.sparsity(),
                v.source()).withMeasurements(List.of(new LatencyMeasurement("samediff", 0.4, 0.6, 50, 5),
                new LatencyMeasurement("onnxruntime", 0.05, 0.07, 50, 5)));
    }

    /** Half of every weighted layer's weights zero, as 50% magnitude pruning leaves them. */
    static List<Long> halfZero(Architecture arch) {
        return arch.layerInfos().stream().map(l -> l.weightCount() / 2).toList();
    }
}
