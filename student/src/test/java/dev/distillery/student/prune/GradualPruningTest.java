package dev.distillery.student.prune;

import dev.distillery.core.config.TrainingParams;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.ExamplePreparation;
import dev.distillery.core.data.Examples;
import dev.distillery.core.data.TrainRows;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.model.ParamInit;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.testing.TestSpark;
import dev.distillery.core.train.EpochStats;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.core.train.TrainResult;
import dev.distillery.core.train.TrainSpec;
import dev.distillery.core.engine.SparsityLockHooks;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GradualPruningTest {
    @TempDir
    Path dir;

    @Test
    void zeroWeightsStayZeroUnderTheLockWhileTheOthersTrain() {
        ModelArtifact pruned = MagnitudePruning.prune(TestModels.randomModel(TestModels.tinyCnn(), 4), 0.6);
        ModelArtifact trained = TestModels.train(pruned, new SparsityLockHooks(), FashionMnist.trainImages(500),
                FashionMnist.trainLabels(500), 30, 32, 3e-3, 1);
        for (String name : List.of("L0_w", "L4_w")) {
            float[] before = pruned.params().get(name);
            float[] after = trained.params().get(name);
            int moved = 0;
            for (int i = 0; i < before.length; i++) {
                if (before[i] == 0f) {
                    assertThat(after[i]).as("%s[%d] was pruned", name, i).isZero();
                } else if (after[i] != before[i]) {
                    moved++;
                }
            }
            // 30 Adam steps move most live weights (inputs that are always zero, e.g. border pixels, give none)
            assertThat(moved).as(name).isGreaterThan((int) (0.75 * before.length * 0.4));
        }
    }

    @Test
    void reachesTheTargetOnScheduleDuringSparkTrainingAndKeepsTheBestSettledEpoch() throws Exception {
        Digits.writeCsv(dir);
        Path prepared = dir.resolve("prepared");
        ExamplePreparation.prepare(Digits.config(dir).data(), 3, TestSpark.get(), prepared);
        DatasetInfo info = Examples.info(prepared);
        Architecture arch = new Architecture("mlp", 1, 8, 8, info.numClasses(), List.of(new LayerSpec.Flatten(),
                new LayerSpec.Dense(48), new LayerSpec.Relu(), new LayerSpec.Dense(info.numClasses())));
        var rows = TrainRows.hardLabels(Examples.load(TestSpark.get(), prepared, Examples.TRAIN));
        var validation = Examples.collect(Examples.load(TestSpark.get(), prepared, Examples.VALIDATION));
        ModelArtifact init = new ModelArtifact("test", arch, ParamInit.he(arch, 5), Map.of(), null);
        // Pruning from the first step of training keeps the test short; the stage starts from a trained student.
        GradualPruning gradual = GradualPruning.of(arch, 0.0, 0.8, 8, 0.75);
        List<EpochStats> epochs = new ArrayList<>();
        List<Double> sparsityAtEpochEnd = new ArrayList<>();
        TrainResult r = SparkTrainer.train(TestSpark.get(), rows, validation, init, new SparsityLockHooks(),
                new CrossEntropyObjective(), new TrainSpec("pruned", new TrainingParams(3, 32, 0.01, 0, 0), 2, 8, 1),
                List.of((s, m) -> {
                    epochs.add(s);
                    sparsityAtEpochEnd.add(m.weightSparsity());
                    return true;
                }), null, gradual);

        // pruning every 8 steps (one round), over the first 75% of the run: the first epoch is still under way
        SparsitySchedule s = gradual.schedule();
        assertThat(s.interval()).isEqualTo(8);
        assertThat(sparsityAtEpochEnd.get(0)).isBetween(0.1, 0.79);
        assertThat(sparsityAtEpochEnd.get(2)).isCloseTo(0.8, org.assertj.core.api.Assertions.within(0.001));
        assertThat(gradual.steps()).hasSizeGreaterThan(3);
        // sparsity only ever rises, each step reaching (per layer, floor) the scheduled value
        double last = -1;
        for (GradualPruning.Step step : gradual.steps()) {
            assertThat(step.measured()).isGreaterThanOrEqualTo(last).isCloseTo(step.scheduled(),
                    org.assertj.core.api.Assertions.within(0.01));
            last = step.measured();
        }
        assertThat(gradual.steps().get(gradual.steps().size() - 1).scheduled()).isEqualTo(0.8);
        assertThat(sparsityAtEpochEnd).isSorted();
        // every layer of the kept model is exactly at the target: floor(0.8 * n) zeros
        for (LayerInfo layer : r.best().architecture().layerInfos()) {
            if (layer.spec().hasWeights()) {
                float[] w = r.best().params().get(layer.weightName());
                long zeros = 0;
                for (float v : w) {
                    zeros += v == 0f ? 1 : 0;
                }
                assertThat(zeros).as(layer.weightName()).isEqualTo((long) Math.floor(0.8 * w.length));
            }
        }
        // the best model comes from an epoch that ended at the target, never from an earlier, denser one
        assertThat(sparsityAtEpochEnd.get(r.bestEpoch() - 1)).isCloseTo(0.8, org.assertj.core.api.Assertions.within(0.001));
        // an 80%-sparse 48-unit MLP still separates digits far above chance (10%)
        assertThat(r.bestValidationAccuracy()).isGreaterThan(0.8);
    }
}
