package dev.distillery.jobs.stage;

import dev.distillery.core.config.PruneConfig;
import dev.distillery.core.data.Examples;
import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.PruneMaskHooks;
import dev.distillery.core.engine.SparsityLockHooks;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.BatchNormFolding;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.train.RoundHook;
import dev.distillery.core.train.TrainResult;
import dev.distillery.evaluation.report.Lineage;
import dev.distillery.student.arch.StudentArchitecture;
import dev.distillery.student.prune.ChannelPruning;
import dev.distillery.student.prune.GradualPruning;
import dev.distillery.student.prune.MagnitudePruning;
import dev.distillery.student.prune.SparsityAllocation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * prune: the distilled student pruned and fine-tuned under the KD loss. {@code magnitude}: unstructured zeros,
 * at once or along the gradual schedule, the architecture unchanged; {@code channels}: the weakest filters
 * removed, a smaller architecture that qat, export and evaluate take as it is. The model's metadata records
 * the measured weight sparsity and the real parameter and MAC counts beside those of the dense student.
 */
public final class PruneStage implements Stage {
    public static final StageFolder OUTPUT = new StageFolder("student-pruned");
    public static final StageFile MODEL = OUTPUT.file("student-pruned.dmodel");

    @Override
    public String name() {
        return "prune";
    }

    @Override
    public StageFolder output() {
        return OUTPUT;
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
        return List.of(PrepareStage.OUTPUT.dir(ctx), LabelStage.OUTPUT.dir(ctx), DistillStage.OUTPUT.dir(ctx));
    }

    @Override
    public boolean enabled(StageContext ctx) {
        return ctx.config().prune().enabled();
    }

    @Override
    public void validate(StageContext ctx) {
        PruneConfig cfg = ctx.config().prune();
        if (!cfg.enabled()) {
            return;
        }
        // A channel fraction that would empty a layer, or a sparsity the layers left to prune cannot reach, fails
        // here, before any Spark work.
        Path kd = DistillStage.KD_MODEL.path(ctx);
        Path prepared = PrepareStage.OUTPUT.dir(ctx);
        Architecture arch = null;
        if (Files.exists(kd)) {
            arch = BatchNormFolding.foldArchitecture(ModelIO.read(kd, DistillStage.KIND).architecture());
        } else if (Files.exists(prepared)) {
            arch = BatchNormFolding.foldArchitecture(StudentArchitecture.of(ctx.config().student(),
                    Examples.info(prepared)));
        }
        if (arch == null) {
            return;
        }
        if (cfg.channels()) {
            ChannelPruning.plan(arch, cfg.channelFraction());
        } else {
            SparsityAllocation.of(arch, cfg.exclude(), cfg.sparsity());
        }
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        var cfg = ctx.config();
        PruneConfig pc = cfg.prune();
        // saved folded by distill; folding again is a no-op that keeps batch norm out of pruning in any case
        ModelArtifact student = BatchNormFolding.fold(
                ModelIO.read(DistillStage.KD_MODEL.path(ctx), DistillStage.KIND));
        Architecture dense = student.architecture();
        ModelArtifact start;
        GraphHooks hooks;
        RoundHook roundHook = RoundHook.NONE;
        Map<String, float[]> masks = null;
        GradualPruning gradual = null;
        if (pc.channels()) {
            start = ChannelPruning.prune(student, pc.channelFraction());
            hooks = GraphHooks.NONE;
            ctx.console().printf("  channel pruning: %s -> %s, %d -> %d parameters, %d -> %d MACs%n", dense.name(),
                    start.architecture().name(), dense.parameterCount(), start.architecture().parameterCount(),
                    dense.macs(), start.architecture().macs());
        } else if (pc.gradual()) {
            start = student;
            hooks = new SparsityLockHooks();
            gradual = GradualPruning.of(dense, SparsityAllocation.of(dense, pc.exclude(), pc.sparsity()),
                    pc.initialSparsity(), pc.sparsity(), pc.frequency(), pc.rampFraction());
            roundHook = gradual;
        } else {
            start = MagnitudePruning.prune(student, SparsityAllocation.of(dense, pc.exclude(), pc.sparsity()),
                    pc.sparsity());
            masks = MagnitudePruning.masks(start);
            hooks = new PruneMaskHooks(masks);
        }
        TrainResult r = StudentTraining.train(ctx, "pruned", StudentTraining.distillationRows(ctx),
                StudentTraining.validation(ctx), start, hooks,
                new DistillationObjective(cfg.distill().temperature(), cfg.distill().alpha()), pc.training(),
                workDir, roundHook);
        ModelArtifact best = masks == null ? r.best() : MagnitudePruning.applyMasks(r.best(), masks);
        Architecture arch = best.architecture();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("variant", "pruned");
        meta.put("method", pc.method());
        if (pc.channels()) {
            meta.put("channel_fraction", String.valueOf(pc.channelFraction()));
        } else {
            meta.put("schedule", pc.schedule());
            meta.put("target_sparsity", String.valueOf(pc.sparsity()));
            meta.put("dense_layers", String.join(",", pc.exclude()));
        }
        meta.put("sparsity", String.valueOf(best.weightSparsity()));
        meta.put("params", String.valueOf(arch.parameterCount()));
        meta.put("macs", String.valueOf(arch.macs()));
        meta.put("dense_params", String.valueOf(dense.parameterCount()));
        meta.put("dense_macs", String.valueOf(dense.macs()));
        meta.put("best_epoch", String.valueOf(r.bestEpoch()));
        String fineTune = pc.training().epochs() + " epoch(s) of distillation fine-tuning";
        meta.putAll(pc.channels()
                ? ModelLineage.of(DistillStage.KD_MODEL, Lineage.DERIVED, "channel-pruning",
                "channel pruning: " + Math.round(100 * pc.channelFraction()) + "% of the filters removed ("
                        + dense.name() + " -> " + arch.name() + "), " + fineTune)
                : ModelLineage.of(DistillStage.KD_MODEL, Lineage.DERIVED, "pruning",
                "magnitude pruning to " + Math.round(100 * pc.sparsity()) + "% sparsity (" + pc.schedule()
                        + " schedule, measured " + String.format(java.util.Locale.ROOT, "%.1f%%",
                        100 * best.weightSparsity()) + "), " + fineTune));
        ModelArtifact result = best.withKind(DistillStage.KIND, meta);
        ModelIO.write(result, MODEL.in(workDir));
        TrainingSummary.write(workDir.resolve("history.json"), r);
        StageResult out = TrainingSummary.metrics(new StageResult(), "pruned", r)
                .metric("method", pc.method())
                .metric("weight_sparsity", result.weightSparsity())
                .metric("params", arch.parameterCount()).metric("dense_params", dense.parameterCount())
                .metric("macs", arch.macs()).metric("dense_macs", dense.macs())
                .metric("model_bytes", MODEL.in(workDir).toFile().length())
                .metric("dense_model_bytes", DistillStage.KD_MODEL.path(ctx).toFile().length());
        if (gradual != null) {
            out.metric("schedule", Map.of("interval_steps", gradual.schedule().interval(),
                    "pruning_steps", gradual.schedule().steps() + 1, "end_step", gradual.schedule().end()));
            out.metric("pruning_steps", gradual.steps().stream().map(s -> Map.of("step", s.step(),
                    "scheduled", s.scheduled(), "measured", s.measured())).toList());
        }
        return out.model("model", "student-pruned", dev.distillery.evaluation.report.Variant.STUDENT_PRUNED, MODEL);
    }
}
