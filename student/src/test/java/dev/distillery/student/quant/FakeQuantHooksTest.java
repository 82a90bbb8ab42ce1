package dev.distillery.student.quant;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.*;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;
import dev.distillery.core.engine.ConstantRate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FakeQuantHooksTest {

    @Test
    void forwardPassEqualsExplicitPerChannelQuantizeDequantizeOfTheWeights() {
        ModelArtifact model = TestModels.randomModel(TestModels.separableCnn(), 3);
        QuantSpec weightsOnly = new QuantSpec(4, 8, Map.of());
        float[][] x = FashionMnist.testImages(64);

        Map<String, float[]> explicit = new LinkedHashMap<>(model.params());
        for (LayerInfo info : model.architecture().layerInfos()) {
            if (info.spec().hasWeights()) {
                explicit.put(info.weightName(), quantizeDequantize(info, model.params().get(info.weightName()), 4));
            }
        }
        float[][] hooked = Engines.network().forInference(model.architecture(), model.params(), new FakeQuantHooks(weightsOnly))
                .logits(x);
        float[][] reference = Engines.network().forInference(model.architecture(), explicit, GraphHooks.NONE).logits(x);
        float[][] unquantized = Engines.network().forInference(model.architecture(), model.params(), GraphHooks.NONE).logits(x);

        double maxDiff = 0;
        double maxEffect = 0;
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < 10; c++) {
                maxDiff = Math.max(maxDiff, Math.abs(hooked[i][c] - reference[i][c]) / (1 + Math.abs(reference[i][c])));
                maxEffect = Math.max(maxEffect, Math.abs(hooked[i][c] - unquantized[i][c]));
            }
        }
        assertThat(maxDiff).isLessThan(1e-5);
        // 4-bit weights move logits visibly; otherwise the comparison above would prove nothing.
        assertThat(maxEffect).isGreaterThan(1e-2);
    }

    @Test
    void activationsAreClippedToTheCalibratedRangeAndRoundedToItsGrid() {
        Architecture mlp = new Architecture("mlp", 1, 28, 28, 10, List.of(new LayerSpec.Flatten(), new LayerSpec.Dense(16),
                new LayerSpec.Relu(), new LayerSpec.Dense(10)));
        ModelArtifact model = TestModels.randomModel(mlp, 5);
        // A range of 0.5 clips the brighter half of the pixels; 4 bits give a coarse grid of 15 steps.
        QuantSpec spec = new QuantSpec(8, 4, Map.of("input", 0.5, "L2", 2.0));
        float[][] x = FashionMnist.testImages(100);

        float[][] hooked = Engines.network().forInference(mlp, model.params(), new FakeQuantHooks(spec)).logits(x);

        List<LayerInfo> infos = mlp.layerInfos();
        float[] w1 = quantizeDequantize(infos.get(1), model.params().get("L1_w"), 8);
        float[] w2 = quantizeDequantize(infos.get(3), model.params().get("L3_w"), 8);
        for (int i = 0; i < x.length; i++) {
            float[] in = fakeQuantize(x[i], 0.5f, 15);
            float[] hidden = fakeQuantize(relu(dense(in, w1, model.params().get("L1_b"), 16)), 2.0f, 15);
            float[] logits = dense(hidden, w2, model.params().get("L3_b"), 10);
            for (int c = 0; c < 10; c++) {
                assertThat(hooked[i][c]).as("image %d class %d", i, c).isCloseTo(logits[c], within(1e-4f));
            }
        }
    }

    @Test
    void trainingThroughFakeQuantizationReducesTheLossAndUpdatesEveryLayer() {
        ModelArtifact model = TestModels.randomModel(TestModels.separableCnn(), 9);
        float[][] x = FashionMnist.trainImages(256);
        int[] y = FashionMnist.trainLabels(256);
        QuantSpec spec = Calibration.calibrate(model, x, 4, 8);
        Network net = Engines.network().forTraining(model.architecture(), model.params(), new FakeQuantHooks(spec),
                new CrossEntropyObjective(), new ConstantRate(3e-3), 0);

        double before = net.loss(x, y, null);
        for (int step = 0; step < 40; step++) {
            int from = (step % 4) * 64;
            net.fit(Arrays.copyOfRange(x, from, from + 64), Arrays.copyOfRange(y, from, from + 64), null, step);
        }
        double after = net.loss(x, y, null);

        // From a random start (about ln 10 = 2.3) forty Adam steps on the same 256 images must make clear progress.
        assertThat(after).isLessThan(0.7 * before);
        Map<String, float[]> trained = net.params();
        for (LayerInfo info : model.architecture().layerInfos()) {
            if (info.spec().hasWeights()) {
                assertThat(trained.get(info.weightName())).as(info.weightName())
                        .isNotEqualTo(model.params().get(info.weightName()));
            }
        }
    }

    @Test
    void survivesJavaSerializationAsSparkClosuresNeed() throws Exception {
        QuantSpec spec = new QuantSpec(6, 7, Map.of("input", 1.0, "L1", 3.5));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new FakeQuantHooks(spec));
        }

        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(((FakeQuantHooks) in.readObject()).spec()).isEqualTo(spec);
        }
    }

    /** Independent reference: per-channel symmetric quantization along the layer's output-channel axis. */
    private static float[] quantizeDequantize(LayerInfo info, float[] w, int bits) {
        int[] shape = info.weightShape();
        int axis = info.spec() instanceof LayerSpec.DepthwiseConv2d ? 2 : shape.length - 1;
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int channels = shape[axis];
        float[] maxAbs = new float[channels];
        for (int i = 0; i < w.length; i++) {
            int c = (i / inner) % channels;
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(w[i]));
        }
        float qmax = (1 << (bits - 1)) - 1;
        float[] out = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            int c = (i / inner) % channels;
            float scale = Math.max(maxAbs[c], 1e-8f) / qmax;
            float q = Math.round(Math.abs(w[i] / scale)) * Math.signum(w[i]);
            out[i] = q * scale;
        }
        return out;
    }

    private static float[] fakeQuantize(float[] v, float max, int qmax) {
        float scale = (float) (max / qmax);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.round(Math.min(Math.max(v[i], 0f), max) / scale) * scale;
        }
        return out;
    }

    private static float[] dense(float[] in, float[] w, float[] b, int units) {
        float[] out = Arrays.copyOf(b, units);
        for (int i = 0; i < in.length; i++) {
            for (int u = 0; u < units; u++) {
                out[u] += in[i] * w[i * units + u];
            }
        }
        return out;
    }

    private static float[] relu(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.max(v[i], 0f);
        }
        return out;
    }
}
