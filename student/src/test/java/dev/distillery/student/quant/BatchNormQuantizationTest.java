package dev.distillery.student.quant;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.BatchNormFolding;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.student.onnx.OnnxExporter;
import dev.distillery.student.prune.ChannelPruning;
import dev.distillery.student.prune.MagnitudePruning;
import dev.distillery.student.runtime.IntegerRuntime;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A depthwise-separable student trained with batch norm on Fashion-MNIST: folded, it computes the same logits;
 * calibration, fake quantization and integer conversion work on the folded layers, and every consumer that cannot
 * run batch norm refuses the unfolded model.
 */
class BatchNormQuantizationTest {
    static ModelArtifact trained;
    static ModelArtifact folded;
    static float[][] testX;
    static int[] testY;

    /** conv8 → bn → relu → pool → depthwise → bn → relu → pointwise 16 → bn → relu → pool → dense 10. */
    static Architecture separableWithBatchNorm() {
        LayerSpec bn = new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON);
        return new Architecture("separable-bn", 1, 28, 28, 10, List.of(new LayerSpec.Conv2d(8, 3, 1), bn,
                new LayerSpec.Relu(), new LayerSpec.MaxPool(2), new LayerSpec.DepthwiseConv2d(3, 1), bn,
                new LayerSpec.Relu(), new LayerSpec.Conv2d(16, 1, 1), bn, new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10)));
    }

    @BeforeAll
    static void train() {
        trained = TestModels.train(TestModels.randomModel(separableWithBatchNorm(), 7), GraphHooks.NONE,
                FashionMnist.trainImages(2000), FashionMnist.trainLabels(2000), 150, 64, 3e-3, 11);
        folded = BatchNormFolding.fold(trained);
        testX = FashionMnist.testImages(500);
        testY = FashionMnist.testLabels(500);
    }

    @Test
    void trainedStudentFoldsIntoTheSameNetworkWithoutBatchNorm() {
        assertThat(folded.architecture().layers()).noneMatch(l -> l instanceof LayerSpec.BatchNorm);
        float[][] expected = Engines.network().forInference(trained.architecture(), trained.params(), GraphHooks.NONE)
                .logits(testX);
        float[][] actual = Engines.network().forInference(folded.architecture(), folded.params(), GraphHooks.NONE)
                .logits(testX);
        int correct = 0;
        for (int i = 0; i < testX.length; i++) {
            double scale = 0;
            for (float v : expected[i]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int c = 0; c < 10; c++) {
                assertThat((double) Math.abs(actual[i][c] - expected[i][c])).isLessThanOrEqualTo(1e-4 * scale);
            }
            correct += TestModels.argmax(actual[i]) == testY[i] ? 1 : 0;
        }
        // 150 Adam steps of an 8k-parameter convolutional student reach well above 70% on Fashion-MNIST
        assertThat(correct / 500.0).isGreaterThan(0.7);
    }

    @Test
    void quantizationAwareTrainingRunsOnTheFoldedLayers() {
        float[][] trainX = FashionMnist.trainImages(2000);
        QuantSpec settings = new QuantSpec(8, 8, Map.of(), Map.of(), false, 8);
        QuantSpec spec = Calibration.calibrate(folded, Arrays.copyOf(trainX, 500), settings, CalibrationMethod.MINMAX,
                100.0);
        // folded layers: 0 conv, 1 relu, 2 pool, 3 depthwise, 4 relu, 5 pointwise, 6 relu, 7 pool, 8 flatten, 9 dense
        assertThat(spec.activationMax().keySet()).containsExactlyInAnyOrder("input", "L1", "L4", "L6");
        FakeQuantHooks hooks = new FakeQuantHooks(spec);
        ModelArtifact qat = TestModels.train(folded, hooks, trainX, FashionMnist.trainLabels(2000), 60, 64, 5e-4, 13)
                .withQuant(spec);
        IntegerModel integer = IntegerConverter.convert(qat);
        assertThat(integer.layers()).extracting(IntegerLayer::index).containsExactly(0, 3, 5, 9);

        float[][] fakeQuant = Engines.network().forInference(qat.architecture(), qat.params(), hooks).logits(testX);
        float[][] ints = new IntegerRuntime(integer).logits(testX);
        int agree = 0;
        int correct = 0;
        for (int i = 0; i < testX.length; i++) {
            agree += TestModels.argmax(ints[i]) == TestModels.argmax(fakeQuant[i]) ? 1 : 0;
            correct += TestModels.argmax(ints[i]) == testY[i] ? 1 : 0;
        }
        assertThat(agree).as("integer runtime agrees with the fake-quantized folded graph, of 500")
                .isGreaterThanOrEqualTo(495);
        assertThat(correct / 500.0).isGreaterThan(0.7);
    }

    @Test
    void everyConsumerThatCannotRunBatchNormRefusesTheUnfoldedModel() {
        String layer = "separable-bn has batch_norm at layer 1";
        assertThatThrownBy(() -> Calibration.calibrate(trained, FashionMnist.trainImages(10), 8, 8))
                .isInstanceOf(DataContractException.class).hasMessageContaining("calibration needs a model without "
                        + "batch norm, but " + layer);
        assertThatThrownBy(() -> IntegerConverter.convert(trained.withQuant(new QuantSpec(8, 8, Map.of()))))
                .isInstanceOf(DataContractException.class).hasMessageContaining("integer conversion needs")
                .hasMessageContaining(layer);
        assertThatThrownBy(() -> IntegerConverter.checkSupported(trained.architecture().layerInfos(),
                new QuantSpec(8, 8, Map.of())))
                .isInstanceOf(DataContractException.class).hasMessageContaining("layer 1 (batch_norm) is a batch norm");
        assertThatThrownBy(() -> OnnxExporter.toBytes(trained))
                .isInstanceOf(DataContractException.class).hasMessageContaining("ONNX export needs");
        assertThatThrownBy(() -> ChannelPruning.prune(trained, 0.5))
                .isInstanceOf(DataContractException.class).hasMessageContaining("channel pruning needs");
        assertThatThrownBy(() -> MagnitudePruning.prune(trained, 0.5))
                .isInstanceOf(DataContractException.class).hasMessageContaining("magnitude pruning needs");
    }
}
