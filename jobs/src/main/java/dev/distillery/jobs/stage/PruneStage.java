package dev.distillery.jobs.stage;

import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.train.TrainResult;
import dev.distillery.student.nn.DistillationObjective;
import dev.distillery.student.prune.MagnitudePruning;
import dev.distillery.student.nn.PruneMaskHooks;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** prune: magnitude pruning of the distilled student to the configured sparsity, fine-tuned under the KD loss. */
public final class PruneStage implements Stage {
    public static final String MODEL = "student-pruned.dmodel";

    @Override
    public String name() {
        return "prune";
    }

    @Override
    public String outputDir() {
        return "student-pruned";
    }

    @Override
    public List<String> configSections() {
        return List.of("seed", "spark", "distill", "prune");
    }

    @Override
    public boolean resumable() {
        return true;
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        return List.of(ctx.stageDir("prepared"), ctx.stageDir("soft-labels"), ctx.stageDir("student"));
    }

    @Override
    public boolean enabled(StageContext ctx) {
        return ctx.config().prune().enabled();
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        var cfg = ctx.config();
        ModelArtifact student = ModelIO.read(ctx.stageDir("student").resolve(DistillStage.KD_MODEL), DistillStage.KIND);
        ModelArtifact pruned = MagnitudePruning.prune(student, cfg.prune().sparsity());
        Map<String, float[]> masks = MagnitudePruning.masks(pruned);
        TrainResult r = StudentTraining.train(ctx, "pruned", StudentTraining.distillationRows(ctx),
                StudentTraining.validation(ctx), pruned, new PruneMaskHooks(masks),
                new DistillationObjective(cfg.distill().temperature(), cfg.distill().alpha()), cfg.prune().training(),
                workDir);
        ModelArtifact result = MagnitudePruning.applyMasks(r.best(), masks).withKind(DistillStage.KIND,
                Map.of("variant", "pruned", "sparsity", String.valueOf(cfg.prune().sparsity())));
        ModelIO.write(result, workDir.resolve(MODEL));
        TrainingSummary.write(workDir.resolve("history.json"), r);
        return TrainingSummary.metrics(new StageResult(), "pruned", r)
                .metric("weight_sparsity", result.weightSparsity()).output("model", MODEL);
    }
}
