package dev.distillery.student.objective;

import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.HintObjective;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.config.HintConfig;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.model.HintPlan;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import dev.distillery.core.engine.ConstantRate;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The hint loss on real Fashion-MNIST images: its value, a frozen teacher, and a projection that learns. */
class HintObjectiveTest {
    /** L1 relu [8x28x28], L4 relu [16x14x14], L8 relu [32]. */
    static final Architecture TEACHER = new Architecture("small-teacher", 1, 28, 28, 10, List.of(
            new LayerSpec.Conv2d(8, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Conv2d(16, 3, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2),
            new LayerSpec.Flatten(), new LayerSpec.Dense(32), new LayerSpec.Relu(), new LayerSpec.Dense(10)));

    /** TestModels.separableCnn: L2 relu [8x14x14], L4 relu [8x7x7], L6 relu [16x7x7], L10 relu [32]. */
    static final Architecture STUDENT = TestModels.separableCnn();
    /** TestModels.tinyCnn: L1 relu [8x28x28]. */
    static final Architecture TINY = TestModels.tinyCnn();

    private static ModelArtifact teacher() {
        return TestModels.trainedFloat(TEACHER, 60);
    }

    /** Equal maps, the teacher's pooled 4x4 and 2x2, the student's pooled 2x2, and two vectors. */
    @ParameterizedTest(name = "teacher {0} to {2} student {1}")
    @CsvSource({"L4, L2, separable", "L1, L6, separable", "L4, L6, separable", "L4, L1, tiny",
            "L8, L10, separable"})
    void graphLossIsHintonPlusWeightedHintComputedInJava(String teacherLayer, String studentLayer, String kind) {
        Architecture arch = kind.equals("tiny") ? TINY : STUDENT;
        ModelArtifact teacher = teacher();
        ModelArtifact student = TestModels.randomModel(arch, 3);
        HintPlan plan = HintPlan.resolve(new HintConfig(teacherLayer, studentLayer, 0.3), TEACHER, arch);
        HintObjective objective = new HintObjective(4.0, 0.7, plan, teacher, 5);
        Network net = Engines.network().forTraining(arch, student.params(), GraphHooks.NONE, objective,
                new ConstantRate(1e-3), 0);
        float[][] x = FashionMnist.trainImages(12);
        int[] y = FashionMnist.trainLabels(12);

        Network teacherNet = Engines.network().forInference(TEACHER, teacher.params(), GraphHooks.NONE);
        Network studentNet = Engines.network().forInference(arch, student.params(), GraphHooks.NONE);
        float[][] teacherLogits = teacherNet.logits(x);
        float[][] studentLogits = studentNet.logits(x);
        double hinton = 0;
        for (int i = 0; i < x.length; i++) {
            hinton += DistillationObjective.lossValue(studentLogits[i], teacherLogits[i], y[i], 4.0, 0.7) / x.length;
        }
        double hint = HintObjective.hintValue(plan,
                teacherNet.output(x, Network.outputName(plan.teacherLayer())),
                studentNet.output(x, Network.outputName(plan.studentLayer())),
                objective.auxiliaryParams().get(HintObjective.PROJECTION_WEIGHT),
                objective.auxiliaryParams().get(HintObjective.PROJECTION_BIAS));

        assertThat(hint).isPositive();
        assertThat(net.scalar(x, HintObjective.HINT)).isCloseTo(hint, within(1e-4 * hint));
        double expected = hinton + 0.3 * hint;
        assertThat(net.loss(x, y, teacherLogits)).isCloseTo(expected, within(1e-4 * expected));
    }

    @Test
    void trainingMovesStudentAndProjectionButNeverTheTeacher() {
        ModelArtifact teacher = teacher();
        HintPlan plan = HintPlan.resolve(new HintConfig("L4", "L6", 1.0), TEACHER, STUDENT);
        HintObjective objective = new HintObjective(4.0, 0.7, plan, teacher, 5);
        Network net = Engines.network().forTraining(STUDENT, TestModels.randomModel(STUDENT, 3).params(),
                GraphHooks.NONE, objective, new ConstantRate(3e-3), 0);
        float[][] x = FashionMnist.trainImages(512);
        int[] y = FashionMnist.trainLabels(512);
        float[][] t = Engines.network().forInference(TEACHER, teacher.params(), GraphHooks.NONE).logits(x);
        float[][] held = FashionMnist.testImages(256);
        String[] frozen = {HintObjective.TEACHER_PREFIX + "L0_w", HintObjective.TEACHER_PREFIX + "L0_b",
                HintObjective.TEACHER_PREFIX + "L3_w", HintObjective.TEACHER_PREFIX + "L3_b"};
        float[][] frozenBefore = Arrays.stream(frozen).map(net::tensor).toArray(float[][]::new);
        var before = net.params();
        double hintBefore = net.scalar(held, HintObjective.HINT);

        for (int step = 0; step < 48; step++) {
            int from = (step * 64) % x.length;
            net.fit(Arrays.copyOfRange(x, from, from + 64), Arrays.copyOfRange(y, from, from + 64),
                    Arrays.copyOfRange(t, from, from + 64), step);
        }

        for (int i = 0; i < frozen.length; i++) {
            assertThat(net.tensor(frozen[i])).as(frozen[i]).containsExactly(frozenBefore[i]);
        }
        assertThat(frozenBefore[0]).containsExactly(teacher.params().get("L0_w"));
        var after = net.params();
        List<String> names = List.copyOf(after.keySet());
        assertThat(names.subList(names.size() - 2, names.size()))
                .containsExactly(HintObjective.PROJECTION_WEIGHT, HintObjective.PROJECTION_BIAS);
        for (String name : List.of(HintObjective.PROJECTION_WEIGHT, HintObjective.PROJECTION_BIAS, "L0_w", "L5_w")) {
            assertThat(after.get(name)).as(name).isNotEqualTo(before.get(name));
        }
        // 48 Adam steps fit a linear map between two feature maps far better than a random one: at least halve it
        assertThat(net.scalar(held, HintObjective.HINT)).isLessThan(hintBefore / 2);
    }
}
