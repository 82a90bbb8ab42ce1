package dev.distillery.jobs.stage;

import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.train.TrainResult;
import dev.distillery.teacher.train.TeacherTraining;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** train-teacher: the teacher CNN trained with Spark data parallelism; a checkpoint per epoch, best kept. */
public final class TrainTeacherStage implements Stage {
    public static final StageFolder OUTPUT = new StageFolder("teacher");
    public static final StageFile MODEL = OUTPUT.file("teacher.dmodel");

    @Override
    public String name() {
        return "train-teacher";
    }

    @Override
    public StageFolder output() {
        return OUTPUT;
    }

    @Override
    public List<String> configSections() {
        return List.of("seed", "data", "spark", "teacher");
    }

    @Override
    public boolean resumable() {
        return true;
    }

    /** An ONNX teacher was trained elsewhere; label and evaluate run it as it is. */
    @Override
    public boolean enabled(StageContext ctx) {
        return !ctx.config().teacher().fromOnnx();
    }

    @Override
    public String disabledReason(StageContext ctx) {
        return "skipped: teacher.source is onnx, so the teacher is " + Teachers.location(ctx)
                + ", which label and evaluate run as it is";
    }

    /**
     * An impossible layer stack fails before any work, naming the layer, wherever the data's shape is known before
     * prepare (data.shape, the IDX headers) and again once prepare has run.
     */
    @Override
    public void validate(StageContext ctx) {
        if (ctx.config().teacher().translatesOnnx()) {
            return;
        }
        java.util.Optional<dev.distillery.core.data.DatasetInfo> info;
        try {
            info = HintPlanning.dataset(ctx);
        } catch (RuntimeException e) {
            return;     // an unreadable data file: prepare reports it with its own message
        }
        info.ifPresent(i -> dev.distillery.teacher.arch.TeacherArchitecture.of(ctx.config().teacher(), i));
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        List<Path> in = new java.util.ArrayList<>(List.of(PrepareStage.OUTPUT.dir(ctx)));
        if (ctx.config().teacher().translatesOnnx()) {
            in.addAll(Teachers.onnxInputs(ctx));
        }
        return in;
    }

    @Override
    public Map<String, String> remoteInputs(StageContext ctx) {
        return ctx.config().teacher().translatesOnnx() ? Teachers.onnxRemoteDigests(ctx) : Map.of();
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        // checkpoint first: when an epoch's progress line appears, its checkpoint is already complete
        List<dev.distillery.core.train.TrainingListener> listeners = List.of(
                new CheckpointWriter(workDir.resolve("checkpoints")), new ConsoleProgress(ctx.console()));
        var resume = StudentTraining.resumePoint(ctx, workDir, "teacher");
        TrainResult r;
        if (ctx.config().teacher().translatesOnnx()) {
            ModelArtifact start = Teachers.translated(ctx);
            ctx.console().printf("  translated %s into %s: %d parameters, %d MACs; its logits match ONNX Runtime's "
                    + "within %.1e%n", Teachers.location(ctx), start.architecture().name(),
                    start.architecture().parameterCount(), start.architecture().macs(), LabelStage.ENGINE_TOLERANCE);
            r = TeacherTraining.train(ctx.config(), ctx.spark(), PrepareStage.OUTPUT.dir(ctx), listeners, resume, start);
        } else {
            r = TeacherTraining.train(ctx.config(), ctx.spark(), PrepareStage.OUTPUT.dir(ctx), listeners, resume);
        }
        // saved as inference computes it: without dropout, batch norms folded (every consumer, ONNX export too)
        ModelArtifact saved = dev.distillery.core.model.BatchNormFolding.fold(dev.distillery.core.model.Dropouts.strip(
                r.best()));
        ModelArtifact teacher = saved.withKind(TeacherTraining.KIND, Map.of("best_epoch",
                String.valueOf(r.bestEpoch()), "validation_accuracy", String.valueOf(r.bestValidationAccuracy())));
        ModelIO.write(teacher, MODEL.in(workDir));
        TrainingSummary.write(workDir.resolve("history.json"), r);
        StageResult result = TrainingSummary.metrics(new StageResult(), "teacher", r)
                .metric("parameters", saved.architecture().parameterCount())
                .metric("architecture", saved.architecture().name())
                .output("model", MODEL.name());
        // the ONNX export label runs in ONNX Runtime, checked against SameDiff once here rather than in every label run
        DatasetInfo info = Examples.info(PrepareStage.OUTPUT.dir(ctx));
        var rows = LabelStage.labelledRows(ctx.spark(), PrepareStage.OUTPUT.dir(ctx).resolve(Examples.PARQUET_DIR));
        TeacherExport.write(teacher, MODEL.in(workDir), workDir,
                LabelStage.sample(rows, LabelStage.ENGINE_CHECK_ROWS, info), ctx.console())
                .ifPresent(c -> result.metric("onnx_engine_difference", c.largestDifference())
                        .output("onnx", TeacherExport.ONNX_FILE).output("onnx_check", TeacherExport.CHECK_FILE));
        return result;
    }
}
