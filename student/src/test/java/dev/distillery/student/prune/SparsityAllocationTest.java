package dev.distillery.student.prune;

import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SparsityAllocationTest {
    // separable-cnn weights: stem conv 72, depthwise 72, pointwise 128, hidden dense 144x32 = 4608, classifier 320
    private static final Architecture ARCH = TestModels.separableCnn();

    @Test
    void excludedLayersStayDenseAndTheOthersMakeUpTheModelWideTarget() {
        ModelArtifact pruned = MagnitudePruning.prune(TestModels.randomModel(ARCH, 3),
                SparsityAllocation.of(ARCH, List.of("stem", "depthwise"), 0.8), 0.8);
        List<LayerInfo> weighted = ARCH.layerInfos().stream().filter(i -> i.spec().hasWeights()).toList();
        assertThat(zeros(pruned, weighted.get(0))).isZero();
        assertThat(zeros(pruned, weighted.get(1))).isZero();
        long all = weighted.stream().mapToLong(LayerInfo::weightCount).sum();
        double perLayer = 0.8 * all / (all - 72 - 72);
        for (LayerInfo info : weighted.subList(2, weighted.size())) {
            assertThat((double) zeros(pruned, info)).isEqualTo(Math.floor(info.weightCount() * perLayer));
        }
        // floor() per layer leaves the model at most one weight per layer short of the target
        assertThat(pruned.weightSparsity()).isCloseTo(0.8, within(3.0 / all));
    }

    @Test
    void uniformAllocationPrunesEveryLayerAlike() {
        SparsityAllocation a = SparsityAllocation.uniform(ARCH);
        for (LayerInfo info : ARCH.layerInfos()) {
            if (info.spec().hasWeights()) {
                assertThat(a.layerSparsity(info.weightName(), 0.6)).isEqualTo(0.6);
                assertThat(a.prunes(info.weightName())).isTrue();
            }
        }
    }

    @Test
    void aTargetTheRemainingLayersCannotReachIsRejectedWithTheReachableBound() {
        // with stem, depthwise and classifier dense, the pointwise and hidden dense layers hold 4,736 of 5,200
        // weights: the model-wide sparsity must stay below 0.9108
        assertThatThrownBy(() -> SparsityAllocation.of(ARCH, List.of("stem", "depthwise", "classifier"), 0.999))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("prune.sparsity 0.999")
                .hasMessageContaining("must stay below");
        assertThatThrownBy(() -> SparsityAllocation.of(ARCH, List.of("pointwise"), 0.5))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("prune.exclude lists pointwise");
    }

    @Test
    void gradualPruningFollowsTheAllocation() {
        SparsityAllocation a = SparsityAllocation.of(ARCH, List.of("depthwise"), 0.5);
        GradualPruning g = GradualPruning.of(ARCH, a, 0.0, 0.5, 1, 1.0);
        g.start(10, 1, 10);
        ModelArtifact m = TestModels.randomModel(ARCH, 5);
        float[] flat = flatten(m);
        g.beforeRound(10, flat, new float[0]);
        assertThat(g.steps()).hasSize(1);
        assertThat(g.steps().get(0).measured()).isCloseTo(0.5, within(1e-3));
        LayerInfo depthwise = ARCH.layerInfos().get(3);
        assertThat(depthwise.spec()).isInstanceOf(dev.distillery.core.model.LayerSpec.DepthwiseConv2d.class);
        int off = 0;
        for (LayerInfo info : ARCH.layerInfos()) {
            if (info.index() == depthwise.index()) {
                break;
            }
            off += (int) info.params();
        }
        for (int i = 0; i < depthwise.weightCount(); i++) {
            assertThat(flat[off + i]).isNotZero();
        }
    }

    private static float[] flatten(ModelArtifact m) {
        int n = 0;
        for (LayerInfo info : m.architecture().layerInfos()) {
            n += (int) info.params();
        }
        float[] flat = new float[n];
        int off = 0;
        for (LayerInfo info : m.architecture().layerInfos()) {
            if (!info.spec().hasWeights()) {
                continue;
            }
            float[] w = m.params().get(info.weightName());
            System.arraycopy(w, 0, flat, off, w.length);
            off += w.length;
            float[] b = m.params().get(info.biasName());
            System.arraycopy(b, 0, flat, off, b.length);
            off += b.length;
        }
        return flat;
    }

    private static long zeros(ModelArtifact m, LayerInfo info) {
        long z = 0;
        for (float v : m.params().get(info.weightName())) {
            if (v == 0f) {
                z++;
            }
        }
        return z;
    }
}
