package dev.distillery.jobs.stage;

import dev.distillery.core.data.Examples;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.nn.GraphHooks;
import dev.distillery.core.train.TrainResult;
import dev.distillery.student.nn.DistillationObjective;
import dev.distillery.student.prune.MagnitudePruning;
import dev.distillery.student.nn.PruneMaskHooks;
import dev.distillery.student.quant.Calibration;
import dev.distillery.student.nn.FakeQuantHooks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * qat: calibrate activation ranges on a training sample, then fine-tune with per-channel weight and activation
 * fake quantization (straight-through estimator) under the distillation loss. Starts from the pruned student
 * when pruning is on, keeping its zeros.
 */
public final class QatStage implements Stage {
    public static final String MODEL = "student-qat.dmodel";

    @Override
    public String name() {
        return "qat";
    }

    @Override
    public String outputDir() {
        return "student-qat";
    }

    @Override
    public List<String> configSections() {
        return List.of("seed", "spark", "distill", "prune", "qat");
    }

    @Override
    public boolean resumable() {
        return true;
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        List<Path> in = new ArrayList<>(List.of(ctx.stageDir("prepared"), ctx.stageDir("soft-labels"),
                ctx.stageDir("student")));
        if (ctx.config().prune().enabled()) {
            in.add(ctx.stageDir("student-pruned"));
        }
        return in;
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        var cfg = ctx.config();
        boolean pruned = cfg.prune().enabled();
        ModelArtifact source = pruned
                ? ModelIO.read(ctx.stageDir("student-pruned").resolve(PruneStage.MODEL), DistillStage.KIND)
                : ModelIO.read(ctx.stageDir("student").resolve(DistillStage.KD_MODEL), DistillStage.KIND);
        var sample = Examples.collect(Examples.load(ctx.spark(), ctx.stageDir("prepared"), Examples.TRAIN)
                .orderBy("id").limit(cfg.qat().calibrationRows()));
        QuantSpec quant = Calibration.calibrate(source, sample.features(), cfg.qat().weightBits(),
                cfg.qat().activationBits());
        Map<String, float[]> masks = pruned ? MagnitudePruning.masks(source) : Map.of();
        GraphHooks hooks = pruned ? GraphHooks.chain(new PruneMaskHooks(masks), new FakeQuantHooks(quant))
                : new FakeQuantHooks(quant);
        TrainResult r = StudentTraining.train(ctx, "qat", StudentTraining.distillationRows(ctx),
                StudentTraining.validation(ctx), source, hooks,
                new DistillationObjective(cfg.distill().temperature(), cfg.distill().alpha()), cfg.qat().training(),
                workDir);
        ModelArtifact best = pruned ? MagnitudePruning.applyMasks(r.best(), masks) : r.best();
        ModelArtifact qat = best.withQuant(quant).withKind(DistillStage.KIND, Map.of("variant", "qat",
                "weight_bits", String.valueOf(quant.weightBits()), "activation_bits",
                String.valueOf(quant.activationBits()), "pruned", String.valueOf(pruned)));
        ModelIO.write(qat, workDir.resolve(MODEL));
        TrainingSummary.write(workDir.resolve("history.json"), r);
        return TrainingSummary.metrics(new StageResult(), "qat", r)
                .rows("calibration_rows", sample.size()).output("model", MODEL);
    }
}
