package dev.distillery.core.train;

/**
 * Minibatch boundaries within a partition: full batches in order, with a remainder of a single row folded into
 * the last batch, because a one-row batch breaks the engine's batch reductions during training.
 */
final class Minibatches {
    private Minibatches() {
    }

    /** Number of minibatches for {@code n} rows. */
    static int count(int n, int batch) {
        int full = (n + batch - 1) / batch;
        return n % batch == 1 && full > 1 ? full - 1 : full;
    }

    /** Exclusive end row of minibatch {@code b} of {@code count}; it starts at {@code b * batch}. */
    static int end(int b, int count, int n, int batch) {
        return b == count - 1 ? n : Math.min(n, (b + 1) * batch);
    }
}
