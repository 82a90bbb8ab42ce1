package dev.distillery.student.quant;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CalibrationTest {

    @Test
    void rangesAreTheMaximaOfTheInputAndOfEachReluOutputOverTheSample() {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 1);
        // More rows than one calibration chunk, so that maxima are merged across chunks.
        float[][] sample = FashionMnist.trainImages(700);

        QuantSpec spec = Calibration.calibrate(model, sample, 8, 6);

        float inputMax = 0;
        for (float[] row : sample) {
            for (float v : row) {
                inputMax = Math.max(inputMax, v);
            }
        }
        float reluMax = 0;
        for (float[] row : Engines.network().forInference(model.architecture(), model.params(), GraphHooks.NONE)
                .output(sample, "act1")) {
            for (float v : row) {
                reluMax = Math.max(reluMax, v);
            }
        }
        assertThat(spec.weightBits()).isEqualTo(8);
        assertThat(spec.activationBits()).isEqualTo(6);
        assertThat(spec.activationMax()).containsOnlyKeys("input", "L1");
        assertThat(spec.activationMax().get("input")).isEqualTo(inputMax);
        assertThat(spec.activationMax().get("L1")).isCloseTo(reluMax, within(1e-6 * reluMax));
    }

    @Test
    void calibratesEveryReluBeforeTheLastWeightedLayer() {
        ModelArtifact model = TestModels.randomModel(TestModels.separableCnn(), 1);

        QuantSpec spec = Calibration.calibrate(model, FashionMnist.trainImages(32), 8, 8);

        assertThat(spec.activationMax()).containsOnlyKeys("input", "L2", "L4", "L6", "L10");
        assertThat(spec.activationMax().values()).allSatisfy(max -> assertThat(max).isPositive());
    }

    @Test
    void rejectsAnEmptySample() {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 1);

        assertThatThrownBy(() -> Calibration.calibrate(model, new float[0][], 8, 8))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("at least one sample row");
    }

    @Test
    void rejectsRowsOfTheWrongWidth() {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 1);

        assertThatThrownBy(() -> Calibration.calibrate(model, new float[][]{new float[784], new float[100]}, 8, 8))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("row 1 has 100 values")
                .hasMessageContaining("expects 784");
    }

    @Test
    void rejectsBitWidthsOutsideTwoToEight() {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 1);

        assertThatThrownBy(() -> Calibration.calibrate(model, FashionMnist.trainImages(4), 16, 8))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("weightBits given invalid value 16");
    }
}
