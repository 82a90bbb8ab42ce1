package dev.distillery.core.train;

import dev.distillery.core.augment.ViewAugmenter;
import dev.distillery.core.config.AugmentConfig;
import dev.distillery.core.config.TrainingParams;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.ExamplePreparation;
import dev.distillery.core.data.Examples;
import dev.distillery.core.data.TrainRows;
import dev.distillery.core.error.TrainingDivergedException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.ParamInit;
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
import static org.assertj.core.api.Assertions.within;

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
    void learningRateScaleMultipliesTheWholeSchedule() {
        var validation = Examples.collect(Examples.load(TestSpark.get(), prepared, Examples.VALIDATION));
        var rows = TrainRows.hardLabels(Examples.load(TestSpark.get(), prepared, Examples.TRAIN));
        TrainingParams params = new TrainingParams(2, 64, 0.01, 0, 0.5);
        List<Double> rates = new ArrayList<>();
        for (double scale : new double[] {1.0, 2.0}) {
            SparkTrainer.train(TestSpark.get(), rows, validation, mlp(), GraphHooks.NONE, new CrossEntropyObjective(),
                    new TrainSpec("t", params, 2, 4, 1, false, scale), List.of((s, m) -> rates.add(s.learningRate())));
        }
        // epoch 1 ends mid-decay, epoch 2 at the floor: both twice as high with the scale of 2
        assertThat(rates).hasSize(4);
        assertThat(rates.get(2) / rates.get(0)).isCloseTo(2.0, within(1e-9));
        assertThat(rates.get(3) / rates.get(1)).isCloseTo(2.0, within(1e-9));
        assertThat(rates.get(1)).isLessThan(rates.get(0));
        assertThatThrownBy(() -> new TrainSpec("t", params, 2, 4, 1, false, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 0.0");
    }

    @Test
    void augmentationTrainsOnAFreshViewEveryEpochTheSameWayInEveryRun() {
        var validation = Examples.collect(Examples.load(TestSpark.get(), prepared, Examples.VALIDATION));
        var rows = TrainRows.hardLabels(Examples.load(TestSpark.get(), prepared, Examples.TRAIN));
        TrainingParams params = new TrainingParams(4, 32, 0.01, 0, 0);
        ViewAugmenter shifts = new ViewAugmenter("teacher.augment", new AugmentConfig(1, false, 0, 0), 3, 1, 8, 8);
        List<TrainResult> runs = new ArrayList<>();
        for (ViewAugmenter a : new ViewAugmenter[] {null, shifts, shifts}) {
            runs.add(SparkTrainer.train(TestSpark.get(), rows, validation, mlp(), GraphHooks.NONE,
                    new CrossEntropyObjective(), new TrainSpec("t", params, 2, 4, 1, false, 1.0, a), List.of()));
        }
        // a one-pixel shift of an 8x8 digit is a large change, so four epochs learn less, but far above chance
        assertThat(runs.get(1).bestValidationAccuracy()).isGreaterThan(0.6);
        // the views differ from the examples themselves, and are the same views in a second run
        assertThat(runs.get(1).best().params().get("L1_w")).isNotEqualTo(runs.get(0).best().params().get("L1_w"));
        assertThat(runs.get(2).best().params().get("L1_w")).isEqualTo(runs.get(1).best().params().get("L1_w"));
        assertThat(runs.get(2).history()).extracting(EpochStats::trainLoss)
                .isEqualTo(runs.get(1).history().stream().map(EpochStats::trainLoss).toList());
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

    private static ModelArtifact batchNormCnn() {
        DatasetInfo info = Examples.info(prepared);
        LayerSpec bn = new LayerSpec.BatchNorm(1e-5);
        Architecture arch = new Architecture("bn-cnn", 1, 8, 8, info.numClasses(), List.of(new LayerSpec.Conv2d(8, 3, 1),
                bn, new LayerSpec.Relu(), new LayerSpec.DepthwiseConv2d(3, 1), bn, new LayerSpec.Relu(),
                new LayerSpec.Conv2d(16, 1, 1), bn, new LayerSpec.Relu(), new LayerSpec.Flatten(),
                new LayerSpec.Dense(info.numClasses())));
        return new ModelArtifact("test", arch, ParamInit.he(arch, 5), Map.of(), null);
    }

    /** Records each epoch's model and writes it with the averaged optimizer state as a resumable checkpoint. */
    private static final class Checkpoints implements TrainingListener {
        final List<ModelArtifact> models = new ArrayList<>();
        final List<float[]> states = new ArrayList<>();
        final Path dir;
        final int stopAfter;

        Checkpoints(Path dir, int stopAfter) {
            this.dir = dir;
            this.stopAfter = stopAfter;
        }

        @Override
        public void onOptimizerState(EpochStats stats, float[] state) {
            states.add(state.clone());
        }

        @Override
        public boolean onEpoch(EpochStats stats, ModelArtifact model) {
            models.add(model);
            ResumePoint.write(dir, "bn", stats.epoch(), model, states.get(states.size() - 1));
            return stats.epoch() < stopAfter;
        }
    }

    @Test
    void batchNormNetworkTrainsGammaAndBetaAndValidatesWithPopulationStatistics() {
        var validation = Examples.collect(Examples.load(TestSpark.get(), prepared, Examples.VALIDATION));
        Checkpoints listener = new Checkpoints(dir.resolve("bn-full"), 99);
        TrainSpec spec = new TrainSpec("bn", new TrainingParams(3, 32, 0.01, 0, 0), 2, 4, 1, false);
        TrainResult r = SparkTrainer.train(TestSpark.get(), TrainRows.hardLabels(
                        Examples.load(TestSpark.get(), prepared, Examples.TRAIN)), validation, batchNormCnn(),
                GraphHooks.NONE, new CrossEntropyObjective(), spec, List.of(listener));
        // a small convolutional net separates 8x8 digits above 90% in a few epochs; 0.85 leaves room for noise
        assertThat(r.bestValidationAccuracy()).isGreaterThan(0.85);
        // trained: conv 80, bn 2*8, depthwise 80, bn 2*8, pointwise 144, bn 2*16, dense 1024*10+10; Adam keeps two
        // moments for each of those and none for the 2*(8+8+16) population statistics
        int trainable = 80 + 16 + 80 + 16 + 144 + 32 + 10_250;
        assertThat(r.best().architecture().parameterCount()).isEqualTo(trainable + 64);
        assertThat(listener.states).hasSize(3).allSatisfy(st -> assertThat(st).hasSize(2 * trainable));
        ModelArtifact best = r.best();
        // statistics were computed for the trained weights, not left at the identity they started from
        assertThat(best.params().get("L1_var")).isNotEqualTo(new float[]{1, 1, 1, 1, 1, 1, 1, 1});
        assertThat(best.params().get("L7_mean")).isNotEqualTo(new float[16]);
        assertThat(SparkTrainer.accuracy(best, GraphHooks.NONE, validation)).isEqualTo(r.bestValidationAccuracy());
        ModelArtifact folded = dev.distillery.core.model.BatchNormFolding.fold(best);
        assertThat(SparkTrainer.accuracy(folded, GraphHooks.NONE, validation))
                .isCloseTo(r.bestValidationAccuracy(), org.assertj.core.data.Offset.offset(1.0 / validation.size()));

        // interrupted after epoch 2 and resumed from its checkpoint, the run ends where the uninterrupted one did
        Checkpoints first = new Checkpoints(dir.resolve("bn-resumed"), 2);
        SparkTrainer.train(TestSpark.get(), TrainRows.hardLabels(Examples.load(TestSpark.get(), prepared,
                Examples.TRAIN)), validation, batchNormCnn(), GraphHooks.NONE, new CrossEntropyObjective(), spec,
                List.of(first));
        ResumePoint point = ResumePoint.find(dir.resolve("bn-resumed"), "bn").orElseThrow();
        assertThat(point.epochsDone()).isEqualTo(2);
        assertThat(point.params()).hasSize(trainable);
        assertThat(point.optimizerState()).hasSize(2 * trainable);
        Checkpoints resumed = new Checkpoints(dir.resolve("bn-resumed"), 99);
        SparkTrainer.train(TestSpark.get(), TrainRows.hardLabels(Examples.load(TestSpark.get(), prepared,
                Examples.TRAIN)), validation, batchNormCnn(), GraphHooks.NONE, new CrossEntropyObjective(), spec,
                List.of(resumed), point);
        assertThat(resumed.models).hasSize(1);
        ModelArtifact end = resumed.models.get(0);
        ModelArtifact reference = listener.models.get(2);
        for (String name : reference.params().keySet()) {
            float[] a = end.params().get(name);
            float[] b = reference.params().get(name);
            for (int i = 0; i < a.length; i++) {
                // the same rounds on the same rows; only the order of floating-point sums may differ
                assertThat((double) a[i]).as(name).isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(b[i]))));
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
