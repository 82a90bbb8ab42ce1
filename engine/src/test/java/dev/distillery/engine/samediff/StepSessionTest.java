package dev.distillery.engine.samediff;

import dev.distillery.core.engine.ConstantRate;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Objective;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ParamInit;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A network's steps run in one long-lived session that writes each step into the buffers of the step before; the
 * trained values must be those of the engine's own {@code SameDiff.fit}, bit for bit.
 */
class StepSessionTest {
    private static final Architecture ARCH = new Architecture("step-cnn", 1, 12, 12, 10, List.of(
            new LayerSpec.Conv2d(6, 3, 1), new LayerSpec.BatchNorm(LayerSpec.BatchNorm.DEFAULT_EPSILON),
            new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Flatten(), new LayerSpec.Dense(16), new LayerSpec.Relu(), new LayerSpec.Dense(10)));
    /** Batch sizes of the steps: an epoch's shorter last batch comes between full ones. */
    private static final int[] BATCHES = {16, 16, 16, 5, 16, 16};

    @Test
    void crossEntropyTrainingMatchesTheEnginesOwnLoopBitForBit() {
        assertSameAsEngineFit(new CrossEntropyObjective(), 1e-4);
    }

    @Test
    void distillationTrainingMatchesTheEnginesOwnLoopBitForBit() {
        assertSameAsEngineFit(new DistillationObjective(4.0, 0.7), 0);
    }

    @Test
    void stepsAfterTheFirstOfEachShapeCreateNoBuffers() {
        SameDiffNet net = net(new CrossEntropyObjective(), 0);
        Random random = new Random(5);
        assertThat(net.stepBuffersAllocated()).isZero();
        net.fit(features(random, 16), labels(random, 16), null, 0);
        long first = net.stepBuffersAllocated();
        assertThat(first).as("buffers of the first step").isPositive();
        for (int step = 1; step < 4; step++) {
            net.fit(features(random, 16), labels(random, 16), null, step);
        }
        assertThat(net.stepBuffersAllocated()).as("after three more steps of the same batch size").isEqualTo(first);
        net.fit(features(random, 5), labels(random, 5), null, 4);
        long afterShort = net.stepBuffersAllocated();
        assertThat(afterShort).as("a shorter batch needs its own activation buffers").isGreaterThan(first);
        net.fit(features(random, 5), labels(random, 5), null, 5);
        assertThat(net.stepBuffersAllocated()).isEqualTo(afterShort);
    }

    private static void assertSameAsEngineFit(Objective objective, double l2) {
        SameDiffNet ours = net(objective, l2);
        SameDiffNet engine = net(objective, l2);
        SameDiff sd = engine.graph();
        Random random = new Random(11);
        for (int step = 0; step < BATCHES.length; step++) {
            int n = BATCHES[step];
            float[][] x = features(random, n);
            int[] y = labels(random, n);
            float[][] teacher = objective instanceof DistillationObjective ? logits(random, n) : null;
            ours.fit(x, y, teacher, step);
            sd.getTrainingConfig().setIterationCount(step);
            INDArray[] targets = Losses.targets(objective, y, teacher, ARCH.numClasses());
            sd.fit(new MultiDataSet(new INDArray[]{Nd4j.create(x)}, targets));
        }
        Map<String, float[]> a = ours.params();
        Map<String, float[]> b = engine.params();
        assertThat(a.keySet()).isEqualTo(b.keySet());
        a.forEach((name, values) -> assertThat(values).as(name).containsExactly(b.get(name)));
        assertThat(ours.flatUpdaterState()).containsExactly(engine.flatUpdaterState());
        String w = ARCH.layerInfos().get(0).weightName();
        assertThat(a.get(w)).as("the steps trained").isNotEqualTo(ParamInit.he(ARCH, 7).get(w));
    }

    private static SameDiffNet net(Objective objective, double l2) {
        return SameDiffNet.forTraining(ARCH, ParamInit.he(ARCH, 7), GraphHooks.NONE, objective,
                new ConstantRate(0.01), l2);
    }

    private static float[][] features(Random random, int n) {
        float[][] x = new float[n][ARCH.inputSize()];
        for (float[] row : x) {
            for (int c = 0; c < row.length; c++) {
                row[c] = (float) random.nextGaussian();
            }
        }
        return x;
    }

    private static int[] labels(Random random, int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(10);
        }
        return y;
    }

    private static float[][] logits(Random random, int n) {
        float[][] z = new float[n][10];
        for (float[] row : z) {
            for (int c = 0; c < row.length; c++) {
                row[c] = 3f * (float) random.nextGaussian();
            }
        }
        return z;
    }
}
