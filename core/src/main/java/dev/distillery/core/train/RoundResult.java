package dev.distillery.core.train;

import java.io.Serializable;

/**
 * What one partition returns from a round: example-weighted sums of parameters and optimizer state, and the
 * time the slowest partition spent inside training steps (the rest of a round is coordination).
 */
record RoundResult(float[] paramSum, float[] stateSum, long examples, double lossSum, int lossCount, long stepNanos)
        implements Serializable {

    static RoundResult empty() {
        return new RoundResult(new float[0], new float[0], 0, 0, 0, 0);
    }

    static RoundResult merge(RoundResult a, RoundResult b) {
        if (a.examples == 0) {
            return b;
        }
        if (b.examples == 0) {
            return a;
        }
        return new RoundResult(add(a.paramSum, b.paramSum), add(a.stateSum, b.stateSum), a.examples + b.examples,
                a.lossSum + b.lossSum, a.lossCount + b.lossCount, Math.max(a.stepNanos, b.stepNanos));
    }

    private static float[] add(float[] x, float[] y) {
        if (x.length != y.length) {
            throw new IllegalStateException("partitions returned vectors of different lengths " + x.length + " and "
                    + y.length);
        }
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] + y[i];
        }
        return out;
    }
}
