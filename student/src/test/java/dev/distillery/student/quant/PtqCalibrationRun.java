package dev.distillery.student.quant;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.data.Examples;
import dev.distillery.core.model.BatchNormFolding;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.testing.TestSpark;
import dev.distillery.student.runtime.IntegerRuntime;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures post-training calibration on a stored student: the threshold every method picks at every quantized ReLU
 * output, and the test accuracy of each (method, weight granularity) variant run by the integer runtime, the number
 * the evaluate stage reports. Not a unit test (its name does not end in Test): it runs only when asked for,
 *
 * <pre>
 * mvn -B -pl student -am test -Dtest=PtqCalibrationRun -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Ddistillery.model=runs/demo/student-pruned/student-pruned.dmodel [-Ddistillery.prepared=runs/demo/prepared] \
 *     [-Ddistillery.ptq=runs/demo/student-qat/ptq] [-Ddistillery.ablation=true]
 * </pre>
 *
 * <p>Calibration rows are the first {@code distillery.calibrationRows} (2,000) rows of the prepared train split
 * ordered by id, as the qat stage takes them, when {@code distillery.prepared} names a prepared dataset, else the
 * first rows of the Fashion-MNIST training file; accuracy is over {@code distillery.testRows} (10,000) test images.
 * {@code distillery.ptq} also measures the variant files a qat stage wrote, with the ranges stored in them;
 * {@code distillery.ablation} measures entropy at one point with min-max elsewhere and the reverse.
 */
class PtqCalibrationRun {
    private static final List<CalibrationMethod> METHODS = List.of(CalibrationMethod.MINMAX,
            CalibrationMethod.PERCENTILE, CalibrationMethod.ENTROPY);

    @Test
    void report() {
        String modelPath = System.getProperty("distillery.model");
        if (modelPath == null) {
            throw new IllegalArgumentException("PtqCalibrationRun needs -Ddistillery.model=<student .dmodel file>");
        }
        ModelArtifact model = BatchNormFolding.fold(ModelIO.read(Path.of(modelPath), "student"));
        int calibrationRows = Integer.getInteger("distillery.calibrationRows", 2000);
        int testRows = Integer.getInteger("distillery.testRows", 10_000);
        double percentile = Double.parseDouble(System.getProperty("distillery.percentile", "99.99"));
        String prepared = System.getProperty("distillery.prepared");
        float[][] calibration;
        float[][] test;
        int[] labels;
        if (prepared != null) {
            var spark = TestSpark.get();
            calibration = Examples.collect(Examples.load(spark, Path.of(prepared), Examples.TRAIN).orderBy("id")
                    .limit(calibrationRows)).features();
            var t = Examples.collect(Examples.load(spark, Path.of(prepared), Examples.TEST).orderBy("id")
                    .limit(testRows));
            test = t.features();
            labels = t.labels();
        } else {
            calibration = FashionMnist.trainImages(calibrationRows);
            test = FashionMnist.testImages(testRows);
            labels = FashionMnist.testLabels(testRows);
        }
        System.out.printf("%n%s (%s): %d calibration rows (%s), %d test rows%n", model.architecture().name(),
                modelPath, calibration.length, prepared == null ? "Fashion-MNIST training file" : prepared,
                test.length);
        System.out.printf("float accuracy %.2f%%%n", 100 * floatAccuracy(model, test, labels));

        Map<CalibrationMethod, QuantSpec> ranges = new LinkedHashMap<>();
        for (CalibrationMethod m : METHODS) {
            ranges.put(m, Calibration.calibrate(model, calibration, new QuantSpec(8, 8, Map.of()), m, percentile));
        }
        printThresholds(model, calibration, ranges);

        System.out.printf("%n%-12s %12s %12s%n", "method", "per_channel", "per_tensor");
        for (CalibrationMethod m : METHODS) {
            System.out.printf("%-12s %11.2f%% %11.2f%%%n", m.configName(),
                    100 * accuracy(model, ranges.get(m), false, test, labels),
                    100 * accuracy(model, ranges.get(m), true, test, labels));
        }

        String ptqDir = System.getProperty("distillery.ptq");
        if (ptqDir != null) {
            System.out.printf("%nstored variants in %s (their own ranges)%n", ptqDir);
            for (Path f : list(Path.of(ptqDir))) {
                ModelArtifact variant = ModelIO.read(f, "student");
                System.out.printf("%-28s %.2f%%  ranges %s%n", f.getFileName(),
                        100 * accuracy(variant, variant.quant(), variant.quant().perTensorWeights(), test, labels),
                        rounded(variant.quant().activationMax()));
            }
        }

        if (Boolean.getBoolean("distillery.ablation")) {
            Map<String, Double> minmax = ranges.get(CalibrationMethod.MINMAX).activationMax();
            Map<String, Double> entropy = ranges.get(CalibrationMethod.ENTROPY).activationMax();
            System.out.printf("%n%-8s %24s %24s%n", "point", "entropy only here", "min-max only here");
            for (String point : Calibration.quantizationPoints(model.architecture()).values()) {
                Map<String, Double> onlyHere = new LinkedHashMap<>(minmax);
                onlyHere.put(point, entropy.get(point));
                Map<String, Double> allButHere = new LinkedHashMap<>(entropy);
                allButHere.put(point, minmax.get(point));
                QuantSpec base = ranges.get(CalibrationMethod.MINMAX);
                System.out.printf("%-8s %23.2f%% %23.2f%%%n", point,
                        100 * accuracy(model, base.withRanges(onlyHere, base.activationMin()), false, test, labels),
                        100 * accuracy(model, base.withRanges(allButHere, base.activationMin()), false, test, labels));
            }
        }
    }

    /** Per point: share of exact zeros, each method's threshold and the share of values above it. */
    private static void printThresholds(ModelArtifact model, float[][] calibration,
                                        Map<CalibrationMethod, QuantSpec> ranges) {
        Map<String, String> points = Calibration.quantizationPoints(model.architecture());
        Map<String, Double> minmax = ranges.get(CalibrationMethod.MINMAX).activationMax();
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, Long> zeros = new LinkedHashMap<>();
        Map<String, Long> totals = new LinkedHashMap<>();
        int bins = 1 << 16;
        Network net = Engines.network().forInference(model.architecture(), model.params(), GraphHooks.NONE);
        for (int from = 0; from < calibration.length; from += 256) {
            float[][] chunk = Arrays.copyOfRange(calibration, from, Math.min(calibration.length, from + 256));
            net.activationValues(chunk, new ArrayList<>(points.keySet())).forEach((v, values) -> {
                String p = points.get(v);
                long[] c = counts.computeIfAbsent(p, k -> new long[bins]);
                double width = minmax.get(p) / bins;
                long z = 0;
                for (float x : values) {
                    if (x <= 0) {
                        z++;
                    } else {
                        c[(int) Math.min(bins - 1, x / width)]++;
                    }
                }
                zeros.merge(p, z, Long::sum);
                totals.merge(p, (long) values.length, Long::sum);
            });
        }
        System.out.printf("%n%-6s %7s %10s %10s %8s %10s %8s%n", "point", "zeros", "minmax", "percentile", "clipped",
                "entropy", "clipped");
        for (String p : points.values()) {
            double max = minmax.get(p);
            double pt = ranges.get(CalibrationMethod.PERCENTILE).activationMax().get(p);
            double et = ranges.get(CalibrationMethod.ENTROPY).activationMax().get(p);
            System.out.printf("%-6s %6.1f%% %10.4f %10.4f %7.3f%% %10.4f %7.3f%%%n", p,
                    100.0 * zeros.get(p) / totals.get(p), max, pt, 100 * above(counts.get(p), max, pt, totals.get(p)),
                    et, 100 * above(counts.get(p), max, et, totals.get(p)));
        }
    }

    /** Share of all values in bins that lie wholly above {@code threshold}. */
    private static double above(long[] counts, double max, double threshold, long total) {
        int first = (int) Math.ceil(threshold / (max / counts.length));
        long n = 0;
        for (int b = first; b < counts.length; b++) {
            n += counts[b];
        }
        return (double) n / total;
    }

    private static double floatAccuracy(ModelArtifact model, float[][] x, int[] y) {
        Network net = Engines.network().forInference(model.architecture(), model.params(), GraphHooks.NONE);
        int correct = 0;
        for (int from = 0; from < x.length; from += 500) {
            float[][] logits = net.logits(Arrays.copyOfRange(x, from, Math.min(x.length, from + 500)));
            for (int i = 0; i < logits.length; i++) {
                correct += TestModels.argmax(logits[i]) == y[from + i] ? 1 : 0;
            }
        }
        return (double) correct / x.length;
    }

    /** Test accuracy of the model with these ranges, converted to integers and run by the integer runtime. */
    private static double accuracy(ModelArtifact model, QuantSpec ranges, boolean perTensor, float[][] x, int[] y) {
        QuantSpec spec = new QuantSpec(ranges.weightBits(), ranges.activationBits(), ranges.activationMax(),
                ranges.activationMin(), perTensor, ranges.depthwiseWeightBits());
        IntegerRuntime runtime = new IntegerRuntime(IntegerConverter.convert(model.withQuant(spec)));
        int correct = 0;
        for (int i = 0; i < x.length; i++) {
            correct += runtime.predict(x[i]) == y[i] ? 1 : 0;
        }
        return (double) correct / x.length;
    }

    private static Map<String, String> rounded(Map<String, Double> ranges) {
        Map<String, String> out = new LinkedHashMap<>();
        ranges.forEach((k, v) -> out.put(k, String.format("%.4f", v)));
        return out;
    }

    private static List<Path> list(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".dmodel")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
