package dev.distillery.student.quant;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class HistogramTest {

    @Test
    void percentileOfAUniformSampleIsThatFractionOfTheRange() {
        float[] v = new float[100_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i / 100_000f * 10f; // uniform over [0, 10)
        }
        Histogram h = new Histogram(10, 2048);
        h.add(v);

        // the 90th percentile of U(0, 10) is 9; the histogram answers with a bin edge, width 10/2048
        assertThat(h.percentile(90)).isCloseTo(9.0, within(10.0 / 2048));
        assertThat(h.percentile(100)).isCloseTo(10.0, within(1e-9));
    }

    @Test
    void entropyThresholdClipsARareFarTailButKeepsTheBulk() {
        // ReLU-like: half exact zeros, a half-normal bulk of scale 1, and 0.01% outliers out at 50.
        Random rnd = new Random(5);
        float[] v = new float[200_000];
        for (int i = 0; i < v.length; i++) {
            double r = rnd.nextDouble();
            v[i] = r < 0.5 ? 0f : r < 0.9999 ? (float) Math.abs(rnd.nextGaussian()) : 50f;
        }
        Histogram h = new Histogram(50, 2048);
        h.add(v);

        double t = h.entropyThreshold(256);

        // Keeping the range to 50 spends 255 codes on a range the bulk (|N(0,1)| < 5) fills a tenth of; the
        // KL search must cut far below 50 and must not cut into the bulk.
        assertThat(t).isLessThan(25.0).isGreaterThan(3.0);
    }

    @Test
    void entropyKeepsTheWholeRangeWhenNothingIsGainedByClipping() {
        // Uniform data: clipping only distorts, so the best threshold is (close to) the maximum.
        float[] v = new float[100_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 1000) / 1000f * 4f;
        }
        Histogram h = new Histogram(4, 2048);
        h.add(v);

        assertThat(h.entropyThreshold(256)).isGreaterThan(3.8);
    }

    @Test
    void allZeroActivationsGiveAZeroRange() {
        Histogram h = new Histogram(0, 2048);
        h.add(new float[100]);

        assertThat(h.percentile(99.99)).isZero();
        assertThat(h.entropyThreshold(256)).isZero();
    }
}
