package dev.distillery.evaluation.metrics;

import dev.distillery.core.error.DataContractException;

/**
 * Expected calibration error: bin predictions by their top softmax probability into equal-width bins, and average
 * |accuracy - mean confidence| over bins weighted by their share of examples (Guo et al., 2017).
 */
public final class Calibration {
    /** The bin count most papers report with. */
    public static final int DEFAULT_BINS = 15;

    private Calibration() {
    }

    public static double expectedCalibrationError(float[][] logits, int[] labels, int bins) {
        if (logits == null || labels == null || logits.length != labels.length || logits.length == 0) {
            throw new DataContractException("calibration needs as many logit rows as labels, at least one; got "
                    + (logits == null ? "null" : logits.length) + " and " + (labels == null ? "null" : labels.length));
        }
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, was " + bins);
        }
        double[] confidenceSum = new double[bins];
        int[] correct = new int[bins];
        int[] count = new int[bins];
        for (int i = 0; i < logits.length; i++) {
            float[] row = logits[i];
            int best = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < row.length; k++) {
                if (row[k] > max) {
                    max = row[k];
                    best = k;
                }
            }
            double sum = 0;
            for (float v : row) {
                sum += Math.exp(v - max); // shifted by the max so large logits cannot overflow
            }
            double confidence = 1.0 / sum;
            int bin = Math.min(bins - 1, (int) (confidence * bins));
            confidenceSum[bin] += confidence;
            count[bin]++;
            if (best == labels[i]) {
                correct[bin]++;
            }
        }
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (count[b] > 0) {
                ece += Math.abs((double) correct[b] / count[b] - confidenceSum[b] / count[b]) * count[b];
            }
        }
        return ece / logits.length;
    }
}
