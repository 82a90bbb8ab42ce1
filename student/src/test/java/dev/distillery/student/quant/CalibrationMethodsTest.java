package dev.distillery.student.quant;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CalibrationMethodsTest {
    private static final QuantSpec INT8 = new QuantSpec(8, 8, Map.of());

    @Test
    void percentileAndEntropyClipReluRangesBelowTheirMaximaAndKeepTheInputRange() {
        ModelArtifact model = TestModels.randomModel(TestModels.separableCnn(), 2);
        float[][] sample = FashionMnist.trainImages(300);

        QuantSpec minmax = Calibration.calibrate(model, sample, INT8, CalibrationMethod.MINMAX, 100);
        QuantSpec percentile = Calibration.calibrate(model, sample, INT8, CalibrationMethod.PERCENTILE, 99.0);
        QuantSpec entropy = Calibration.calibrate(model, sample, INT8, CalibrationMethod.ENTROPY, 100);

        for (QuantSpec s : List.of(percentile, entropy)) {
            assertThat(s.activationMax()).containsOnlyKeys(minmax.activationMax().keySet());
            assertThat(s.activationMax().get("input")).isEqualTo(minmax.activationMax().get("input"));
            for (String point : List.of("L2", "L4", "L6", "L10")) {
                assertThat(s.activationMax().get(point)).as(point).isPositive()
                        .isLessThanOrEqualTo(minmax.activationMax().get(point) * (1 + 1e-9));
            }
        }
        // The 99th percentile of a ReLU output lies well inside its maximum.
        assertThat(percentile.activationMax().get("L2")).isLessThan(0.9 * minmax.activationMax().get("L2"));
    }

    @Test
    void entropyCalibrationOfATrainedStudentClipsOnlyTheSparseTail() {
        // A trained student's ReLU outputs are exact zeros for a sixth to a half of their values. Entropy
        // calibration must not clip the positives to make that spike a quantization level of its own (cutting each
        // range at a quarter, 2-8% of the values, cost the demo student 7 points of accuracy): what the KL search
        // may clip is the sparse tail of the largest values, here less than the top 1% at every point.
        ModelArtifact model = TestModels.trainedFloat(TestModels.separableCnn(), 300);
        float[][] sample = FashionMnist.trainImages(1000);

        QuantSpec p99 = Calibration.calibrate(model, sample, INT8, CalibrationMethod.PERCENTILE, 99.0);
        QuantSpec entropy = Calibration.calibrate(model, sample, INT8, CalibrationMethod.ENTROPY, 100);

        for (String point : List.of("L2", "L4", "L6", "L10")) {
            assertThat(entropy.activationMax().get(point)).as(point)
                    .isGreaterThan(p99.activationMax().get(point));
        }
    }

    @Test
    void rangesAreSharedBetweenGranularitiesAndVariantsAreNamedByMethodAndGranularity() {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 2);

        Map<String, ModelArtifact> variants = PostTrainingQuantization.variants(model, FashionMnist.trainImages(64),
                List.of(CalibrationMethod.MINMAX, CalibrationMethod.ENTROPY), List.of("per_channel", "per_tensor"),
                8, 8, 99.99);

        assertThat(variants).containsOnlyKeys("ptq-minmax-per_channel", "ptq-minmax-per_tensor",
                "ptq-entropy-per_channel", "ptq-entropy-per_tensor");
        assertThat(variants.get("ptq-entropy-per_tensor").quant().perTensorWeights()).isTrue();
        assertThat(variants.get("ptq-entropy-per_channel").quant().activationMax())
                .isEqualTo(variants.get("ptq-entropy-per_tensor").quant().activationMax());
        assertThat(variants.get("ptq-minmax-per_tensor").metadata()).containsEntry("calibration", "minmax");
        // post-training: the float weights are those of the source model, untouched
        assertThat(variants.get("ptq-minmax-per_tensor").params().get("L0_w")).isEqualTo(model.params().get("L0_w"));
    }

    @Test
    void perTensorWeightsShareOneScaleAcrossChannels() {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 2);
        QuantSpec perTensor = new QuantSpec(8, 8, Map.of(), Map.of(), true, 0);

        IntegerModel integer = IntegerConverter.convert(model.withQuant(
                Calibration.calibrate(model, FashionMnist.trainImages(16), perTensor, CalibrationMethod.MINMAX, 100)));

        float[] scales = integer.layer(0).weightScale();
        assertThat(scales).containsOnly(scales[0]);
        assertThat(integer.metadata()).containsEntry("weight_granularity", "per_tensor");
    }

    @Test
    void int4OnADepthwiseLayerIsRejectedNamingTheLayer() {
        ModelArtifact model = TestModels.randomModel(TestModels.separableCnn(), 2);
        QuantSpec allInt4 = new QuantSpec(4, 8, Map.of(), Map.of(), false, 4);

        assertThatThrownBy(() -> IntegerConverter.convert(model.withQuant(
                Calibration.calibrate(model, FashionMnist.trainImages(8), allInt4, CalibrationMethod.MINMAX, 100))))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("layer 3 (depthwise_conv2d 3x3/2) cannot take 4-bit weights")
                .hasMessageContaining("8-bit weights only");
    }

    @Test
    void unknownMethodNamesAndBadPercentilesAreRejected() {
        assertThatThrownBy(() -> CalibrationMethod.parse("ptq.methods[0]", "kl"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("ptq.methods[0] given unknown calibration method \"kl\"");
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 2);
        assertThatThrownBy(() -> Calibration.calibrate(model, FashionMnist.trainImages(4), INT8,
                CalibrationMethod.PERCENTILE, 0))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("percentile given invalid value 0.0");
    }
}
