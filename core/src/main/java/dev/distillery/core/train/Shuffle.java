package dev.distillery.core.train;

import java.util.SplittableRandom;

/** Seeded Fisher-Yates permutations: the minibatch order of an epoch is a pure function of its seed. */
public final class Shuffle {
    private Shuffle() {
    }

    /** A permutation of {@code 0..n-1} determined by {@code seed}. */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }
}
