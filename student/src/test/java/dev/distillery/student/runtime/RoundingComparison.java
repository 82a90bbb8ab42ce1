package dev.distillery.student.runtime;

import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.student.quant.FixedPoint;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.IntegerModelIO;
import dev.distillery.student.quant.WeightQuantizer;
import dev.distillery.student.testing.FashionMnist;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * How other integer runtimes' requantization would differ from {@link FixedPoint#apply} on real students (the
 * figures of docs/deployment-c.md): runs the integer runtime's kernels on Fashion-MNIST test images and, at every
 * requantized value, compares one rounding half away from zero (ours) with one rounding half up (TFLite Micro with
 * TFLITE_SINGLE_ROUNDING, CMSIS-NN with CMSIS_NN_USE_SINGLE_ROUNDING) and with the default double rounding (a
 * rounding doubling high multiply, then a rounding divide by a power of two, both half away from zero), after the
 * clamp to the code range; then propagates each scheme through the whole network. Run by
 * {@code bench/mcu-figures.sh --rounding FILE.dint...}.
 */
public final class RoundingComparison {
    private enum Scheme { OURS, HALF_UP, DOUBLE }

    private RoundingComparison() {
    }

    public static void main(String[] args) {
        int images = 1000;
        float[][] x = FashionMnist.testImages(images);
        for (String file : args) {
            IntegerModel model = IntegerModelIO.read(Path.of(file));
            long[] counts = new long[4]; // values, differing half-up, differing double, positive
            int logitsDiffer = 0;
            int argmaxDiffer = 0;
            for (float[] image : x) {
                int[] ours = run(model, image, Scheme.OURS, counts);
                int[] dbl = run(model, image, Scheme.DOUBLE, null);
                logitsDiffer += Arrays.equals(ours, dbl) ? 0 : 1;
                argmaxDiffer += argmax(ours) == argmax(dbl) ? 0 : 1;
            }
            System.out.printf("%s: %d requantized values (%d positive); after the clamp half-up single rounding differs"
                            + " on %d, double rounding on %d (%.3f%%); through the network, double rounding changes"
                            + " the final accumulators of %d of %d images and the argmax of %d%n", file, counts[0],
                    counts[3], counts[1], counts[2], 100.0 * counts[2] / counts[0], logitsDiffer, images, argmaxDiffer);
        }
    }

    /** The final layer's accumulators with every requantization done by {@code scheme}; tallies into counts. */
    private static int[] run(IntegerModel model, float[] image, Scheme scheme, long[] counts) {
        int qmax = model.activationQmax();
        int size = model.architecture().layerInfos().stream().mapToInt(i -> (int) i.output().elements()).max()
                .orElse(0);
        int[] cur = new int[Math.max(size, image.length)];
        int[] next = new int[cur.length];
        for (int i = 0; i < image.length; i++) {
            int q = (int) WeightQuantizer.roundHalfAway(image[i] / (float) model.inputScale()) + model.inputZeroPoint();
            cur[i] = Math.max(0, Math.min(q, qmax)) - model.inputZeroPoint();
        }
        for (LayerInfo info : model.architecture().layerInfos()) {
            if (info.spec().hasWeights()) {
                IntegerLayer layer = model.layer(info.index());
                Kernels.Kernel kernel = Kernels.of(info, layer.weights(), layer.bias());
                kernel.accumulate(cur, next);
                if (!layer.requantized()) {
                    return Arrays.copyOf(next, kernel.outputSize());
                }
                int top = qmax - layer.outputZeroPoint();
                for (int i = 0; i < kernel.outputSize(); i++) {
                    int c = i / kernel.positions();
                    int m = layer.multiplier()[c];
                    int s = layer.shift()[c];
                    long ours = clamp(FixedPoint.apply(next[i], m, s), top);
                    if (counts != null) {
                        counts[0]++;
                        counts[1] += ours != clamp(halfUp(next[i], m, s), top) ? 1 : 0;
                        counts[2] += ours != clamp(doubleRounding(next[i], m, s), top) ? 1 : 0;
                        counts[3] += FixedPoint.apply(next[i], m, s) > 0 ? 1 : 0;
                    }
                    next[i] = (int) switch (scheme) {
                        case OURS -> ours;
                        case HALF_UP -> clamp(halfUp(next[i], m, s), top);
                        case DOUBLE -> clamp(doubleRounding(next[i], m, s), top);
                    };
                }
                int[] t = cur;
                cur = next;
                next = t;
            } else if (info.spec() instanceof LayerSpec.MaxPool pool) {
                Kernels.maxPool(cur, next, info.input().channels(), info.input().height(), info.input().width(),
                        pool.size());
                int[] t = cur;
                cur = next;
                next = t;
            }
        }
        throw new IllegalStateException("model " + model.architecture().name() + " has no final layer");
    }

    /** One rounding of the 64-bit product, ties towards +infinity (an arithmetic shift after adding half). */
    static long halfUp(int acc, int multiplier, int shift) {
        int total = 31 - shift;
        return ((long) acc * multiplier + (1L << (total - 1))) >> total;
    }

    /**
     * Rounding doubling high multiply (round(acc * m / 2^31), ties away from zero), then a rounding divide by
     * 2^-shift (ties away from zero): two roundings. Shifts here are at most 0 (multipliers below 1).
     */
    static long doubleRounding(int acc, int multiplier, int shift) {
        long ab = (long) acc * multiplier;
        long nudge = ab >= 0 ? 1L << 30 : 1 - (1L << 30);
        int high = (int) ((ab + nudge) / (1L << 31));
        int exponent = -shift;
        int mask = (1 << exponent) - 1;
        int remainder = high & mask;
        int threshold = (mask >> 1) + (high < 0 ? 1 : 0);
        return (high >> exponent) + (remainder > threshold ? 1 : 0);
    }

    private static long clamp(long v, int top) {
        return Math.max(0, Math.min(v, top));
    }

    private static int argmax(int[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best;
    }
}
