package dev.distillery.student.tflite;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.student.mcu.CExporter;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.WeightQuantizer;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A channel pruned to all-zero weights converts to a multiplier of 1 with its real bias, so both the TFLite and the C
 * export take it (with the quantizer's floored scale its bias left int32 and its multiplier fell below 2^-32).
 */
class PrunedChannelExportTest {
    private static final int POINTWISE = 5;
    private static final int DEAD = 3;
    private static final float DEAD_BIAS = 0.37f;
    private static float[] prunedWeights;

    private static IntegerModel prunedChannelModel() {
        Architecture arch = TestModels.separableCnn();
        ModelArtifact model = TestModels.randomModel(arch, 5);
        LayerInfo pointwise = arch.layerInfos().get(POINTWISE);
        Map<String, float[]> params = new LinkedHashMap<>(model.params());
        float[] w = params.get(pointwise.weightName()).clone();
        int filters = pointwise.outChannels();
        for (int i = DEAD; i < w.length; i += filters) {
            w[i] = 0;
        }
        params.put(pointwise.weightName(), w);
        prunedWeights = w;
        float[] b = params.get(pointwise.biasName()).clone();
        b[DEAD] = DEAD_BIAS;
        params.put(pointwise.biasName(), b);
        ModelArtifact pruned = model.withParams(params);
        QuantSpec spec = Calibration.calibrate(pruned, FashionMnist.trainImages(200),
                new QuantSpec(8, 8, Map.of(), Map.of(), false, 8), CalibrationMethod.MINMAX, 99.99);
        return IntegerConverter.convert(pruned.withQuant(spec));
    }

    @Test
    void anAllZeroChannelGetsMultiplierOneAndItsRealBiasAndBothExportsTakeIt() {
        IntegerModel model = prunedChannelModel();
        IntegerLayer layer = model.layer(POINTWISE);

        assertThat(layer.inputScale() * layer.weightScale()[DEAD] / layer.outputScale()).isCloseTo(1.0, within(1e-6));
        double realBias = layer.bias()[DEAD] * layer.inputScale() * layer.weightScale()[DEAD];
        assertThat(realBias).isCloseTo(DEAD_BIAS, within(layer.outputScale() / 2 + 1e-9));
        float[] quantizerScales = WeightQuantizer.scales(model.architecture().layerInfos().get(POINTWISE),
                prunedWeights, 8);
        for (int c = 0; c < layer.channels(); c++) {
            if (c != DEAD) {
                assertThat(layer.weightScale()[c]).isEqualTo(quantizerScales[c]);
            }
        }
        assertThat(TfliteExporter.build(model, IntegerFixtures.calibration()).bytes()).isNotEmpty();
        assertThat(CExporter.generate(model, "pruned").source()).isNotEmpty();
    }
}
