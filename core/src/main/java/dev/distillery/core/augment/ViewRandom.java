package dev.distillery.core.augment;

/**
 * SplitMix64 seeded from (seed, id, view): the same numbers in every JVM and, following docs/soft-labels.md, in any
 * language. {@code java.util.SplittableRandom} is not used because its algorithm is not part of its contract.
 */
final class ViewRandom {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    ViewRandom(long seed, long id, int view) {
        this.state = mix(mix(mix(seed) ^ id) ^ view);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform integer in [lo, hi]. */
    int between(int lo, int hi) {
        return lo + (int) Long.remainderUnsigned(nextLong(), hi - lo + 1L);
    }

    /** Uniform double in [0, 1). */
    double uniform() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal (Box-Muller, one value per pair of uniforms). */
    double gaussian() {
        double u1 = 1.0 - uniform();
        double u2 = uniform();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
