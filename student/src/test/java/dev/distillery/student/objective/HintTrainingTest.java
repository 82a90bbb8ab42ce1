package dev.distillery.student.objective;

import dev.distillery.core.engine.HintObjective;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.config.HintConfig;
import dev.distillery.core.config.TrainingParams;
import dev.distillery.core.data.Examples.LocalExamples;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.testing.TestSpark;
import dev.distillery.core.train.EpochStats;
import dev.distillery.core.train.ResumePoint;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.core.train.TrainResult;
import dev.distillery.core.train.TrainRow;
import dev.distillery.core.train.TrainSpec;
import dev.distillery.core.train.TrainingListener;
import dev.distillery.core.model.HintPlan;
import dev.distillery.student.testing.FashionMnist;
import dev.distillery.student.testing.TestModels;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hint distillation through the Spark trainer on 512 Fashion-MNIST images with two workers: the projection is
 * trained, averaged and checkpointed like the student's weights, a resumed run picks it up, and the trained model
 * holds exactly the student architecture's parameters.
 */
class HintTrainingTest {
    @TempDir
    Path dir;

    private record Checkpoint(EpochStats stats, ModelArtifact model) {
    }

    @Test
    void projectionTrainsWithTheStudentAndNeverReachesTheModel() {
        Architecture arch = TestModels.separableCnn();
        ModelArtifact teacher = TestModels.trainedFloat(HintObjectiveTest.TEACHER, 60);
        HintPlan plan = HintPlan.resolve(new HintConfig("L4", "L6", 1.0), HintObjectiveTest.TEACHER, arch);
        HintObjective objective = new HintObjective(4.0, 0.7, plan, teacher, 5);
        float[][] x = FashionMnist.trainImages(512);
        int[] y = FashionMnist.trainLabels(512);
        float[][] logits = Engines.network().forInference(teacher.architecture(), teacher.params(), GraphHooks.NONE)
                .logits(x);
        JavaRDD<TrainRow> rows = JavaSparkContext.fromSparkContext(TestSpark.get().sparkContext()).parallelize(
                IntStream.range(0, x.length).mapToObj(i -> new TrainRow(x[i], y[i], logits[i])).toList(), 2);
        LocalExamples validation = new LocalExamples(new long[128], FashionMnist.testImages(128),
                FashionMnist.testLabels(128));
        ModelArtifact init = TestModels.randomModel(arch, 3);
        List<Checkpoint> seen = new ArrayList<>();
        Path checkpoints = dir.resolve("checkpoints");
        TrainingListener checkpoint = new TrainingListener() {
            private float[] state;

            @Override
            public void onOptimizerState(EpochStats stats, float[] optimizer) {
                state = optimizer;
            }

            @Override
            public boolean onEpoch(EpochStats stats, ModelArtifact model) {
                seen.add(new Checkpoint(stats, model));
                ResumePoint.write(checkpoints, stats.run(), stats.epoch(), model.withKind(model.kind(),
                        Map.of("validation_accuracy", String.valueOf(stats.validationAccuracy()))), state);
                return true;
            }
        };
        TrainSpec spec = new TrainSpec("hint", new TrainingParams(2, 64, 3e-3, 0, 0), 2, 4, 1, false);
        TrainResult r = SparkTrainer.train(TestSpark.get(), rows, validation, init, GraphHooks.NONE, objective,
                spec, List.of(checkpoint));

        float[] initial = objective.auxiliaryParams().get(HintObjective.PROJECTION_WEIGHT);
        float[] epoch1 = seen.get(0).model().params().get(HintObjective.PROJECTION_WEIGHT);
        float[] epoch2 = seen.get(1).model().params().get(HintObjective.PROJECTION_WEIGHT);
        assertThat(epoch1).hasSize(16 * 16).isNotEqualTo(initial);
        assertThat(epoch2).isNotEqualTo(epoch1);
        // the hint term, as the training graph computes it with the checkpointed projection, fell during training
        assertThat(hintOn(arch, seen.get(1).model(), objective, validation.features()))
                .isLessThan(hintOn(arch, withProjection(init, objective.auxiliaryParams()), objective,
                        validation.features()));

        assertThat(r.best().params().keySet()).containsExactlyElementsOf(init.params().keySet());
        Path saved = dir.resolve("student.dmodel");
        ModelIO.write(r.best(), saved);
        ModelArtifact read = ModelIO.read(saved);
        assertThat(read.params().values().stream().mapToLong(p -> p.length).sum()).isEqualTo(arch.parameterCount());

        // a resumed run continues the projection from the checkpoint, with its optimizer state
        ResumePoint resume = ResumePoint.find(checkpoints, "hint").orElseThrow();
        assertThat(resume.params()).hasSize((int) (arch.parameterCount() + plan.projectionParams()));
        List<Checkpoint> resumed = new ArrayList<>();
        TrainSpec three = new TrainSpec("hint", new TrainingParams(3, 64, 3e-3, 0, 0), 2, 4, 1, false);
        TrainResult more = SparkTrainer.train(TestSpark.get(), rows, validation, init, GraphHooks.NONE, objective,
                three, List.of((s, m) -> resumed.add(new Checkpoint(s, m))), resume);
        assertThat(resumed).extracting(c -> c.stats().epoch()).containsExactly(3);
        assertThat(resumed.get(0).model().params().get(HintObjective.PROJECTION_WEIGHT)).isNotEqualTo(epoch2);
        assertThat(more.best().params().keySet()).containsExactlyElementsOf(init.params().keySet());
    }

    private static ModelArtifact withProjection(ModelArtifact model, Map<String, float[]> projection) {
        Map<String, float[]> params = new LinkedHashMap<>(model.params());
        params.putAll(projection);
        return model.withParams(params);
    }

    /** The hint term of a checkpoint (student and projection) on held-out images. */
    private static double hintOn(Architecture arch, ModelArtifact checkpoint, HintObjective objective, float[][] x) {
        Network net = Engines.network().forTraining(arch, checkpoint.params(), GraphHooks.NONE, objective,
                new dev.distillery.core.engine.ConstantRate(1e-3), 0);
        float[] flat = net.flatParams();
        float[] w = checkpoint.params().get(HintObjective.PROJECTION_WEIGHT);
        float[] b = checkpoint.params().get(HintObjective.PROJECTION_BIAS);
        int off = flat.length - w.length - b.length;
        System.arraycopy(w, 0, flat, off, w.length);
        System.arraycopy(b, 0, flat, off + w.length, b.length);
        net.setFlatParams(flat);
        return net.scalar(x, HintObjective.HINT);
    }
}
