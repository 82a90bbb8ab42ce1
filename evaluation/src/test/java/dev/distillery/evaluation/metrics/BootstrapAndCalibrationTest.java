package dev.distillery.evaluation.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BootstrapAndCalibrationTest {

    @Test
    void bootstrapIntervalCoversTheAccuracyWithTheBinomialWidthAndRepeatsWithItsSeed() {
        boolean[] correct = new boolean[2000];
        for (int i = 0; i < correct.length; i++) {
            correct[i] = i % 10 < 9; // 90% right
        }

        ConfidenceInterval ci = Bootstrap.accuracy(correct, 0.95, 1000, 42);

        assertThat(ci.contains(0.9)).isTrue();
        // Normal approximation: 1.96 * sqrt(0.9 * 0.1 / 2000) = 0.0131 on each side; allow resampling noise.
        assertThat(ci.upper() - ci.lower()).isCloseTo(2 * 0.0131, within(0.006));
        assertThat(Bootstrap.accuracy(correct, 0.95, 1000, 42)).isEqualTo(ci);
        assertThat(Bootstrap.accuracy(correct, 0.95, 1000, 43)).isNotEqualTo(ci);
    }

    @Test
    void perfectPredictionsHaveADegenerateInterval() {
        ConfidenceInterval ci = Bootstrap.accuracy(new boolean[]{true, true, true}, 0.95, 100, 1);

        assertThat(ci.lower()).isEqualTo(1.0);
        assertThat(ci.upper()).isEqualTo(1.0);
    }

    @Test
    void calibrationErrorIsZeroWhenConfidenceMatchesAccuracy() {
        // Two classes, logits (ln 3, 0): confidence 0.75; three of four rows right, so accuracy 0.75 in that bin.
        float l = (float) Math.log(3);
        float[][] logits = {{l, 0}, {l, 0}, {l, 0}, {l, 0}};
        int[] labels = {0, 0, 0, 1};

        assertThat(Calibration.expectedCalibrationError(logits, labels, 15)).isCloseTo(0.0, within(1e-6));
    }

    @Test
    void overconfidentWrongPredictionsGiveALargeCalibrationError() {
        float[][] logits = {{20, 0}, {20, 0}};
        int[] labels = {1, 1};

        // Confidence ~1.0, accuracy 0: the error is the whole gap.
        assertThat(Calibration.expectedCalibrationError(logits, labels, 15)).isCloseTo(1.0, within(1e-6));
    }
}
