package dev.distillery.engine.samediff;

import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ParamInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Inference passes run a bounded number of rows per engine call, except where rows depend on each other. */
class InferenceRowsTest {
    private static final Architecture ARCH = new Architecture("rows-cnn", 1, 8, 8, 10, List.of(
            new LayerSpec.Conv2d(4, 3, 1), new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON),
            new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Flatten(), new LayerSpec.Dense(10)));
    private static final int ROWS = 2 * SameDiffNet.INFERENCE_ROWS + 37;

    @Test
    void everyRowOfALargeBatchGetsItsOwnLogits() {
        float[][] x = rows(new Random(1));
        SameDiffNet net = SameDiffNet.forInference(ARCH, ParamInit.he(ARCH, 3), GraphHooks.NONE);
        float[][] all = net.logits(x);
        assertThat(all).hasNumberOfRows(ROWS);
        for (int r : new int[]{0, SameDiffNet.INFERENCE_ROWS - 1, SameDiffNet.INFERENCE_ROWS, ROWS - 1}) {
            float[] alone = net.logits(new float[][]{x[r]})[0];
            for (int c = 0; c < alone.length; c++) {
                assertThat(all[r][c]).as("row %d, logit %d", r, c).isCloseTo(alone[c], within(1e-4f));
            }
        }
    }

    @Test
    void aGraphNormalisingByBatchStatisticsSeesTheWholeBatchInOneCall() {
        float[][] x = rows(new Random(2));
        SameDiffNet net = SameDiffNet.forStatistics(ARCH, ParamInit.he(ARCH, 3), GraphHooks.NONE);
        float[][] ours = net.logits(x);
        var whole = net.graph().output(Map.of(GraphBuilder.INPUT, Nd4j.create(x)), GraphBuilder.LOGITS)
                .get(GraphBuilder.LOGITS).toFloatMatrix();
        for (int r = 0; r < ROWS; r++) {
            assertThat(ours[r]).as("row %d", r).containsExactly(whole[r]);
        }
        // the same rows split in two batches normalise differently: the check above can tell
        float[][] firstHalf = net.logits(Arrays.copyOf(x, ROWS / 2));
        assertThat(firstHalf[0]).isNotEqualTo(ours[0]);
    }

    private static float[][] rows(Random random) {
        float[][] x = new float[ROWS][ARCH.inputSize()];
        for (float[] row : x) {
            for (int c = 0; c < row.length; c++) {
                row[c] = (float) random.nextGaussian();
            }
        }
        return x;
    }
}
