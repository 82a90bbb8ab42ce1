package dev.distillery.jobs.stage;

import dev.distillery.core.augment.ViewAugmenter;
import dev.distillery.core.config.TrainingParams;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.data.TrainRows;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Objective;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.labels.SoftLabelFiles;
import dev.distillery.core.labels.SoftLabelMetadata;
import dev.distillery.core.labels.SoftTargets;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.train.RoundHook;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.core.train.TrainResult;
import dev.distillery.core.train.TrainRow;
import dev.distillery.core.train.TrainSpec;
import dev.distillery.jobs.stage.StageContext;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import static org.apache.spark.sql.functions.col;

/** Shared plumbing of the student stages: training rows with soft labels, validation data, and a training run. */
final class StudentTraining {
    /** Training runs of one stage at a time; two fill the cores that one run's driver-side work leaves idle. */
    static final int CONCURRENT_RUNS = 2;
    private static final java.util.concurrent.atomic.AtomicInteger THREADS = new java.util.concurrent.atomic.AtomicInteger();

    private StudentTraining() {
    }

    /**
     * Training rows joined by id with their soft labels, in whatever storage mode the label stage used (read from
     * the files' own metadata); each augmented view's input is regenerated from (id, view, seed).
     */
    static JavaRDD<TrainRow> distillationRows(StageContext ctx) {
        return distillationRows(ctx, LabelStage.PARQUET.path(ctx));
    }

    /** The same with the soft labels of another set, e.g. the run's teacher's own beside an ensemble's. */
    static JavaRDD<TrainRow> distillationRows(StageContext ctx, Path dir) {
        Path prepared = PrepareStage.OUTPUT.dir(ctx);
        DatasetInfo info = Examples.info(prepared);
        SoftLabelMetadata meta = SoftLabelFiles.read(dir);
        if (meta.numClasses() != info.numClasses()
                || !meta.shape().equals(List.of(info.channels(), info.height(), info.width()))) {
            throw new DataContractException("soft labels in " + dir + " are for " + meta.numClasses() + " classes of shape "
                    + meta.shape() + ", the prepared data has " + info.numClasses() + " classes of shape "
                    + List.of(info.channels(), info.height(), info.width()) + "; run label again");
        }
        SoftTargets targets = new SoftTargets(meta);
        ViewAugmenter views = meta.augmenter();   // its shape is the prepared data's, checked above
        Dataset<Row> examples = Examples.load(ctx.spark(), prepared, Examples.TRAIN);
        List<String> cols = new java.util.ArrayList<>(List.of("id", "view"));
        cols.addAll(targets.columns());
        Dataset<Row> labels = ctx.spark().read().parquet(dir.toString())
                .where(col("split").equalTo(Examples.TRAIN)).selectExpr(cols.toArray(new String[0]));
        return TrainRows.withSoftLabels(examples.join(labels, "id"), targets, views);
    }

    static JavaRDD<TrainRow> hardRows(StageContext ctx) {
        return TrainRows.hardLabels(Examples.load(ctx.spark(), PrepareStage.OUTPUT.dir(ctx), Examples.TRAIN));
    }

    static Examples.LocalExamples validation(StageContext ctx) {
        return Examples.collect(Examples.load(ctx.spark(), PrepareStage.OUTPUT.dir(ctx), Examples.VALIDATION));
    }

    static TrainResult train(StageContext ctx, String run, JavaRDD<TrainRow> rows, Examples.LocalExamples validation,
                             ModelArtifact init, GraphHooks hooks, Objective objective, TrainingParams params,
                             Path workDir) {
        return train(ctx, run, rows, validation, init, hooks, objective, params, workDir, RoundHook.NONE);
    }

    static TrainResult train(StageContext ctx, String run, JavaRDD<TrainRow> rows, Examples.LocalExamples validation,
                             ModelArtifact init, GraphHooks hooks, Objective objective, TrainingParams params,
                             Path workDir, RoundHook roundHook) {
        TrainSpec spec = new TrainSpec(run, params, ctx.config().spark().workers(),
                ctx.config().spark().averagingFrequency(), ctx.config().seed(),
                ctx.config().spark().syncOptimizerEveryRound(), ctx.config().spark().learningRateScale());
        return SparkTrainer.train(ctx.spark(), rows, validation, init, hooks, objective, spec,
                // checkpoint first: when an epoch's progress line appears, its checkpoint is already complete
                List.of(new CheckpointWriter(workDir.resolve("checkpoints")), new ConsoleProgress(ctx.console())),
                resumePoint(ctx, workDir, run), roundHook);
    }

    /**
     * Runs independent training runs two at a time, in list order, each from its own driver thread: a run's driver
     * validates every epoch and averages every round while its tasks wait, and the other run's tasks use the cores
     * meanwhile (Spark's FIFO scheduler gives the earlier run's tasks precedence). Each run's result is the same as
     * alone: its rows, partitions, seeds and averaging do not depend on what else runs. Results come back in list
     * order; the first failure cancels the stage's other jobs and is rethrown once every run has stopped.
     */
    static <T, R> List<R> concurrently(SparkContext sc, List<T> runs, Function<T, R> train) {
        if (runs.size() < 2) {
            return runs.stream().map(train).toList();
        }
        // threads made here inherit the stage's Spark job group, so the stage's jobs stay labelled and cancellable
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT_RUNS, r -> {
            Thread t = new Thread(r, "distillery-training-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            CompletionService<R> done = new ExecutorCompletionService<>(pool);
            Map<Future<R>, Integer> index = new HashMap<>();
            for (int i = 0; i < runs.size(); i++) {
                T run = runs.get(i);
                index.put(done.submit(() -> train.apply(run)), i);
            }
            List<R> out = new ArrayList<>(java.util.Collections.nCopies(runs.size(), (R) null));
            RuntimeException failure = null;
            for (int finished = 0; finished < runs.size(); finished++) {
                Future<R> f;
                try {
                    f = done.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancelStageJobs(sc);
                    throw new IllegalStateException("interrupted while training", e);
                }
                try {
                    out.set(index.get(f), f.get());
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                        index.keySet().forEach(other -> other.cancel(false));
                        cancelStageJobs(sc);
                    }
                } catch (java.util.concurrent.CancellationException | InterruptedException e) {
                    // a run that never started after another failed
                }
            }
            if (failure != null) {
                // A cancelled run's thread is still unwinding from its cancelled Spark job, or is between two jobs:
                // the interrupt makes its next job submission fail at once. Let it stop before the stage reports the
                // failure and its work folder is cleaned up.
                pool.shutdownNow();
                try {
                    pool.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw failure;
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Cancels the running jobs of the calling thread's job group (the stage's), or all jobs when it has none. */
    private static void cancelStageJobs(SparkContext sc) {
        String group = sc.getLocalProperty("spark.jobGroup.id");
        if (group != null) {
            sc.cancelJobGroup(group);
        } else {
            sc.cancelAllJobs();
        }
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
