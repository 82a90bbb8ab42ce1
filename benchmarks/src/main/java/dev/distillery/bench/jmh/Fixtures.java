package dev.distillery.bench.jmh;

import dev.distillery.core.config.StudentConfig;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.student.arch.StudentArchitecture;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** The default Fashion-MNIST student and teacher, and seeded inputs, shared by the benchmarks. */
public final class Fixtures {
    public static final int BATCH = 64;
    public static final int CLASSES = 10;

    private Fixtures() {
    }

    public static Architecture student() {
        return StudentArchitecture.of(new StudentConfig("ds-cnn", 16, List.of(32, 64), List.of(), List.of(), 1.0, 0.1),
                new DatasetInfo(1, 28, 28, CLASSES, List.of(), Map.of(), "benchmark"));
    }

    /** The default teacher's layer stack (conv32-conv64-dense128), built here to keep the teacher module out. */
    public static Architecture teacher() {
        return new Architecture("teacher-cnn-32-64-d128", 1, 28, 28, CLASSES, List.of(
                new LayerSpec.Conv2d(32, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
                new LayerSpec.Conv2d(64, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(128), new LayerSpec.Relu(), new LayerSpec.Dense(CLASSES)));
    }

    /** Calibrated ranges for the network input and every ReLU output, as QAT would hold them. */
    public static QuantSpec quantSpec(Architecture arch) {
        Map<String, Double> max = new TreeMap<>();
        max.put("input", 1.0);
        for (LayerInfo info : arch.layerInfos()) {
            if (info.spec() instanceof LayerSpec.Relu) {
                max.put("L" + info.index(), 4.0);
            }
        }
        return new QuantSpec(8, 8, max);
    }

    public static float[][] images(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[n][28 * 28];
        for (float[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) r.nextDouble();
            }
        }
        return x;
    }

    public static int[] labels(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(CLASSES);
        }
        return y;
    }

    /** Teacher-like logits: a margin of about 6 for the true class, noise elsewhere. */
    public static float[][] logits(int[] labels, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] z = new float[labels.length][CLASSES];
        for (int i = 0; i < labels.length; i++) {
            for (int c = 0; c < CLASSES; c++) {
                z[i][c] = (float) (2 * (r.nextDouble() - 0.5) + (c == labels[i] ? 6 : 0));
            }
        }
        return z;
    }
}
