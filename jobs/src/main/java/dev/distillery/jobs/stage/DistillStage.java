package dev.distillery.jobs.stage;

import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.labels.SoftLabelFiles;
import dev.distillery.core.labels.SoftLabelMetadata;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.BatchNormFolding;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.ParamInit;
import dev.distillery.core.train.TrainResult;
import dev.distillery.evaluation.report.Lineage;
import dev.distillery.student.arch.StudentArchitecture;
import dev.distillery.core.model.HintPlan;
import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.HintObjective;
import dev.distillery.teacher.train.TeacherTraining;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * distill: the student trained on soft labels with the Hinton loss, one more such student per extra value of
 * {@code distill.temperatures} (same initial weights, for comparison), the same student trained on hard labels
 * alone as the baseline the report compares against, and, when the soft labels come from an ensemble and the label
 * stage also wrote the run's teacher's own labels, one more student distilled from that single teacher. Every model
 * records which of the others it differs from by one technique (see {@link ModelLineage}). A student with batch
 * norm trains with it and is saved with every batch norm folded into the layer before it, so later stages see only
 * conv, depthwise and dense layers. With {@code distill.hint} set, one more student is distilled with an
 * intermediate-feature hint from the teacher ({@value #HINT_MODEL}).
 */
public final class DistillStage implements Stage {
    public static final String KD_MODEL = "student-kd.dmodel";
    public static final String BASELINE_MODEL = "student-baseline.dmodel";
    /** Student distilled from the run's teacher alone, beside the ensemble-distilled {@link #KD_MODEL}. */
    public static final String SINGLE_TEACHER_MODEL = "student-kd-single-teacher.dmodel";
    /** The student distilled with the Hinton loss plus an intermediate-feature hint, when {@code distill.hint} is set. */
    public static final String HINT_MODEL = "student-kd-hint.dmodel";
    public static final String KIND = "student";

    /** File of the student distilled at a temperature from {@code distill.temperatures}. */
    public static String temperatureModel(double temperature) {
        return "student-kd-t" + temperatureId(temperature) + ".dmodel";
    }

    /** A temperature as a file-name-safe id: 2.0 becomes "2", 2.5 becomes "2_5". */
    public static String temperatureId(double temperature) {
        return temperature == Math.rint(temperature) ? String.valueOf((long) temperature)
                : String.valueOf(temperature).replace('.', '_');
    }

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
        HintPlanning.check(ctx);
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        DatasetInfo info = Examples.info(ctx.stageDir("prepared"));
        Architecture arch = StudentArchitecture.of(ctx.config().student(), info);
        ctx.console().printf("  student %s: %d parameters, %d MACs%n", arch.name(), arch.parameterCount(), arch.macs());
        if (arch.hasBatchNorm()) {
            Architecture folded = BatchNormFolding.foldArchitecture(arch);
            ctx.console().printf("  saved with batch norm folded: %d parameters, %d MACs%n", folded.parameterCount(),
                    folded.macs());
        }
        var cfg = ctx.config();
        ModelArtifact init = new ModelArtifact(KIND, arch, ParamInit.he(arch, cfg.seed() + 1),
                Map.of("config_hash", cfg.hashOf("seed", "student", "distill")), null);
        var validation = StudentTraining.validation(ctx);
        Path labelsDir = ctx.stageDir("soft-labels").resolve(LabelStage.PARQUET);
        SoftLabelMetadata labels = SoftLabelFiles.read(labelsDir);
        Path singleDir = ctx.stageDir("soft-labels").resolve(LabelStage.SINGLE_TEACHER_PARQUET);
        SoftLabelMetadata single = labels.teachers().size() > 1 && Files.isDirectory(singleDir)
                ? SoftLabelFiles.read(singleDir) : null;
        double temperature = cfg.distill().temperature();
        String kdDetail = kdDetail(temperature, cfg.distill().alpha(), labels);
        Map<String, String> kdLineage = single == null
                ? ModelLineage.of(outputDir(), BASELINE_MODEL, Lineage.SIBLING, "distillation", kdDetail)
                : ModelLineage.of(outputDir(), SINGLE_TEACHER_MODEL, Lineage.SIBLING, "teacher-ensemble",
                "soft labels of " + ModelLineage.describe(labels) + " instead of " + ModelLineage.describe(single)
                        + " alone (T=" + temperature + ", alpha=" + cfg.distill().alpha() + ")");
        TrainResult kd = StudentTraining.train(ctx, "student-kd", StudentTraining.distillationRows(ctx), validation,
                init, GraphHooks.NONE, new DistillationObjective(temperature, cfg.distill().alpha()),
                cfg.distill().training(), workDir);
        ModelIO.write(BatchNormFolding.fold(kd.best()).withKind(KIND, meta(Map.of("variant", "kd", "temperature",
                String.valueOf(temperature), "alpha", String.valueOf(cfg.distill().alpha()),
                "best_epoch", String.valueOf(kd.bestEpoch())), kdLineage, ModelLineage.teachers(labels))),
                workDir.resolve(KD_MODEL));
        StageResult result = new StageResult();
        for (double t : cfg.distill().extraTemperatures()) {
            String run = "student-kd-t" + temperatureId(t);
            TrainResult r = StudentTraining.train(ctx, run, StudentTraining.distillationRows(ctx), validation, init,
                    GraphHooks.NONE, new DistillationObjective(t, cfg.distill().alpha()), cfg.distill().training(),
                    workDir);
            ModelIO.write(BatchNormFolding.fold(r.best()).withKind(KIND, meta(Map.of("variant", "kd",
                    "temperature", String.valueOf(t),
                    "alpha", String.valueOf(cfg.distill().alpha()), "best_epoch", String.valueOf(r.bestEpoch())),
                    ModelLineage.of(outputDir(), KD_MODEL, Lineage.SIBLING, "temperature", "distillation temperature"
                            + " T=" + t + " instead of T=" + temperature), ModelLineage.teachers(labels))),
                    workDir.resolve(temperatureModel(t)));
            TrainingSummary.write(workDir.resolve("history-kd-t" + temperatureId(t) + ".json"), r);
            TrainingSummary.metrics(result.output("kd_t" + temperatureId(t), temperatureModel(t)),
                    "kd_t" + temperatureId(t), r);
        }
        if (single != null) {
            ctx.console().printf("  distilling %s from %s alone, to compare with the ensemble%n",
                    SINGLE_TEACHER_MODEL, ModelLineage.describe(single));
            TrainResult s = StudentTraining.train(ctx, "student-kd-single-teacher",
                    StudentTraining.distillationRows(ctx, singleDir), validation, init, GraphHooks.NONE,
                    new DistillationObjective(temperature, cfg.distill().alpha()), cfg.distill().training(), workDir);
            ModelIO.write(BatchNormFolding.fold(s.best()).withKind(KIND, meta(Map.of("variant", "kd-single-teacher",
                    "temperature",
                    String.valueOf(temperature), "alpha", String.valueOf(cfg.distill().alpha()), "best_epoch",
                    String.valueOf(s.bestEpoch())), ModelLineage.of(outputDir(), BASELINE_MODEL, Lineage.SIBLING,
                    "distillation", kdDetail(temperature, cfg.distill().alpha(), single)),
                    ModelLineage.teachers(single))), workDir.resolve(SINGLE_TEACHER_MODEL));
            TrainingSummary.write(workDir.resolve("history-kd-single-teacher.json"), s);
            TrainingSummary.metrics(result.output("kd_single_teacher", SINGLE_TEACHER_MODEL), "kd_single_teacher", s);
        }
        if (cfg.distill().hint().enabled()) {
            trainWithHint(ctx, arch, init, validation, workDir, result, labels);
        }
        TrainResult base = StudentTraining.train(ctx, "baseline", StudentTraining.hardRows(ctx), validation,
                init, GraphHooks.NONE, new CrossEntropyObjective(), cfg.distill().training(), workDir);
        ModelIO.write(BatchNormFolding.fold(base.best()).withKind(KIND, Map.of("variant", "baseline", "best_epoch",
                String.valueOf(base.bestEpoch()))), workDir.resolve(BASELINE_MODEL));
        TrainingSummary.write(workDir.resolve("history-kd.json"), kd);
        TrainingSummary.write(workDir.resolve("history-baseline.json"), base);
        result.metric("parameters", BatchNormFolding.foldArchitecture(arch).parameterCount())
                .metric("batch_norm", arch.hasBatchNorm())
                .metric("architecture", arch.name()).output("kd", KD_MODEL).output("baseline", BASELINE_MODEL);
        TrainingSummary.metrics(result, "kd", kd);
        return TrainingSummary.metrics(result, "baseline", base);
    }

    private static String kdDetail(double temperature, double alpha, SoftLabelMetadata labels) {
        return "knowledge distillation from " + ModelLineage.describe(labels) + " (T=" + temperature + ", alpha="
                + alpha + (labels.views() > 1 ? ", " + labels.views() + " views per example" : "")
                + ") instead of hard labels";
    }

    @SafeVarargs
    private static Map<String, String> meta(Map<String, String>... parts) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Map<String, String> p : parts) {
            out.putAll(p);
        }
        return out;
    }

    /**
     * The hint student: same initial weights, data and Hinton loss as the main KD student, plus the hint term
     * through a projection that is trained with it and dropped when the student is saved.
     */
    private void trainWithHint(StageContext ctx, Architecture arch, ModelArtifact init,
                               dev.distillery.core.data.Examples.LocalExamples validation, Path workDir,
                               StageResult result, SoftLabelMetadata labels) {
        var cfg = ctx.config();
        ModelArtifact teacher = ModelIO.read(ctx.stageDir("teacher").resolve(TrainTeacherStage.MODEL),
                TeacherTraining.KIND);
        HintPlan plan = HintPlan.resolve(cfg.distill().hint(), teacher.architecture(), arch);
        ctx.console().printf("  hint: teacher L%d %s -> student L%d %s, projection of %d parameters (training only)%n",
                plan.teacherLayer(), plan.teacherShape(), plan.studentLayer(), plan.studentShape(),
                plan.projectionParams());
        HintObjective objective = new HintObjective(cfg.distill().temperature(), cfg.distill().alpha(), plan, teacher,
                cfg.seed() + 2);
        TrainResult r = StudentTraining.train(ctx, "student-kd-hint", StudentTraining.distillationRows(ctx),
                validation, init, GraphHooks.NONE, objective, cfg.distill().training(), workDir);
        ModelIO.write(BatchNormFolding.fold(r.best()).withKind(KIND, meta(Map.of("variant", "kd_hint",
                "temperature", String.valueOf(cfg.distill().temperature()),
                "alpha", String.valueOf(cfg.distill().alpha()),
                "hint_teacher_layer", "L" + plan.teacherLayer(), "hint_student_layer", "L" + plan.studentLayer(),
                "hint_weight", String.valueOf(plan.weight()), "best_epoch", String.valueOf(r.bestEpoch())),
                ModelLineage.of(outputDir(), KD_MODEL, Lineage.SIBLING, "hint", "intermediate-feature hint from"
                        + " teacher L" + plan.teacherLayer() + " to student L" + plan.studentLayer() + " (weight "
                        + plan.weight() + ") added to the distillation loss"), ModelLineage.teachers(labels))),
                workDir.resolve(HINT_MODEL));
        TrainingSummary.write(workDir.resolve("history-kd-hint.json"), r);
        TrainingSummary.metrics(result.output("kd_hint", HINT_MODEL), "kd_hint", r)
                .metric("kd_hint_teacher_layer", "L" + plan.teacherLayer())
                .metric("kd_hint_student_layer", "L" + plan.studentLayer())
                .metric("kd_hint_projection_parameters", plan.projectionParams());
    }
}
