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
    void exactZerosDoNotMoveTheEntropyThreshold() {
        // A ReLU output: a half-normal bulk and, in the second histogram, three exact zeros for every positive value.
        // Zero is the zero point, exact under every threshold, so the threshold depends on the positives only.
        Random rnd = new Random(3);
        float[] positives = new float[100_000];
        for (int i = 0; i < positives.length; i++) {
            positives[i] = (float) Math.abs(rnd.nextGaussian()) + 1e-6f;
        }
        double max = 5.0;
        Histogram withoutZeros = new Histogram(max, 2048);
        withoutZeros.add(positives);
        Histogram withZeros = new Histogram(max, 2048);
        withZeros.add(positives);
        withZeros.add(new float[3 * positives.length]);

        assertThat(withZeros.entropyThreshold(256)).isEqualTo(withoutZeros.entropyThreshold(256));
    }

    @Test
    void aZeroSpikeDoesNotPullTheEntropyThresholdIntoTheBulk() {
        // 60% exact zeros (a typical ReLU share) and an exponential bulk of scale 1 given by its quantiles
        // (largest value ln 200,000 = 12.2). Were the zeros binned with the smallest positives, the search would keep
        // that spike a quantization level of its own by cutting where a level is one bin wide, at a quarter of the
        // range (3.05), and clip e^-3.05 = 4.7% of the positives. The sparse tail the KL search is there to clip lies
        // above the 99th percentile, ln 100 = 4.6.
        int positives = 100_000;
        float[] v = new float[positives * 5 / 2];
        for (int i = 0; i < positives; i++) {
            v[i] = (float) -Math.log(1 - (i + 0.5) / positives);
        }
        Histogram h = new Histogram(v[positives - 1], 2048);
        h.add(v);

        assertThat(h.entropyThreshold(256)).isGreaterThan(Math.log(100));
    }

    @Test
    void valuesOnTheCodeGridOfTheFullRangeKeepTheFullRange() {
        // Every value sits on a code k * 10 / 255 of the full range (k = 1..255, uneven counts): quantizing with
        // threshold 10 reproduces them exactly, so KL(P || Q) is 0 there and no smaller threshold does as well. With
        // 300 bins a code spans 1.18 bins, so Q must group the bins by the code they round to: equal groups of
        // 300 / 256 bins would put two neighbouring codes' values into one group here and there and blur them.
        float[] v = new float[255 * 15];
        int n = 0;
        for (int k = 1; k <= 255; k++) {
            for (int c = 0; c < 1 + k % 5; c++) {
                v[n++] = (float) (k * 10.0 / 255);
            }
        }
        Histogram h = new Histogram(10, 300);
        h.add(java.util.Arrays.copyOf(v, n));

        assertThat(h.entropyThreshold(256)).isCloseTo(10.0, within(1e-9));
    }

    @Test
    void percentileCountsExactZerosAsTheSmallestValues() {
        // 90% zeros and 10% at 2.0: the 95th percentile lies in the positives, the 90th among the zeros (first bin).
        float[] v = new float[1000];
        for (int i = 900; i < 1000; i++) {
            v[i] = 2f;
        }
        Histogram h = new Histogram(2, 2048);
        h.add(v);

        assertThat(h.percentile(95)).isCloseTo(2.0, within(1e-9));
        assertThat(h.percentile(90)).isCloseTo(2.0 / 2048, within(1e-12));
    }

    @Test
    void allZeroActivationsGiveAZeroRange() {
        Histogram h = new Histogram(0, 2048);
        h.add(new float[100]);

        assertThat(h.percentile(99.99)).isZero();
        assertThat(h.entropyThreshold(256)).isZero();
    }
}
