package dev.distillery.student.quant;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IntegerConverterTest {

    private static ModelArtifact calibrated(Architecture arch) {
        ModelArtifact model = TestModels.randomModel(arch, 2);
        return model.withQuant(Calibration.calibrate(model, FashionMnist.trainImages(64), 8, 8));
    }

    @Test
    void rejectsAModelWithoutQuantizationSpec() {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 2);

        assertThatThrownBy(() -> IntegerConverter.convert(model))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("tiny-cnn")
                .hasMessageContaining("no quantization spec");
    }

    @Test
    void rejectsAWeightedLayerFollowedByAnotherWeightedLayer() {
        Architecture arch = new Architecture("linear-stack", 1, 28, 28, 10, List.of(new LayerSpec.Flatten(),
                new LayerSpec.Dense(16), new LayerSpec.Dense(10)));

        assertThatThrownBy(() -> IntegerConverter.convert(calibrated(arch)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 1 (dense 16) is followed by layer 2 (dense 10) instead of a relu");
    }

    @Test
    void rejectsAConvolutionWhosePoolIsNotFollowedByRelu() {
        Architecture arch = new Architecture("no-relu", 1, 28, 28, 10, List.of(new LayerSpec.Conv2d(4, 3, 1),
                new LayerSpec.MaxPool(2), new LayerSpec.Flatten(), new LayerSpec.Dense(10)));

        assertThatThrownBy(() -> IntegerConverter.convert(calibrated(arch)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 0 (conv2d 4 filters 3x3/1) is followed by layer 3 (dense 10)");
    }

    @Test
    void rejectsAQuantizationSpecMissingARangeTheConversionNeeds() {
        ModelArtifact model = calibrated(TestModels.tinyCnn());
        ModelArtifact partial = model.withQuant(new QuantSpec(8, 8, Map.of("input", 1.0)));

        assertThatThrownBy(() -> IntegerConverter.convert(partial))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("no calibrated range \"L1\"")
                .hasMessageContaining("layer 0 (conv2d 8 filters 3x3/1)");
    }

    @Test
    void fusesReluAfterMaxPoolAndRecordsOneLayerPerWeightedLayer() {
        ModelArtifact model = calibrated(TestModels.separableCnn());

        IntegerModel integer = IntegerConverter.convert(model);

        assertThat(integer.layers()).extracting(IntegerLayer::index).containsExactly(0, 3, 5, 9, 11);
        assertThat(integer.layers()).extracting(IntegerLayer::requantized)
                .containsExactly(true, true, true, true, false);
        QuantSpec spec = model.quant();
        // Each layer reads the codes of the previous relu and writes those of its own relu.
        assertThat(integer.layer(0).inputScale()).isEqualTo(spec.activationScale("input"));
        assertThat(integer.layer(0).outputScale()).isEqualTo(spec.activationScale("L2"));
        assertThat(integer.layer(3).inputScale()).isEqualTo(spec.activationScale("L2"));
        assertThat(integer.layer(11).inputScale()).isEqualTo(spec.activationScale("L10"));
        for (IntegerLayer layer : integer.layers()) {
            for (byte w : layer.weights()) {
                assertThat((int) w).isBetween(-127, 127);
            }
        }
    }

    @Test
    void storesFourBitWeightCodesWithinPlusMinusSeven() {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 2);
        ModelArtifact q4 = model.withQuant(Calibration.calibrate(model, FashionMnist.trainImages(16), 4, 8));

        IntegerModel integer = IntegerConverter.convert(q4);

        for (IntegerLayer layer : integer.layers()) {
            int min = 0;
            int max = 0;
            for (byte w : layer.weights()) {
                min = Math.min(min, w);
                max = Math.max(max, w);
            }
            // Each channel's largest magnitude maps to code +7 or -7; -8 is never used (symmetric range).
            assertThat(Math.max(max, -min)).isEqualTo(7);
            assertThat(min).isGreaterThanOrEqualTo(-7);
        }
    }
}
