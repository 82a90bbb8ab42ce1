package dev.distillery.student.objective;

import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.ParamInit;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.CosineSchedule;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DistillationObjectiveTest {
    private static final Architecture ARCH = new Architecture("lin", 1, 2, 3, 4,
            List.of(new LayerSpec.Flatten(), new LayerSpec.Dense(4)));

    @Test
    void graphLossEqualsHintonFormulaComputedByHand() {
        Map<String, float[]> params = ParamInit.he(ARCH, 3);
        SplittableRandom r = new SplittableRandom(9);
        float[][] x = new float[5][6];
        float[][] t = new float[5][4];
        int[] y = new int[5];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 6; j++) {
                x[i][j] = (float) r.nextDouble();
            }
            for (int k = 0; k < 4; k++) {
                t[i][k] = (float) (r.nextDouble() * 8 - 4);
            }
            y[i] = i % 4;
        }
        for (double temperature : new double[]{1.0, 4.0}) {
            Network net = Engines.network().forTraining(ARCH, params, GraphHooks.NONE,
                    new DistillationObjective(temperature, 0.7), new CosineSchedule(1e-3, 0, 10, 0), 0);
            float[][] s = net.logits(x);
            double expected = 0;
            for (int i = 0; i < 5; i++) {
                expected += DistillationObjective.lossValue(s[i], t[i], y[i], temperature, 0.7) / 5;
            }
            assertThat(net.loss(x, y, t)).isCloseTo(expected, within(1e-4 * Math.max(1, expected)));
        }
    }

    @Test
    void softTermVanishesWhenStudentMatchesTeacher() {
        float[] logits = {1f, -2f, 0.5f, 3f};
        double pureKd = DistillationObjective.lossValue(logits, logits, 0, 4.0, 1.0);
        assertThat(pureKd).isCloseTo(0.0, within(1e-9));
        double pureCe = DistillationObjective.lossValue(logits, new float[]{9, 9, 9, 9}, 3, 4.0, 0.0);
        double ce = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(-2) + Math.exp(0.5) + Math.exp(3)));
        assertThat(pureCe).isCloseTo(ce, within(1e-9));
    }
}
