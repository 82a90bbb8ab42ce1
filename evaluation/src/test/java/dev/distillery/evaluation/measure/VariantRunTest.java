package dev.distillery.evaluation.measure;

import dev.distillery.core.engine.InferenceRunner;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A small random CNN run for real through SameDiff and ONNX Runtime: same predictions, real timings. */
class VariantRunTest {
    private static final Architecture ARCH = new Architecture("probe", 1, 8, 8, 4, List.of(
            new LayerSpec.Conv2d(4, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2), new LayerSpec.Flatten(),
            new LayerSpec.Dense(4)));

    @Test
    void sameDiffAndOnnxRuntimeAgreeAndBothAreTimed() {
        ModelArtifact model = randomModel(7, 0.5);
        Random random = new Random(3);
        float[][] x = new float[64][64];
        int[] labels = new int[64];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 64; j++) {
                x[i][j] = random.nextFloat();
            }
            labels[i] = i % 4;
        }
        VariantRun.Settings settings = new VariantRun.Settings(100, 42, 3, 20, 16);

        VariantRun sd;
        VariantRun onnx;
        try (InferenceRunner a = Runners.sameDiff(model); InferenceRunner b = Runners.onnx(model)) {
            sd = VariantRun.of(a, List.of(a, b), x, labels, 4, null, settings);
            onnx = VariantRun.of(b, List.of(), x, labels, 4, sd.predictions(), settings);
        }

        assertThat(onnx.metrics().teacherAgreement()).isGreaterThanOrEqualTo(0.98);
        assertThat(sd.measurements()).extracting(LatencyMeasurement::runtime)
                .containsExactly(Runners.SAMEDIFF, Runners.ONNXRUNTIME);
        assertThat(sd.measurements()).allSatisfy(m -> {
            assertThat(m.medianMs()).isPositive().isLessThan(1000);
            assertThat(m.p90Ms()).isGreaterThanOrEqualTo(m.medianMs());
            assertThat(m.runs()).isEqualTo(20);
        });
        assertThat(sd.metrics().accuracyInterval().contains(sd.metrics().accuracy())).isTrue();
        assertThat(sd.metrics().calibrationError()).isBetween(0.0, 1.0);
        assertThat(onnx.measurements()).isEmpty();
    }

    @Test
    void countsNonzeroWeightsPerLayer() {
        ModelArtifact model = randomModel(1, 0.5);

        List<Long> nnz = VariantRun.nonzeroWeights(model);

        assertThat(nnz).hasSize(ARCH.layers().size());
        assertThat(nnz.get(1)).isZero(); // relu has no weights
        long weights = ARCH.layerInfos().get(4).weightCount();
        assertThat(nnz.get(4)).isBetween((long) (weights * 0.3), (long) (weights * 0.7));
    }

    private static ModelArtifact randomModel(long seed, double zeroFraction) {
        Random random = new Random(seed);
        Map<String, float[]> params = new LinkedHashMap<>();
        for (LayerInfo info : ARCH.layerInfos()) {
            if (!info.spec().hasWeights()) {
                continue;
            }
            float[] w = new float[(int) info.weightCount()];
            for (int i = 0; i < w.length; i++) {
                w[i] = random.nextDouble() < zeroFraction ? 0f : (float) random.nextGaussian() * 0.5f;
            }
            params.put(info.weightName(), w);
            params.put(info.biasName(), new float[(int) info.biasCount()]);
        }
        return new ModelArtifact("student", ARCH, params, Map.of(), null);
    }
}
