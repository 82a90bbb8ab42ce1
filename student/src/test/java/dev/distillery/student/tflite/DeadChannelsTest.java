package dev.distillery.student.tflite;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerLayer;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** A channel pruned to all-zero weights exports to TFLite with a multiplier its kernels accept and the same bias. */
class DeadChannelsTest {
    private static final int POINTWISE = 5;
    private static final int DEAD = 3;

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
        float[] b = params.get(pointwise.biasName()).clone();
        b[DEAD] = 0.37f;
        params.put(pointwise.biasName(), b);
        ModelArtifact pruned = model.withParams(params);
        QuantSpec spec = Calibration.calibrate(pruned, FashionMnist.trainImages(200),
                new QuantSpec(8, 8, Map.of(), Map.of(), false, 8), CalibrationMethod.MINMAX, 99.99);
        return IntegerConverter.convert(pruned.withQuant(spec));
    }

    @Test
    void anAllZeroChannelGetsMultiplierOneAndKeepsItsRealBias() {
        IntegerModel model = prunedChannelModel();
        IntegerLayer before = model.layer(POINTWISE);
        // the quantizer floors an all-zero channel's scale: its multiplier is far below TFLite's 2^-32
        assertThat(before.inputScale() * before.weightScale()[DEAD] / before.outputScale()).isLessThan(0x1p-32);

        IntegerLayer after = DeadChannels.rescaled(model).layer(POINTWISE);

        assertThat(after.inputScale() * after.weightScale()[DEAD] / after.outputScale()).isCloseTo(1.0, within(1e-6));
        double realBefore = before.bias()[DEAD] * before.inputScale() * before.weightScale()[DEAD];
        double realAfter = after.bias()[DEAD] * after.inputScale() * after.weightScale()[DEAD];
        // re-expressed in the new unit, rounded: within half an output step
        assertThat(realAfter).isCloseTo(realBefore, within(after.outputScale() / 2 + 1e-9));
        for (int c = 0; c < after.channels(); c++) {
            if (c != DEAD) {
                assertThat(after.weightScale()[c]).isEqualTo(before.weightScale()[c]);
                assertThat(after.bias()[c]).isEqualTo(before.bias()[c]);
            }
        }
        // what the export refused before it now builds
        assertThat(TfliteExporter.build(model, IntegerFixtures.calibration()).bytes()).isNotEmpty();
    }
}
