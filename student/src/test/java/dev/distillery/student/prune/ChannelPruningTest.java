package dev.distillery.student.prune;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ChannelPruningTest {
    // separableCnn: 0 conv8, 1 pool, 2 relu, 3 dw s2, 4 relu, 5 conv16 1x1, 6 relu, 7 pool, 8 flatten, 9 dense32,
    // 10 relu, 11 dense10. The filters below get weights 100x smaller, so an L1 ranking must pick exactly them.
    private static final Set<Integer> WEAK_STEM = Set.of(1, 3, 4, 6);
    private static final Set<Integer> WEAK_POINTWISE = IntStream.range(0, 16).filter(i -> i % 2 == 0).boxed()
            .collect(Collectors.toSet());
    private static final Set<Integer> WEAK_DENSE = IntStream.range(0, 32).filter(i -> i % 2 == 1).boxed()
            .collect(Collectors.toSet());

    /** A random separable CNN with non-zero biases whose weak filters are known. */
    private static ModelArtifact modelWithWeakFilters() {
        ModelArtifact m = TestModels.randomModel(TestModels.separableCnn(), 3);
        Map<String, float[]> p = m.copyParams();
        Random rnd = new Random(5);
        p.values().stream().filter(v -> v.length <= 32).forEach(b -> {
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (0.1 * rnd.nextGaussian());
            }
        });
        scaleOutputs(p.get("L0_w"), 8, WEAK_STEM, 0.01f);
        scaleOutputs(p.get("L5_w"), 16, WEAK_POINTWISE, 0.01f);
        scaleOutputs(p.get("L9_w"), 32, WEAK_DENSE, 0.01f);
        return m.withParams(p);
    }

    /** Multiplies the given output channels of a weight laid out [..., outputs]. */
    private static void scaleOutputs(float[] w, int outputs, Set<Integer> which, float by) {
        for (int i = 0; i < w.length; i++) {
            if (which.contains(i % outputs)) {
                w[i] *= by;
            }
        }
    }

    @Test
    void removesTheWeakestFiltersAndComputesWhatTheZeroedNetworkComputes() {
        ModelArtifact model = modelWithWeakFilters();
        ModelArtifact pruned = ChannelPruning.prune(model, 0.5);

        // The same network with the weak filters silenced (weights, biases, and the depthwise bias of the silenced
        // stem channels) must give the same logits as the physically smaller one.
        Map<String, float[]> silenced = model.copyParams();
        scaleOutputs(silenced.get("L0_w"), 8, WEAK_STEM, 0f);
        scaleOutputs(silenced.get("L0_b"), 8, WEAK_STEM, 0f);
        scaleOutputs(silenced.get("L3_b"), 8, WEAK_STEM, 0f);
        scaleOutputs(silenced.get("L5_w"), 16, WEAK_POINTWISE, 0f);
        scaleOutputs(silenced.get("L5_b"), 16, WEAK_POINTWISE, 0f);
        scaleOutputs(silenced.get("L9_w"), 32, WEAK_DENSE, 0f);
        scaleOutputs(silenced.get("L9_b"), 32, WEAK_DENSE, 0f);
        float[][] x = FashionMnist.testImages(50);
        float[][] expected = Engines.network().forInference(model.architecture(), silenced, GraphHooks.NONE).logits(x);
        float[][] actual = Engines.network().forInference(pruned.architecture(), pruned.params(), GraphHooks.NONE).logits(x);
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < 10; k++) {
                assertThat(actual[i][k]).as("row %d logit %d", i, k).isCloseTo(expected[i][k], within(1e-4f));
            }
        }
    }

    @Test
    void yieldsASmallerArchitectureCountedByHand() {
        ModelArtifact model = modelWithWeakFilters();
        ModelArtifact pruned = ChannelPruning.prune(model, 0.5);
        Architecture a = pruned.architecture();
        assertThat(a.layers().get(0)).isEqualTo(new LayerSpec.Conv2d(4, 3, 1));
        assertThat(a.layers().get(5)).isEqualTo(new LayerSpec.Conv2d(8, 1, 1));
        assertThat(a.layers().get(9)).isEqualTo(new LayerSpec.Dense(16));
        assertThat(a.layers().get(11)).isEqualTo(new LayerSpec.Dense(10));
        // 28x28 -> conv (same) 28x28 -> pool 14x14 -> depthwise stride 2 -> 7x7 -> pointwise 7x7 -> pool 3x3.
        // dense: 8 original, 4 kept  | conv 9*1*8+8 = 80     -> 9*1*4+4 = 40
        // depthwise 8 -> 4 channels  | 9*8+8 = 80           -> 9*4+4 = 40
        // pointwise 8x16 -> 4x8      | 8*16+16 = 144        -> 4*8+8 = 40
        // dense 144x32 -> 72x16      | 144*32+32 = 4640     -> 72*16+16 = 1168
        // classifier 32x10 -> 16x10  | 32*10+10 = 330       -> 16*10+10 = 170
        assertThat(model.architecture().parameterCount()).isEqualTo(80 + 80 + 144 + 4640 + 330);
        assertThat(a.parameterCount()).isEqualTo(40 + 40 + 40 + 1168 + 170);
        // MACs: conv 9*8*784 = 56448 -> 9*4*784 = 28224; depthwise 9*8*49 = 3528 -> 9*4*49 = 1764;
        // pointwise 8*16*49 = 6272 -> 4*8*49 = 1568; dense 4608 -> 1152; classifier 320 -> 160
        assertThat(model.architecture().macs()).isEqualTo(56_448 + 3_528 + 6_272 + 4_608 + 320);
        assertThat(a.macs()).isEqualTo(28_224 + 1_764 + 1_568 + 1_152 + 160);
        assertThat(ChannelPruning.prunedArchitecture(model.architecture(), 0.5)).isEqualTo(a);
        // the file holds only the surviving parameters: 4 bytes each fewer, plus a header of similar size
        long saved = ModelIO.toBytes(model).length - ModelIO.toBytes(pruned).length;
        assertThat(saved).isGreaterThan(4L * (5274 - 1458) - 200);
    }

    @Test
    void rejectsAFractionThatWouldEmptyALayerNamingIt() {
        Architecture a = new Architecture("narrow", 1, 4, 4, 3, List.of(new LayerSpec.Conv2d(8, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(2), new LayerSpec.Relu(),
                new LayerSpec.Dense(3)));
        // round(0.8 * 2) = 2 of the dense layer's 2 units would go
        assertThatThrownBy(() -> ChannelPruning.plan(a, 0.8)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("would remove every filter of layer 3 (dense, 2 filters)");
        assertThat(ChannelPruning.plan(a, 0.7)).containsExactly(Map.entry(0, 2), Map.entry(3, 1));
        assertThatThrownBy(() -> ChannelPruning.plan(a, 1.0)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("prune.channel_fraction must be in [0, 1)");
    }
}
