package dev.distillery.engine.samediff;

import dev.distillery.core.engine.ConstantRate;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ParamInit;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Training graphs take a max pool before the ReLU it follows; the trained weights must not change by a bit. */
class PoolBeforeReluTest {
    private static final Architecture ARCH = new Architecture("pool-cnn", 1, 12, 12, 10, List.of(
            new LayerSpec.Conv2d(6, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Conv2d(8, 3, 1), new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON),
            new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Flatten(), new LayerSpec.Dense(16), new LayerSpec.Relu(), new LayerSpec.Dense(10)));

    @Test
    void movesEveryReluThatAPoolFollowsUnlessReadOrRewritten() {
        assertThat(GraphBuilder.poolFirst(ARCH, SameDiffHooks.NONE, Set.of())).containsExactly(1, 5);
        assertThat(GraphBuilder.poolFirst(ARCH, SameDiffHooks.NONE, Set.of(5))).containsExactly(1);
        SameDiffHooks quantizesL1 = new SameDiffHooks() {
            @Override
            public boolean rewritesActivation(String point) {
                return point.equals("L1");
            }

            @Override
            public SDVariable activation(SameDiff sd, String point, SDVariable a) {
                return point.equals("L1") ? a.mul(1.0) : a;
            }
        };
        assertThat(GraphBuilder.poolFirst(ARCH, quantizesL1, Set.of())).containsExactly(5);
    }

    @Test
    void trainedWeightsAreBitIdenticalWithAndWithoutTheMove() {
        Map<String, float[]> init = ParamInit.he(ARCH, 7);
        SameDiffNet moved = SameDiffNet.forTraining(ARCH, init, GraphHooks.NONE, new CrossEntropyObjective(),
                new ConstantRate(0.01), 1e-4, Set.of());
        SameDiffNet kept = SameDiffNet.forTraining(ARCH, init, GraphHooks.NONE, new CrossEntropyObjective(),
                new ConstantRate(0.01), 1e-4, Set.of(1, 5));
        Random random = new Random(3);
        for (int step = 0; step < 6; step++) {
            float[][] x = new float[16][ARCH.inputSize()];
            int[] y = new int[16];
            for (int r = 0; r < x.length; r++) {
                for (int c = 0; c < x[r].length; c++) {
                    // a share of exact zeros and ties, where a wrong gradient routing would show
                    x[r][c] = random.nextInt(4) == 0 ? 0f : (float) random.nextGaussian();
                }
                y[r] = random.nextInt(10);
            }
            assertThat(moved.loss(x, y, null)).isEqualTo(kept.loss(x, y, null));
            moved.fit(x, y, null, step);
            kept.fit(x, y, null, step);
        }
        Map<String, float[]> a = moved.params();
        Map<String, float[]> b = kept.params();
        assertThat(a.keySet()).isEqualTo(b.keySet());
        a.forEach((name, values) -> assertThat(values).as(name).containsExactly(b.get(name)));
        assertThat(a.get(ARCH.layerInfos().get(0).weightName())).isNotEqualTo(init.get(ARCH.layerInfos().get(0).weightName()));
    }

    @Test
    void aMovedRelusOutputIsRefusedByNameAndThePoolsOutputIsTheSame() {
        Map<String, float[]> init = ParamInit.he(ARCH, 7);
        SameDiffNet moved = SameDiffNet.forTraining(ARCH, init, GraphHooks.NONE, new CrossEntropyObjective(),
                new ConstantRate(0.01), 0, Set.of());
        SameDiffNet inference = SameDiffNet.forInference(ARCH, init, GraphHooks.NONE);
        float[][] x = new float[3][ARCH.inputSize()];
        for (float[] row : x) {
            for (int c = 0; c < row.length; c++) {
                row[c] = (float) Math.sin(c * 0.37 + row.length);
            }
        }
        assertThat(moved.output(x, GraphBuilder.outputName(2))).isDeepEqualTo(inference.output(x, GraphBuilder.outputName(2)));
        assertThatThrownBy(() -> moved.output(x, GraphBuilder.outputName(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(GraphBuilder.outputName(1))
                .hasMessageContaining("inference network");
    }
}
