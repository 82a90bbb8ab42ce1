package dev.distillery.core.labels;

/**
 * Top-k compression of a logit vector and its inverse. The stored triple (indices, logits, rest mass) rebuilds a
 * full logit vector whose softmax at temperature 1 gives exactly the stored classes' probabilities and spreads the
 * rest mass evenly over the other classes; at other temperatures the other classes act as one shared logit.
 */
public final class TopK {
    private TopK() {
    }

    /** Indices of the k largest logits, largest first; ties go to the lower index. */
    public static int[] indices(float[] logits, int k) {
        int[] idx = new int[k];
        boolean[] taken = new boolean[logits.length];
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < logits.length; i++) {
                if (!taken[i] && (best < 0 || logits[i] > logits[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            idx[j] = best;
        }
        return idx;
    }

    /** Softmax probability (temperature 1) of all classes not in {@code top}, computed from their own terms. */
    public static double restMass(float[] logits, int[] top) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        boolean[] in = new boolean[logits.length];
        for (int i : top) {
            in[i] = true;
        }
        double all = 0;
        double rest = 0;
        for (int i = 0; i < logits.length; i++) {
            double e = Math.exp(logits[i] - max);
            all += e;
            if (!in[i]) {
                rest += e;
            }
        }
        return rest / all;
    }

    /**
     * The full logit vector: stored logits at their indices; every other class gets
     * {@code log(rest / (C - k)) + L}, where {@code L = log(sum_top exp(z)) - log(1 - rest)} is the log-partition of
     * the original logits. Softmax of the result at T=1 equals the stored probabilities exactly.
     */
    public static float[] rebuild(int[] indices, float[] values, double restMass, int numClasses) {
        float[] out = new float[numClasses];
        int k = indices.length;
        if (k == numClasses) {
            for (int j = 0; j < k; j++) {
                out[indices[j]] = values[j];
            }
            return out;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            max = Math.max(max, v);
        }
        double sumTop = 0;
        for (float v : values) {
            sumTop += Math.exp(v - max);
        }
        double rest = Math.min(Math.max(restMass, 0), 1 - 1e-7);
        double logPartition = max + Math.log(sumTop) - Math.log1p(-rest);
        // a rest mass that underflowed to 0 still needs a finite logit: far below every stored one
        double restLogit = rest > 0 ? Math.log(rest / (numClasses - k)) + logPartition
                : values[k - 1] - 100.0;
        java.util.Arrays.fill(out, (float) restLogit);
        for (int j = 0; j < k; j++) {
            out[indices[j]] = values[j];
        }
        return out;
    }
}
