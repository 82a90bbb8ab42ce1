package dev.distillery.engine.samediff;

import dev.distillery.core.engine.ConstantRate;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ParamInit;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Training graphs compute a dense layer as a matmul and a broadcast add, inference graphs as the engine's fused
 * {@code xw_plus_b}: the two must give the same outputs for the same weights, up to the order of the sums.
 */
class DenseAsMatmulTest {
    private static final Architecture ARCH = new Architecture("dense-cnn", 1, 8, 8, 10, List.of(
            new LayerSpec.Conv2d(4, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Flatten(), new LayerSpec.Dense(12), new LayerSpec.Relu(), new LayerSpec.Dense(10)));

    @Test
    void trainingGraphsUseMatmulAndGiveTheFusedLayersOutputs() {
        Map<String, float[]> init = ParamInit.he(ARCH, 11);
        // biases away from zero, so that an add on the wrong axis or a dropped bias shows
        Random random = new Random(5);
        for (var info : ARCH.layerInfos()) {
            if (info.spec().hasWeights()) {
                float[] b = init.get(info.biasName());
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) random.nextGaussian();
                }
            }
        }
        SameDiffNet training = SameDiffNet.forTraining(ARCH, init, GraphHooks.NONE, new CrossEntropyObjective(),
                new ConstantRate(0.01), 0, Set.of());
        SameDiffNet inference = SameDiffNet.forInference(ARCH, init, GraphHooks.NONE);
        assertThat(opTypes(training.graph())).doesNotContain("xw_plus_b").contains("matmul");
        assertThat(opTypes(inference.graph())).contains("xw_plus_b");

        float[][] x = new float[5][ARCH.inputSize()];
        for (float[] row : x) {
            for (int c = 0; c < row.length; c++) {
                row[c] = (float) random.nextGaussian();
            }
        }
        for (String name : List.of(GraphBuilder.outputName(4), GraphBuilder.LOGITS)) {
            float[][] a = training.output(x, name);
            float[][] b = inference.output(x, name);
            assertThat(a.length).isEqualTo(b.length);
            for (int r = 0; r < a.length; r++) {
                assertThat(a[r]).as("%s row %d", name, r).containsExactly(b[r], within(1e-4f));
            }
        }
    }

    private static Set<String> opTypes(SameDiff sd) {
        return sd.getOps().values().stream().map(op -> op.getOp().opName()).collect(Collectors.toSet());
    }
}
