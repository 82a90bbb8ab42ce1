package dev.distillery.student.quant;

/**
 * A histogram of non-negative activation values, exact zeros counted apart from equal-width bins over (0, max],
 * and the two threshold searches of post-training calibration that work on it: percentile and KL-divergence
 * (entropy).
 */
public final class Histogram {
    /** Bins of the calibration histograms, as TensorRT uses. */
    public static final int BINS = 2048;

    private final double max;
    private final long[] counts;
    private long zeros;
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
            // A ReLU output is exactly 0 for a large share of its values (often half or more); the unsigned
            // quantizer maps 0 to the zero point without error, so those values are kept out of the bins.
            if (v <= 0 || width == 0) {
                zeros++;
            } else {
                counts[(int) Math.min(bins - 1, v / width)]++;
            }
        }
        total += values.length;
    }

    public double binWidth() {
        return max / counts.length;
    }

    /** Counts of the bins over (0, max]; exact zeros are not among them. */
    long[] counts() {
        return counts.clone();
    }

    /** Upper edge of the first bin at which at least {@code percentile} % of the values lie at or below. */
    public double percentile(double percentile) {
        if (total == 0 || max == 0) {
            return max;
        }
        double need = percentile / 100.0 * total;
        long seen = zeros;
        for (int b = 0; b < counts.length; b++) {
            seen += counts[b];
            if (seen >= need) {
                return (b + 1) * binWidth();
            }
        }
        return max;
    }

    /**
     * The threshold T whose quantization onto {@code levels} unsigned codes {@code k · T / (levels − 1)} (round to
     * nearest, clipped at T) keeps the positive values' distribution closest in KL divergence, searched over the
     * upper edges of bins {@code levels} to all bins: P is the histogram of the positive values cut at T with the
     * clipped tail added to its last bin; Q gives each code the mass of the bins (below T) that round to it, spread
     * evenly over those of its bins where P is non-zero. The tail is left out of Q, which is what makes clipping
     * cost divergence; when T falls in a gap of the distribution, the last code holds nothing but the tail, and it
     * is given the mass of one value (the least the sample can tell from nothing) rather than none, so that clipping
     * a few far outliers costs a finite amount that grows with their number. Exact zeros take no part: they are
     * exact under every threshold.
     */
    public double entropyThreshold(int levels) {
        int bins = counts.length;
        if (total == zeros || max == 0 || levels >= bins) {
            return max;
        }
        long[] tailFrom = new long[bins + 1];
        for (int b = bins - 1; b >= 0; b--) {
            tailFrom[b] = tailFrom[b + 1] + counts[b];
        }
        double best = Double.POSITIVE_INFINITY;
        int bestI = bins;
        double[] p = new double[bins];
        double[] q = new double[bins];
        // Ties go to the larger threshold: equal divergence, fewer clipped values.
        for (int i = bins; i >= levels; i--) {
            for (int b = 0; b < i; b++) {
                p[b] = counts[b];
            }
            p[i - 1] += tailFrom[i];
            spreadOverCodes(p, q, i, levels);
            double kl = divergence(p, q, i);
            if (kl < best) {
                best = kl;
                bestI = i;
            }
        }
        return bestI * binWidth();
    }

    /**
     * Q of the first {@code i} bins for a threshold at bin edge {@code i}: bin b (centre (b + ½) · width) rounds to
     * code {@code round((b + ½) · (levels − 1) / i)}, so code 0 and the last code take half as many bins as the
     * others, as the quantizer's rounding intervals do.
     */
    private void spreadOverCodes(double[] p, double[] q, int i, int levels) {
        double codesPerBin = (levels - 1) / (double) i;
        int from = 0;
        while (from < i) {
            long code = Math.round((from + 0.5) * codesPerBin);
            int to = from + 1;
            while (to < i && Math.round((to + 0.5) * codesPerBin) == code) {
                to++;
            }
            double mass = 0;
            int nonEmpty = 0;
            for (int b = from; b < to; b++) {
                mass += counts[b];
                if (p[b] != 0) {
                    nonEmpty++;
                }
            }
            if (mass == 0 && nonEmpty > 0) {
                mass = 1; // only the last code, holding the clipped tail alone
            }
            for (int b = from; b < to; b++) {
                q[b] = p[b] == 0 ? 0 : mass / nonEmpty;
            }
            from = to;
        }
    }

    /** KL(P || Q) over the first n bins after normalising both; Q is non-zero wherever P is. */
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
            kl += pb * Math.log(pb / (q[b] / sq));
        }
        return kl;
    }
}
