package dev.distillery.evaluation.metrics;

import dev.distillery.core.error.DataContractException;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded percentile bootstrap of top-1 accuracy: resample the test rows with replacement, recompute, take quantiles. */
public final class Bootstrap {
    private Bootstrap() {
    }

    /** The {@code level} interval of the mean of {@code correct} from {@code resamples} seeded resamples. */
    public static ConfidenceInterval accuracy(boolean[] correct, double level, int resamples, long seed) {
        if (correct == null || correct.length == 0) {
            throw new DataContractException("bootstrap needs at least one example");
        }
        if (resamples < 10) {
            throw new IllegalArgumentException("bootstrap needs at least 10 resamples, was " + resamples);
        }
        int n = correct.length;
        SplittableRandom random = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            int hits = 0;
            for (int i = 0; i < n; i++) {
                if (correct[random.nextInt(n)]) {
                    hits++;
                }
            }
            means[r] = (double) hits / n;
        }
        Arrays.sort(means);
        double tail = (1 - level) / 2;
        return new ConfidenceInterval(quantile(means, tail), quantile(means, 1 - tail), level, resamples, seed);
    }

    /** Whether each prediction equals its label. */
    public static boolean[] correct(int[] labels, int[] predictions) {
        boolean[] out = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i] == predictions[i];
        }
        return out;
    }

    // Linear interpolation between order statistics (the "type 7" rule numpy and R use by default).
    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
