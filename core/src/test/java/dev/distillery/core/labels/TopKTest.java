package dev.distillery.core.labels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TopKTest {
    static double[] softmax(float[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v / t);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] / t - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    static double kl(double[] p, double[] q) {
        double kl = 0;
        for (int i = 0; i < p.length; i++) {
            kl += p[i] > 0 ? p[i] * Math.log(p[i] / q[i]) : 0;
        }
        return kl;
    }

    private static float[] logits(Random r, int n, double scale) {
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) (r.nextGaussian() * scale);
        }
        return z;
    }

    @Test
    void picksTheLargestLogitsLargestFirst() {
        assertThat(TopK.indices(new float[]{0.5f, 3f, -1f, 2f, 3f}, 3)).containsExactly(1, 4, 3);
    }

    @Test
    void rebuiltDistributionAtTemperatureOneKeepsTopProbabilitiesAndSpreadsTheRestEvenly() {
        Random r = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            float[] z = logits(r, 10, 4);
            int[] top = TopK.indices(z, 3);
            float[] values = {z[top[0]], z[top[1]], z[top[2]]};
            double rest = TopK.restMass(z, top);
            double[] p = softmax(z, 1);
            double[] q = softmax(TopK.rebuild(top, values, rest, 10), 1);
            for (int j : top) {
                assertThat(q[j]).isCloseTo(p[j], within(1e-6));
            }
            for (int c = 0; c < 10; c++) {
                if (c != top[0] && c != top[1] && c != top[2]) {
                    assertThat(q[c]).isCloseTo(rest / 7, within(1e-6));
                }
            }
        }
    }

    @Test
    void rebuildingWithEveryClassIsExact() {
        float[] z = {1f, -2f, 0.25f};
        int[] top = TopK.indices(z, 3);
        float[] values = {z[top[0]], z[top[1]], z[top[2]]};
        assertThat(TopK.rebuild(top, values, TopK.restMass(z, top), 3)).containsExactly(z);
    }

    @Test
    void aRestMassThatUnderflowedStillGivesFiniteLogits() {
        float[] out = TopK.rebuild(new int[]{2}, new float[]{500f}, 0.0, 4);
        for (float v : out) {
            assertThat(Float.isFinite(v)).isTrue();
        }
        assertThat(softmax(out, 1)[2]).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void halfPrecisionKeepsElevenSignificantBits() {
        assertThat(Float16.encode(1f)).isEqualTo((short) 0x3C00);
        assertThat(Float16.encode(-2f)).isEqualTo((short) 0xC000);
        assertThat(Float16.encode(65504f)).isEqualTo((short) 0x7BFF);
        Random r = new Random(5);
        for (int i = 0; i < 1000; i++) {
            float v = (float) (r.nextGaussian() * 20);
            // round to nearest: relative error at most 2^-11 for normal values
            assertThat((double) Float16.decode(Float16.encode(v))).isCloseTo(v, within(Math.abs(v) * 0x1p-11 + 1e-7));
        }
    }
}
