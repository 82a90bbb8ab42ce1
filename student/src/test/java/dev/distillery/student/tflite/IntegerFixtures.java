package dev.distillery.student.tflite;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.quant.CalibrationMethod;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;

import java.util.Arrays;
import java.util.Map;

/** Integer students trained on real Fashion-MNIST, as the integer pipeline builds them, for the export tests. */
final class IntegerFixtures {
    private IntegerFixtures() {
    }

    /**
     * A float student trained for 300 steps on 2,000 training images, calibrated on 500 of them, optionally
     * fine-tuned with fake quantization for {@code qatSteps} steps, and converted to integers.
     */
    static IntegerModel trained(Architecture arch, int weightBits, boolean perTensor, CalibrationMethod method,
                                int qatSteps) {
        float[][] trainX = FashionMnist.trainImages(2000);
        int[] trainY = FashionMnist.trainLabels(2000);
        ModelArtifact floatModel = TestModels.trainedFloat(arch, 300);
        QuantSpec settings = new QuantSpec(weightBits, 8, Map.of(), Map.of(), perTensor, 8);
        QuantSpec spec = Calibration.calibrate(floatModel, Arrays.copyOf(trainX, 500), settings, method, 99.99);
        ModelArtifact quantized = (qatSteps > 0
                ? TestModels.train(floatModel, new FakeQuantHooks(spec), trainX, trainY, qatSteps, 64, 5e-4, 13)
                : floatModel).withQuant(spec);
        return IntegerConverter.convert(quantized);
    }

    /** An untrained (He-initialised) student calibrated on 200 training images: fast, for structure tests. */
    static IntegerModel untrained(Architecture arch, int weightBits, boolean perTensor) {
        ModelArtifact model = TestModels.randomModel(arch, 5);
        QuantSpec settings = new QuantSpec(weightBits, 8, Map.of(), Map.of(), perTensor, 8);
        QuantSpec spec = Calibration.calibrate(model, FashionMnist.trainImages(200), settings,
                CalibrationMethod.MINMAX, 99.99);
        return IntegerConverter.convert(model.withQuant(spec));
    }

    /** Calibration rows for the output quantization: training images the test rows never include. */
    static float[][] calibration() {
        return Arrays.copyOf(FashionMnist.trainImages(500), 500);
    }
}
