package dev.distillery.core.train;

import java.io.Serializable;

/**
 * What one partition returns from a round: parameters weighted by the examples it trained this round, optimizer
 * state weighted by {@code stateWeight} (zero when the state is not exchanged this round), and the time the slowest
 * partition spent inside training steps (the rest of a round is coordination).
 */
record RoundResult(float[] paramSum, float[] stateSum, long examples, long stateWeight, double lossSum,
                   int lossCount, long stepNanos) implements Serializable {

    static RoundResult empty() {
        return new RoundResult(new float[0], new float[0], 0, 0, 0, 0, 0);
    }

    static RoundResult merge(RoundResult a, RoundResult b) {
        float[] params = a.examples == 0 ? b.paramSum : b.examples == 0 ? a.paramSum : add(a.paramSum, b.paramSum);
        float[] state = a.stateWeight == 0 ? b.stateSum : b.stateWeight == 0 ? a.stateSum : add(a.stateSum, b.stateSum);
        return new RoundResult(params, state, a.examples + b.examples, a.stateWeight + b.stateWeight,
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
