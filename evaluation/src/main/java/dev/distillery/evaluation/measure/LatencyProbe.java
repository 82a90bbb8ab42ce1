package dev.distillery.evaluation.measure;

import dev.distillery.core.engine.InferenceRunner;
import java.util.Arrays;

/**
 * Times inference, one input per call (or a batch): a few untimed calls let JIT, caches and native allocators
 * settle, then each timed call is measured on its own so the median and the 90th percentile can be reported (means hide GC pauses).
 */
public final class LatencyProbe {
    private LatencyProbe() {
    }

    public static LatencyMeasurement measure(InferenceRunner runner, float[][] samples, int warmup, int runs) {
        return measure(runner, samples, 1, warmup, runs);
    }

    /** As above, each call on a batch of {@code batch} inputs taken in turn from {@code samples}. */
    public static LatencyMeasurement measure(InferenceRunner runner, float[][] samples, int batch, int warmup,
                                             int runs) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("latency needs at least one sample input");
        }
        if (runs < 1 || warmup < 0 || batch < 1) {
            throw new IllegalArgumentException("runs and batch must be >= 1 and warmup >= 0, were " + runs + ", "
                    + batch + " and " + warmup);
        }
        float[][] one = new float[batch][];
        double checksum = 0;
        for (int i = 0; i < warmup; i++) {
            fill(one, samples, i);
            checksum += runner.logits(one)[0][0];
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            fill(one, samples, i);
            long start = System.nanoTime();
            float[][] out = runner.logits(one);
            ms[i] = (System.nanoTime() - start) / 1e6;
            checksum += out[0][0];
        }
        if (Double.isNaN(checksum)) {
            // Reading the outputs keeps the JIT from discarding the calls; NaN logits would also be a real fault.
            throw new IllegalStateException(runner.runtime() + " produced NaN logits while being timed");
        }
        Arrays.sort(ms);
        double median = ms[(runs - 1) / 2];
        double p90 = ms[Math.min(runs - 1, (int) Math.ceil(0.9 * runs) - 1)];
        return new LatencyMeasurement(runner.runtime(), Math.max(median, 1e-6), Math.max(p90, Math.max(median, 1e-6)),
                runs, warmup);
    }

    /** The {@code call}-th batch: consecutive samples, wrapping around. */
    private static void fill(float[][] batch, float[][] samples, int call) {
        for (int j = 0; j < batch.length; j++) {
            batch[j] = samples[(int) (((long) call * batch.length + j) % samples.length)];
        }
    }
}
