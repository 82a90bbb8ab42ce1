package dev.distillery.jobs.stage;

import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.nn.CrossEntropyObjective;
import dev.distillery.core.nn.GraphHooks;
import dev.distillery.core.nn.ParamInit;
import dev.distillery.core.train.TrainResult;
import dev.distillery.student.arch.StudentArchitecture;
import dev.distillery.student.nn.DistillationObjective;
import dev.distillery.teacher.train.TeacherTraining;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * distill: the student trained on soft labels with the Hinton loss, and the same student (same initial weights,
 * epochs and seed) trained on hard labels alone as the baseline the report compares against.
 */
public final class DistillStage implements Stage {
    public static final String KD_MODEL = "student-kd.dmodel";
    public static final String BASELINE_MODEL = "student-baseline.dmodel";
    public static final String KIND = "student";

    @Override
    public String name() {
        return "distill";
    }

    @Override
    public String outputDir() {
        return "student";
    }

    @Override
    public List<String> configSections() {
        return List.of("seed", "spark", "student", "distill");
    }

    @Override
    public boolean resumable() {
        return true;
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        return List.of(ctx.stageDir("prepared"), ctx.stageDir("teacher"), ctx.stageDir("soft-labels"));
    }

    @Override
    public void validate(StageContext ctx) {
        Path teacherFile = ctx.stageDir("teacher").resolve(TrainTeacherStage.MODEL);
        Path prepared = ctx.stageDir("prepared");
        if (Files.exists(teacherFile) && Files.exists(prepared)) {
            Architecture teacher = ModelIO.read(teacherFile, TeacherTraining.KIND).architecture();
            StudentArchitecture.checkSize(StudentArchitecture.of(ctx.config().student(), Examples.info(prepared)),
                    teacher, ctx.config().student().maxTeacherFraction());
        }
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        DatasetInfo info = Examples.info(ctx.stageDir("prepared"));
        Architecture arch = StudentArchitecture.of(ctx.config().student(), info);
        ctx.console().printf("  student %s: %d parameters, %d MACs%n", arch.name(), arch.parameterCount(), arch.macs());
        var cfg = ctx.config();
        ModelArtifact init = new ModelArtifact(KIND, arch, ParamInit.he(arch, cfg.seed() + 1),
                Map.of("config_hash", cfg.hashOf("seed", "student", "distill")), null);
        var validation = StudentTraining.validation(ctx);
        TrainResult kd = StudentTraining.train(ctx, "student-kd", StudentTraining.distillationRows(ctx), validation,
                init, GraphHooks.NONE, new DistillationObjective(cfg.distill().temperature(), cfg.distill().alpha()),
                cfg.distill().training(), workDir);
        ModelIO.write(kd.best().withKind(KIND, Map.of("variant", "kd", "temperature",
                String.valueOf(cfg.distill().temperature()), "alpha", String.valueOf(cfg.distill().alpha()),
                "best_epoch", String.valueOf(kd.bestEpoch()))), workDir.resolve(KD_MODEL));
        TrainResult base = StudentTraining.train(ctx, "baseline", StudentTraining.hardRows(ctx), validation,
                init, GraphHooks.NONE, new CrossEntropyObjective(), cfg.distill().training(), workDir);
        ModelIO.write(base.best().withKind(KIND, Map.of("variant", "baseline", "best_epoch",
                String.valueOf(base.bestEpoch()))), workDir.resolve(BASELINE_MODEL));
        TrainingSummary.write(workDir.resolve("history-kd.json"), kd);
        TrainingSummary.write(workDir.resolve("history-baseline.json"), base);
        StageResult result = new StageResult().metric("parameters", arch.parameterCount())
                .metric("architecture", arch.name()).output("kd", KD_MODEL).output("baseline", BASELINE_MODEL);
        TrainingSummary.metrics(result, "kd", kd);
        return TrainingSummary.metrics(result, "baseline", base);
    }
}
