package dev.distillery.student.quant;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ActivationRangesTest {

    @Test
    void oneBatchMovesEachRangeByTheDecayTowardsTheBatchExtremes() {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 3);
        float[][] batch = FashionMnist.trainImages(64);
        QuantSpec start = new QuantSpec(8, 8, Map.of("input", 2.0, "L1", 10.0), Map.of("input", -1.0), false, 0);

        QuantSpec moved = ActivationRanges.update(model, start, GraphHooks.NONE, batch, 64, 0.75);

        // The batch's ReLU maximum as the fake-quantized graph (with the starting ranges) computes it.
        float[][] relu = Engines.network().forInference(model.architecture(), model.params(), new FakeQuantHooks(start))
                .output(batch, "act1");
        double reluMax = Arrays.stream(relu).flatMapToDouble(r -> {
            double[] d = new double[r.length];
            for (int i = 0; i < r.length; i++) {
                d[i] = r[i];
            }
            return Arrays.stream(d);
        }).max().orElseThrow();
        assertThat(moved.activationMax().get("L1")).isCloseTo(0.75 * 10.0 + 0.25 * reluMax, within(1e-5));
        assertThat(moved.activationMin().get("L1")).isCloseTo(0.0, within(1e-12)); // a ReLU output's minimum is 0
        assertThat(moved.activationMax().get("input")).isCloseTo(0.75 * 2.0 + 0.25 * 1.0, within(1e-6));
        assertThat(moved.activationMin().get("input")).isCloseTo(0.75 * -1.0, within(1e-6));
        assertThat(moved.zeroPoint("L1")).isZero();
    }

    @Test
    void manyBatchesConvergeOnTheObservedRange() {
        ModelArtifact model = TestModels.randomModel(TestModels.tinyCnn(), 3);
        float[][] sample = FashionMnist.trainImages(640);
        QuantSpec start = new QuantSpec(8, 8, Map.of("input", 5.0, "L1", 100.0));

        QuantSpec moved = ActivationRanges.update(model, start, GraphHooks.NONE, sample, 16, 0.5);

        // 40 batches at decay 0.5 leave 0.5^40 of the start: the input range is the batches' [0, 1].
        assertThat(moved.activationMax().get("input")).isCloseTo(1.0, within(1e-6));
        assertThat(moved.activationMax().get("L1")).isLessThan(100.0 * 0.01 + 10);
    }
}
