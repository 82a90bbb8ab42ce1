package dev.distillery.core.train;

import dev.distillery.core.config.TrainingParams;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.ExamplePreparation;
import dev.distillery.core.data.Examples;
import dev.distillery.core.data.TrainRows;
import dev.distillery.core.error.TrainingDivergedException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.nn.CrossEntropyObjective;
import dev.distillery.core.nn.GraphHooks;
import dev.distillery.core.nn.ParamInit;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.testing.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SparkTrainerTest {
    @TempDir
    static Path dir;
    static Path prepared;

    @BeforeAll
    static void prepare() throws Exception {
        Digits.writeCsv(dir);
        prepared = dir.resolve("prepared");
        ExamplePreparation.prepare(Digits.config(dir).data(), 3,
                TestSpark.get(), prepared);
    }

    private static ModelArtifact mlp() {
        DatasetInfo info = Examples.info(prepared);
        Architecture arch = new Architecture("mlp", 1, 8, 8, info.numClasses(), List.of(new LayerSpec.Flatten(),
                new LayerSpec.Dense(32), new LayerSpec.Relu(), new LayerSpec.Dense(info.numClasses())));
        return new ModelArtifact("test", arch, ParamInit.he(arch, 5), Map.of(), null);
    }

    @Test
    void twoWorkersLearnDigitsAndReportEveryEpoch() {
        var validation = Examples.collect(Examples.load(TestSpark.get(), prepared, Examples.VALIDATION));
        List<EpochStats> seen = new ArrayList<>();
        TrainResult r = SparkTrainer.train(TestSpark.get(), TrainRows.hardLabels(
                        Examples.load(TestSpark.get(), prepared, Examples.TRAIN)), validation, mlp(), GraphHooks.NONE,
                new CrossEntropyObjective(), new TrainSpec("t", new TrainingParams(4, 32, 0.01, 0, 0), 2, 4, 1),
                List.of((s, m) -> seen.add(s)));
        assertThat(seen).extracting(EpochStats::epoch).containsExactly(1, 2, 3, 4);
        // a 32-unit MLP separates 8x8 digits well above 90% within a few epochs; 0.85 leaves room for noise
        assertThat(r.bestValidationAccuracy()).isGreaterThan(0.85);
        assertThat(seen.get(3).trainLoss()).isLessThan(seen.get(0).trainLoss());
        assertThat(r.trainRows()).isBetween(1200L, 1450L);
        // step time is a part of each epoch's wall time, never more
        assertThat(seen).allSatisfy(s -> assertThat(s.stepSeconds()).isPositive().isLessThanOrEqualTo(s.epochSeconds()));
    }

    @Test
    void epochSyncLearnsAndAveragesOptimizerStateAtEveryEpochEnd() {
        var validation = Examples.collect(Examples.load(TestSpark.get(), prepared, Examples.VALIDATION));
        List<float[]> states = new ArrayList<>();
        TrainingListener recorder = new TrainingListener() {
            @Override
            public boolean onEpoch(EpochStats stats, ModelArtifact model) {
                return true;
            }

            @Override
            public void onOptimizerState(EpochStats stats, float[] state) {
                states.add(state.clone());
            }
        };
        TrainResult r = SparkTrainer.train(TestSpark.get(), TrainRows.hardLabels(
                        Examples.load(TestSpark.get(), prepared, Examples.TRAIN)), validation, mlp(), GraphHooks.NONE,
                new CrossEntropyObjective(), new TrainSpec("t", new TrainingParams(4, 32, 0.01, 0, 0), 2, 4, 1, false),
                List.of(recorder));
        assertThat(r.bestValidationAccuracy()).isGreaterThan(0.85);
        // Adam keeps two moments per parameter: (64*32 + 32) + (32*10 + 10) = 2,410 parameters
        assertThat(states).hasSize(4).allSatisfy(s -> assertThat(s).hasSize(2 * 2410));
        assertThat(states.get(1)).isNotEqualTo(states.get(0));
        for (float[] s : states) {
            for (float v : s) {
                assertThat(Float.isFinite(v)).isTrue();
            }
        }
    }

    @Test
    void divergenceStopsWithEpochAndRoundInTheMessage() {
        var validation = Examples.collect(Examples.load(TestSpark.get(), prepared, Examples.VALIDATION));
        List<TrainRow> poisoned = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            float[] x = new float[64];
            java.util.Arrays.fill(x, i == 7 ? Float.NaN : 0.5f);
            poisoned.add(new TrainRow(x, i % 10, null));
        }
        var rdd = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext())
                .parallelize(poisoned, 2);
        assertThatThrownBy(() -> SparkTrainer.train(TestSpark.get(), rdd, validation, mlp(), GraphHooks.NONE,
                new CrossEntropyObjective(), new TrainSpec("t", new TrainingParams(2, 32, 0.01, 0, 0), 2, 2, 1),
                List.of()))
                .isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("t training diverged at epoch 1, round 1");
    }
}
