package dev.distillery.core.model;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.ParamInit;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.train.PreciseBatchNorm;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

class BatchNormFoldingTest {
    /** conv, depthwise, pointwise and hidden dense layers, each followed by bn → relu, on 8x8 digits. */
    static Architecture separableWithBatchNorm() {
        LayerSpec bn = new LayerSpec.BatchNorm(1e-5);
        return new Architecture("bn-cnn", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(8, 3, 1), bn, new LayerSpec.Relu(),
                new LayerSpec.DepthwiseConv2d(3, 1), bn, new LayerSpec.Relu(), new LayerSpec.Conv2d(12, 1, 1), bn,
                new LayerSpec.Relu(), new LayerSpec.MaxPool(2), new LayerSpec.Flatten(), new LayerSpec.Dense(16), bn,
                new LayerSpec.Relu(), new LayerSpec.Dense(10)));
    }

    /** Random weights, random non-zero biases and gamma/beta away from the identity, statistics from real rows. */
    static ModelArtifact randomBatchNormModel(float[][] rows) {
        Architecture arch = separableWithBatchNorm();
        Map<String, float[]> p = new LinkedHashMap<>(ParamInit.he(arch, 17));
        SplittableRandom r = new SplittableRandom(3);
        for (LayerInfo info : arch.layerInfos()) {
            for (String name : info.trainableNames()) {
                float[] v = p.get(name);
                for (int i = 0; i < v.length; i++) {
                    if (name.endsWith("_gamma")) {
                        v[i] = (float) (0.5 + r.nextDouble() * 1.5);
                    } else if (!name.endsWith("_w")) {
                        v[i] = (float) (r.nextDouble() - 0.5);
                    }
                }
            }
        }
        ModelArtifact model = new ModelArtifact("student", arch, p, Map.of(), null);
        return PreciseBatchNorm.refresh(model, GraphHooks.NONE, rows);
    }

    @Test
    void foldedModelComputesTheSameLogitsOnRealDigits() {
        float[][] sample = Digits.features(600);
        ModelArtifact model = randomBatchNormModel(java.util.Arrays.copyOf(sample, 400));
        ModelArtifact folded = BatchNormFolding.fold(model);

        assertThat(folded.architecture().hasBatchNorm()).isFalse();
        assertThat(folded.architecture().layers()).hasSize(model.architecture().layers().size() - 4);
        // every batch norm (8 + 8 + 12 + 16 channels) leaves 4 values per channel behind
        assertThat(model.architecture().parameterCount() - folded.architecture().parameterCount()).isEqualTo(4L * 44);
        assertThat(model.architecture().macs() - folded.architecture().macs()).isEqualTo(8 * 64 + 8 * 64 + 12 * 64 + 16);
        assertThat(folded.metadata()).containsEntry("batch_norm", "folded").containsEntry("batch_norm_layers", "4");

        float[][] held = java.util.Arrays.copyOfRange(sample, 400, 600);
        float[][] expected = Engines.network().forInference(model.architecture(), model.params(), GraphHooks.NONE).logits(held);
        float[][] actual = Engines.network().forInference(folded.architecture(), folded.params(), GraphHooks.NONE).logits(held);
        for (int i = 0; i < held.length; i++) {
            double scale = 0;
            for (float v : expected[i]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int k = 0; k < 10; k++) {
                // float32 through two different orders of the same arithmetic: far below 1e-4 of the row's largest logit
                assertThat((double) Math.abs(actual[i][k] - expected[i][k])).isLessThanOrEqualTo(1e-4 * scale);
            }
        }
    }

    @Test
    void populationStatisticsAreTheSampleMeanAndVarianceOfTheLayerInput() {
        float[][] sample = Digits.features(300);
        ModelArtifact model = randomBatchNormModel(sample);
        // the stem convolution's output ("act0") is the first batch norm's input
        var net = Engines.network().forInference(model.architecture(), model.params(), GraphHooks.NONE);
        float[][] conv = net.output(sample, "act0");
        int channels = 8;
        int positions = 64;
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            double sq = 0;
            for (float[] row : conv) {
                for (int p = 0; p < positions; p++) {
                    double v = row[c * positions + p];
                    sum += v;
                    sq += v * v;
                }
            }
            double n = (double) conv.length * positions;
            double mean = sum / n;
            double var = sq / n - mean * mean;
            assertThat((double) model.params().get("L1_mean")[c]).isCloseTo(mean, offset(1e-4 * (1 + Math.abs(mean))));
            assertThat((double) model.params().get("L1_var")[c]).isCloseTo(var, offset(1e-3 * (1 + var)));
        }
    }

    @Test
    void refusesBatchNormThatFollowsNoWeightedLayerAndGuardsConsumers() {
        Architecture bad = new Architecture("bad", 1, 2, 2, 2, List.of(new LayerSpec.Flatten(),
                new LayerSpec.BatchNorm(1e-5), new LayerSpec.Dense(2)));
        ModelArtifact model = new ModelArtifact("student", bad, ParamInit.he(bad, 1), Map.of(), null);
        assertThatThrownBy(() -> BatchNormFolding.fold(model)).isInstanceOf(DataContractException.class)
                .hasMessageContaining("batch_norm at layer 1 of bad follows Flatten[]")
                .hasMessageContaining("only a batch norm right after a conv2d, depthwise_conv2d or dense layer can be folded");
        assertThatThrownBy(() -> BatchNormFolding.requireFolded(separableWithBatchNorm(), "ONNX export"))
                .isInstanceOf(DataContractException.class)
                .hasMessage("ONNX export needs a model without batch norm, but bn-cnn has batch_norm at layer 1; fold "
                        + "it first (BatchNormFolding.fold: the distill stage saves students folded)");
        Architecture plain = BatchNormFolding.foldArchitecture(separableWithBatchNorm());
        BatchNormFolding.requireFolded(plain, "ONNX export");
        assertThat(BatchNormFolding.fold(new ModelArtifact("student", plain, ParamInit.he(plain, 1), Map.of(), null))
                .metadata()).doesNotContainKey("batch_norm");
    }
    /**
     * Two residual blocks on 8x8 digits: an identity add and a projection add that halves the map and doubles the
     * width, with batch norms and a dropout between.
     */
    static Architecture residualWithBatchNorm() {
        LayerSpec bn = new LayerSpec.BatchNorm(1e-5);
        return new Architecture("res", 1, 8, 8, 10, List.of(new LayerSpec.Conv2d(8, 3, 1), bn, new LayerSpec.Relu(),
                new LayerSpec.Conv2d(8, 3, 1), bn, new LayerSpec.Relu(), new LayerSpec.Dropout(0.2),
                new LayerSpec.Conv2d(8, 3, 1), bn, new LayerSpec.Add(2, false), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(16, 3, 2), bn, new LayerSpec.Relu(), new LayerSpec.Conv2d(16, 3, 1), bn,
                new LayerSpec.Add(10, true), new LayerSpec.Relu(), new LayerSpec.GlobalAvgPool(),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10)));
    }

    @Test
    void aResidualNetworkFoldsAndLosesItsDropoutWithItsAddsReadingTheSameTensors() {
        float[][] sample = Digits.features(300);
        Architecture arch = residualWithBatchNorm();
        Map<String, float[]> p = new LinkedHashMap<>(ParamInit.he(arch, 5));
        SplittableRandom r = new SplittableRandom(9);
        for (LayerInfo info : arch.layerInfos()) {
            if (info.batchNorm()) {
                for (int c = 0; c < p.get(info.gammaName()).length; c++) {
                    p.get(info.gammaName())[c] = (float) (0.5 + r.nextDouble());
                    p.get(info.betaName())[c] = (float) (r.nextDouble() - 0.5);
                }
            }
        }
        ModelArtifact model = PreciseBatchNorm.refresh(new ModelArtifact("teacher", arch, p, Map.of(), null),
                GraphHooks.NONE, java.util.Arrays.copyOf(sample, 200));
        ModelArtifact saved = BatchNormFolding.fold(Dropouts.strip(model));

        // conv relu | conv relu conv add(1) relu | conv relu conv add(6, projection) relu | gap flatten dense
        assertThat(saved.architecture().layers().stream().filter(l -> l instanceof LayerSpec.Add).toList())
                .containsExactly(new LayerSpec.Add(1, false), new LayerSpec.Add(6, true));
        assertThat(saved.params()).containsKeys("L10_w", "L10_b");
        assertThat(saved.params().get("L10_w")).isEqualTo(model.params().get("L16_w"));
        float[][] held = java.util.Arrays.copyOfRange(sample, 200, 300);
        float[][] expected = Engines.network().forInference(arch, model.params(), GraphHooks.NONE).logits(held);
        float[][] actual = Engines.network().forInference(saved.architecture(), saved.params(), GraphHooks.NONE)
                .logits(held);
        for (int i = 0; i < held.length; i++) {
            for (int k = 0; k < 10; k++) {
                assertThat((double) actual[i][k]).isCloseTo(expected[i][k], offset(1e-4 * (1 + Math.abs(expected[i][k]))));
            }
        }
    }

    @Test
    void refusesToFoldABatchNormWhoseInputAnAddReads() {
        Architecture bad = new Architecture("bad", 1, 4, 4, 2, List.of(new LayerSpec.Conv2d(2, 3, 1),
                new LayerSpec.BatchNorm(1e-5), new LayerSpec.Relu(), new LayerSpec.Add(0, false),
                new LayerSpec.Flatten(), new LayerSpec.Dense(2)));
        ModelArtifact model = new ModelArtifact("teacher", bad, ParamInit.he(bad, 1), Map.of(), null);
        assertThatThrownBy(() -> BatchNormFolding.fold(model)).isInstanceOf(DataContractException.class)
                .hasMessageContaining("batch_norm at layer 1 of bad follows layer 0, whose output before the batch "
                        + "norm an add reads");
    }
}
