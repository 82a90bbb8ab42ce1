package dev.distillery.evaluation.metrics;

import dev.distillery.core.error.DataContractException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ClassificationMetricsTest {
    // true:      0 0 1 1 2 2
    // predicted: 0 1 1 1 2 0
    static final int[] LABELS = {0, 0, 1, 1, 2, 2};
    static final int[] PREDICTIONS = {0, 1, 1, 1, 2, 0};

    @Test
    void computesAccuracyPrecisionRecallAndConfusionOfAHandExample() {
        ClassificationMetrics m = ClassificationMetrics.of(LABELS, PREDICTIONS, 3);

        assertThat(m.examples()).isEqualTo(6);
        assertThat(m.accuracy()).isCloseTo(4.0 / 6, within(1e-12));
        assertThat(m.confusion()).containsExactly(List.of(1, 1, 0), List.of(0, 2, 0), List.of(1, 0, 1));
        // precision = diagonal / column sum: 1/2, 2/3, 1/1
        assertThat(values(m.precision())).containsExactly(new double[]{0.5, 2.0 / 3, 1.0}, within(1e-12));
        // recall = diagonal / row sum: 1/2, 2/2, 1/2
        assertThat(values(m.recall())).containsExactly(new double[]{0.5, 1.0, 0.5}, within(1e-12));
        assertThat(m.balancedAccuracy()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.count(2, 0)).isEqualTo(1);
    }

    @Test
    void reportsZeroForAClassThatIsNeverPredictedOrNeverPresent() {
        ClassificationMetrics m = ClassificationMetrics.of(new int[]{0, 1}, new int[]{0, 0}, 3);

        assertThat(m.precision()).containsExactly(0.5, 0.0, 0.0);
        assertThat(m.recall()).containsExactly(1.0, 0.0, 0.0);
        // Class 2 never occurs, so it does not drag the balanced accuracy down: mean of 1.0 and 0.0.
        assertThat(m.balancedAccuracy()).isEqualTo(0.5);
    }

    @Test
    void measuresAgreementBetweenTwoPredictionArrays() {
        assertThat(ClassificationMetrics.agreement(new int[]{1, 2, 3, 4}, new int[]{1, 2, 0, 4})).isEqualTo(0.75);
        assertThat(ClassificationMetrics.agreement(PREDICTIONS, PREDICTIONS)).isEqualTo(1.0);
    }

    @Test
    void rejectsPredictionsOutsideTheClassRange() {
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[]{0, 1, 2}, new int[]{0, 1, 7}, 3))
                .isInstanceOf(DataContractException.class)
                .hasMessage("predictions[2] is 7, expected a class in [0, 3)");
    }

    @Test
    void rejectsArraysOfDifferentLengths() {
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[]{0, 1}, new int[]{0}, 2))
                .isInstanceOf(DataContractException.class)
                .hasMessage("labels has 2 entries but predictions has 1");
        assertThatThrownBy(() -> ClassificationMetrics.agreement(new int[0], new int[0]))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("at least one example");
    }

    private static double[] values(List<Double> list) {
        return list.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
