package dev.distillery.jobs.stage;

import dev.distillery.core.data.Examples;
import dev.distillery.core.data.TrainRows;
import dev.distillery.core.config.TrainingParams;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.nn.GraphHooks;
import dev.distillery.core.nn.Objective;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.core.train.TrainResult;
import dev.distillery.core.train.TrainSpec;
import dev.distillery.core.train.TrainRow;
import dev.distillery.jobs.stage.StageContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/** Shared plumbing of the student stages: training rows with soft labels, validation data, and a training run. */
final class StudentTraining {
    private StudentTraining() {
    }

    /** Training rows joined with their teacher logits by id. */
    static JavaRDD<TrainRow> distillationRows(StageContext ctx) {
        Path prepared = ctx.stageDir("prepared");
        Dataset<Row> examples = Examples.load(ctx.spark(), prepared, Examples.TRAIN);
        Dataset<Row> labels = ctx.spark().read().parquet(ctx.stageDir("soft-labels").resolve(LabelStage.PARQUET).toString())
                .where(col("split").equalTo(Examples.TRAIN)).select("id", "logits");
        return TrainRows.withTeacher(examples.join(labels, "id"));
    }

    static JavaRDD<TrainRow> hardRows(StageContext ctx) {
        return TrainRows.hardLabels(Examples.load(ctx.spark(), ctx.stageDir("prepared"), Examples.TRAIN));
    }

    static Examples.LocalExamples validation(StageContext ctx) {
        return Examples.collect(Examples.load(ctx.spark(), ctx.stageDir("prepared"), Examples.VALIDATION));
    }

    static TrainResult train(StageContext ctx, String run, JavaRDD<TrainRow> rows, Examples.LocalExamples validation,
                             ModelArtifact init, GraphHooks hooks, Objective objective, TrainingParams params,
                             Path workDir) {
        TrainSpec spec = new TrainSpec(run, params, ctx.config().spark().workers(),
                ctx.config().spark().averagingFrequency(), ctx.config().seed());
        return SparkTrainer.train(ctx.spark(), rows, validation, init, hooks, objective, spec,
                // checkpoint first: when an epoch's progress line appears, its checkpoint is already complete
                List.of(new CheckpointWriter(workDir.resolve("checkpoints")), new ConsoleProgress(ctx.console())),
                resumePoint(ctx, workDir, run));
    }

    /** With --resume, the newest complete checkpoint of {@code run} in this stage's work folder. */
    static dev.distillery.core.train.ResumePoint resumePoint(StageContext ctx, Path workDir, String run) {
        if (!ctx.resume()) {
            return null;
        }
        var point = dev.distillery.core.train.ResumePoint.find(workDir.resolve("checkpoints"), run);
        point.ifPresent(p -> ctx.console().printf("  %s: resuming after epoch %d (best so far: epoch %d, %.2f%%)%n",
                run, p.epochsDone(), p.bestEpoch(), 100 * p.bestAccuracy()));
        return point.orElse(null);
    }
}
