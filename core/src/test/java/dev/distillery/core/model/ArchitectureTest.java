package dev.distillery.core.model;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchitectureTest {
    static Architecture teacher() {
        return new Architecture("t", 1, 28, 28, 10, List.of(new LayerSpec.Conv2d(32, 3, 1), new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2), new LayerSpec.Conv2d(64, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(128), new LayerSpec.Relu(), new LayerSpec.Dense(10)));
    }

    @Test
    void countsParametersAndMacsOfTheTeacherByHand() {
        // conv1 9*32+32, conv2 9*32*64+64, dense 3136*128+128, out 128*10+10
        assertThat(teacher().parameterCount()).isEqualTo(320 + 18_496 + 401_536 + 1_290);
        // conv1 28*28*288, conv2 14*14*18432, dense 3136*128, out 1280
        assertThat(teacher().macs()).isEqualTo(225_792L + 3_612_672L + 401_408L + 1_280L);
    }

    @Test
    void countsDepthwiseSeparableBlockByHand() {
        Architecture a = new Architecture("ds", 3, 8, 8, 2, List.of(new LayerSpec.DepthwiseConv2d(3, 1),
                new LayerSpec.Conv2d(4, 1, 1), new LayerSpec.Flatten(), new LayerSpec.Dense(2)));
        // depthwise 3*9+3, pointwise 3*4+4, dense 256*2+2
        assertThat(a.parameterCount()).isEqualTo(30 + 16 + 514);
        assertThat(a.macs()).isEqualTo(27L * 64 + 12L * 64 + 512);
    }

    @Test
    void countsBatchNormStatisticsAsParametersAndOneMacPerValue() {
        Architecture a = new Architecture("bn", 3, 8, 8, 2, List.of(new LayerSpec.Conv2d(4, 3, 1),
                new LayerSpec.BatchNorm(1e-5), new LayerSpec.Relu(), new LayerSpec.DepthwiseConv2d(3, 1),
                new LayerSpec.BatchNorm(1e-5), new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(6),
                new LayerSpec.BatchNorm(1e-3), new LayerSpec.Relu(), new LayerSpec.Dense(2)));
        // conv 3*9*4+4 = 112; bn 4 channels * (gamma, beta, mean, var) = 16; depthwise 9*4+4 = 40; bn 16;
        // dense 256*6+6 = 1542; bn 6 units * 4 = 24; out 6*2+2 = 14
        assertThat(a.parameterCount()).isEqualTo(112 + 16 + 40 + 16 + 1542 + 24 + 14);
        // conv 108*64; bn 4*64 values; depthwise 36*64; bn 4*64; dense 1536; bn 6; out 12
        assertThat(a.macs()).isEqualTo(6_912L + 256 + 2_304 + 256 + 1_536 + 6 + 12);
        assertThat(a.hasBatchNorm()).isTrue();
        LayerInfo bn = a.layerInfos().get(1);
        assertThat(bn.trainableNames()).containsExactly("L1_gamma", "L1_beta");
        assertThat(bn.statisticNames()).containsExactly("L1_mean", "L1_var");
        assertThat(bn.weightCount() + bn.biasCount()).isZero();
    }

    @Test
    void batchNormModelFileRoundTripsWithItsStatistics() {
        Architecture a = new Architecture("m", 1, 2, 2, 2, List.of(new LayerSpec.Flatten(), new LayerSpec.Dense(2),
                new LayerSpec.BatchNorm(1e-5), new LayerSpec.Relu(), new LayerSpec.Dense(2)));
        Map<String, float[]> p = new java.util.LinkedHashMap<>(ParamInit.he(a, 3));
        p.put("L2_mean", new float[]{0.25f, -1f});
        ModelArtifact back = ModelIO.fromBytes(ModelIO.toBytes(new ModelArtifact("student", a, p, Map.of(), null)), "mem");
        assertThat(back.architecture()).isEqualTo(a);
        assertThat(back.architecture().layers().get(2)).isEqualTo(new LayerSpec.BatchNorm(1e-5));
        assertThat(back.params().get("L2_mean")).containsExactly(0.25f, -1f);
        assertThat(back.params().get("L2_var")).containsExactly(1f, 1f);
        p.remove("L2_var");
        assertThatThrownBy(() -> new ModelArtifact("student", a, p, Map.of(), null))
                .hasMessageContaining("model is missing parameter L2_var");
        assertThatThrownBy(() -> new LayerSpec.BatchNorm(0)).hasMessageContaining("batch_norm needs a finite epsilon > 0");
    }

    @Test
    void rejectsDenseOnImageAndWrongClassCount() {
        assertThatThrownBy(() -> new Architecture("x", 1, 4, 4, 2, List.of(new LayerSpec.Dense(2))))
                .hasMessageContaining("needs a flat input");
        assertThatThrownBy(() -> new Architecture("x", 1, 4, 4, 3, List.of(new LayerSpec.Flatten(), new LayerSpec.Dense(2))))
                .hasMessageContaining("must end in 3 logits");
    }

    @Test
    void modelFileRoundTripsAndRejectsOtherFiles() {
        Architecture a = new Architecture("m", 1, 2, 2, 2, List.of(new LayerSpec.Flatten(), new LayerSpec.Dense(2)));
        ModelArtifact m = new ModelArtifact("student", a, Map.of("L1_w", new float[]{1, 2, 3, 4, 5, 6, 7, 8},
                "L1_b", new float[]{0.5f, -0.5f}), Map.of("k", "v"), null);
        ModelArtifact back = ModelIO.fromBytes(ModelIO.toBytes(m), "mem");
        assertThat(back.params().get("L1_w")).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(back.architecture()).isEqualTo(a);
        assertThatThrownBy(() -> ModelIO.fromBytes("PAR1 not a model".getBytes(), "x.parquet"))
                .hasMessageContaining("x.parquet is not a Distillery model file");
    }
}
