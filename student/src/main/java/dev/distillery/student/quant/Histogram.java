package dev.distillery.student.quant;

/**
 * A histogram of non-negative activation values over [0, max] with equal-width bins, and the two threshold
 * searches of post-training calibration that work on it: percentile and KL-divergence (entropy).
 */
public final class Histogram {
    /** Bins of the calibration histograms, as TensorRT uses. */
    public static final int BINS = 2048;

    private final double max;
    private final long[] counts;
    private long total;

    public Histogram(double max, int bins) {
        if (!(max >= 0) || bins < 2) {
            throw new IllegalArgumentException("histogram needs max >= 0 and at least 2 bins, was " + max + ", " + bins);
        }
        this.max = max;
        this.counts = new long[bins];
    }

    public void add(float[] values) {
        int bins = counts.length;
        double width = binWidth();
        for (float v : values) {
            int b = v <= 0 || width == 0 ? 0 : (int) Math.min(bins - 1, v / width);
            counts[b]++;
        }
        total += values.length;
    }

    public double binWidth() {
        return max / counts.length;
    }

    long[] counts() {
        return counts.clone();
    }

    /** Upper edge of the first bin at which at least {@code percentile} % of the values lie at or below. */
    public double percentile(double percentile) {
        if (total == 0 || max == 0) {
            return max;
        }
        double need = percentile / 100.0 * total;
        long seen = 0;
        for (int b = 0; b < counts.length; b++) {
            seen += counts[b];
            if (seen >= need) {
                return (b + 1) * binWidth();
            }
        }
        return max;
    }

    /**
     * The threshold minimising KL(P || Q) over the candidates "first i bins", i from {@code levels} to all bins:
     * P is the histogram cut at i with the clipped tail added to its last bin, Q is P merged into {@code levels}
     * groups and spread back evenly over each group's non-empty bins. Returns the upper edge of bin i.
     */
    public double entropyThreshold(int levels) {
        int bins = counts.length;
        if (total == 0 || max == 0 || levels >= bins) {
            return max;
        }
        double best = Double.POSITIVE_INFINITY;
        int bestI = bins;
        double[] p = new double[bins];
        double[] q = new double[bins];
        for (int i = levels; i <= bins; i++) {
            for (int b = 0; b < i; b++) {
                p[b] = counts[b];
            }
            long outliers = 0;
            for (int b = i; b < bins; b++) {
                outliers += counts[b];
            }
            p[i - 1] += outliers;
            // Q: bins [0, i) merged into `levels` groups, each group's mass shared by its non-empty source bins.
            for (int g = 0; g < levels; g++) {
                int from = (int) ((long) g * i / levels);
                int to = (int) ((long) (g + 1) * i / levels);
                double mass = 0;
                int nonEmpty = 0;
                for (int b = from; b < to; b++) {
                    mass += counts[b];
                    if (counts[b] != 0) {
                        nonEmpty++;
                    }
                }
                for (int b = from; b < to; b++) {
                    q[b] = counts[b] == 0 || nonEmpty == 0 ? 0 : mass / nonEmpty;
                }
            }
            double kl = divergence(p, q, i);
            if (kl < best) {
                best = kl;
                bestI = i;
            }
        }
        return bestI * binWidth();
    }

    /** KL(P || Q) over the first n bins after normalising both; a P mass where Q has none costs a large penalty. */
    private static double divergence(double[] p, double[] q, int n) {
        double sp = 0;
        double sq = 0;
        for (int b = 0; b < n; b++) {
            sp += p[b];
            sq += q[b];
        }
        if (sp == 0 || sq == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double kl = 0;
        for (int b = 0; b < n; b++) {
            if (p[b] == 0) {
                continue;
            }
            double pb = p[b] / sp;
            // The tail bin of P can hold mass where Q's last group has an empty bin; smooth instead of failing.
            double qb = q[b] == 0 ? 1e-12 : q[b] / sq;
            kl += pb * Math.log(pb / qb);
        }
        return kl;
    }
}
