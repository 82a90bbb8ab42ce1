package dev.distillery.jobs.stage;

import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.engine.CrossEntropyObjective;
import dev.distillery.core.engine.DistillationObjective;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.HintObjective;
import dev.distillery.core.engine.Objective;
import dev.distillery.core.labels.SoftLabelFiles;
import dev.distillery.core.labels.SoftLabelMetadata;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.BatchNormFolding;
import dev.distillery.core.model.HintPlan;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.model.ParamInit;
import dev.distillery.core.train.TrainResult;
import dev.distillery.core.train.TrainRow;
import dev.distillery.evaluation.report.Lineage;
import dev.distillery.evaluation.report.Variant;
import dev.distillery.student.arch.StudentArchitecture;
import dev.distillery.teacher.train.TeacherTraining;
import org.apache.spark.api.java.JavaRDD;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * distill: the student trained on soft labels with the Hinton loss, one more such student per extra value of
 * {@code distill.temperatures} (same initial weights, for comparison), the same student trained on hard labels
 * alone as the baseline the report compares against, and, when the soft labels come from an ensemble and the label
 * stage also wrote the run's teacher's own labels, one more student distilled from that single teacher. Every model
 * records which of the others it differs from by one technique (see {@link ModelLineage}). A student with batch
 * norm trains with it and is saved with every batch norm folded into the layer before it, so later stages see only
 * conv, depthwise and dense layers. With {@code distill.hint} set, one more student is distilled with an
 * intermediate-feature hint from the teacher ({@link #HINT_MODEL}).
 */
public final class DistillStage implements Stage {
    public static final StageFolder OUTPUT = new StageFolder("student");
    public static final StageFile KD_MODEL = OUTPUT.file("student-kd.dmodel");
    public static final StageFile BASELINE_MODEL = OUTPUT.file("student-baseline.dmodel");
    /** Student distilled from the run's teacher alone, beside the ensemble-distilled {@link #KD_MODEL}. */
    public static final StageFile SINGLE_TEACHER_MODEL = OUTPUT.file("student-kd-single-teacher.dmodel");
    /** The student distilled with the Hinton loss plus an intermediate-feature hint, when {@code distill.hint} is set. */
    public static final StageFile HINT_MODEL = OUTPUT.file("student-kd-hint.dmodel");
    public static final String KIND = "student";

    /** File of the student distilled at a temperature from {@code distill.temperatures}. */
    public static StageFile temperatureModel(double temperature) {
        return OUTPUT.file("student-kd-t" + temperatureId(temperature) + ".dmodel");
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
    public StageFolder output() {
        return OUTPUT;
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
        List<Path> in = new ArrayList<>(List.of(PrepareStage.OUTPUT.dir(ctx)));
        in.addAll(Teachers.inputs(ctx));
        in.add(LabelStage.OUTPUT.dir(ctx));
        return in;
    }

    @Override
    public Map<String, String> remoteInputs(StageContext ctx) {
        return Teachers.remoteDigests(ctx);
    }

    @Override
    public void validate(StageContext ctx) {
        Path teacherFile = TrainTeacherStage.MODEL.path(ctx);
        Path prepared = PrepareStage.OUTPUT.dir(ctx);
        Path labels = LabelStage.PARQUET.path(ctx);
        java.util.Optional<DatasetInfo> info;
        try {
            info = HintPlanning.dataset(ctx);
        } catch (RuntimeException e) {
            info = java.util.Optional.empty();  // an unreadable data file: prepare reports it with its own message
        }
        // a student list no later stage can take fails here, before the run's first stage when the shape is known
        info.ifPresent(i -> StudentArchitecture.of(ctx.config().student(), i));
        if (Files.exists(prepared.resolve(Examples.INFO_FILE))) {
            Architecture student = StudentArchitecture.of(ctx.config().student(), Examples.info(prepared));
            double fraction = ctx.config().student().maxTeacherFraction();
            if (!Teachers.onnx(ctx) && Files.exists(teacherFile)) {
                Architecture teacher = ModelIO.read(teacherFile, TeacherTraining.KIND).architecture();
                StudentArchitecture.checkSize(student, teacher, fraction);
            } else if (Teachers.onnx(ctx) && Files.isDirectory(labels)) {
                // an ONNX teacher's size is what the label stage recorded of its file
                var teacher = SoftLabelFiles.read(labels).teachers().get(0);
                StudentArchitecture.checkSize(student, teacher.architecture(), teacher.parameters(), fraction);
            }
        }
        HintPlanning.check(ctx);
    }

    /**
     * One student the stage trains: its training run's name, the variant name and kind the report gives it, its
     * file, rows, objective and the metadata its file records. {@code key} names its manifest output and metrics
     * ({@code <key>_...}); the run names its history file ({@code history-<run without "student-">.json}).
     */
    private record StudentJob(String key, String run, String variant, String kind, StageFile file,
                              Supplier<JavaRDD<TrainRow>> rows, Objective objective, Map<String, String> metadata) {
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        DatasetInfo info = Examples.info(PrepareStage.OUTPUT.dir(ctx));
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
        SoftLabelMetadata labels = SoftLabelFiles.read(LabelStage.PARQUET.path(ctx));
        Path singleDir = LabelStage.SINGLE_TEACHER_PARQUET.path(ctx);
        SoftLabelMetadata single = labels.teachers().size() > 1 && Files.isDirectory(singleDir)
                ? SoftLabelFiles.read(singleDir) : null;
        double temperature = cfg.distill().temperature();
        double alpha = cfg.distill().alpha();
        var hintWarning = TemperatureHint.mismatch(temperature, labels);
        hintWarning.ifPresent(w -> ctx.console().printf("  warning: %s%n", w));
        Map<String, String> teachers = ModelLineage.teachers(labels);

        StudentJob kd = new StudentJob("kd", "student-kd", "student-kd", Variant.STUDENT_KD, KD_MODEL,
                () -> StudentTraining.distillationRows(ctx), new DistillationObjective(temperature, alpha),
                meta(Map.of("variant", "kd", "temperature", String.valueOf(temperature), "alpha", String.valueOf(alpha)),
                        single == null
                                ? ModelLineage.of(BASELINE_MODEL, Lineage.SIBLING, "distillation",
                                kdDetail(temperature, alpha, labels))
                                : ModelLineage.of(SINGLE_TEACHER_MODEL, Lineage.SIBLING, "teacher-ensemble",
                                "soft labels of " + ModelLineage.describe(labels) + " instead of "
                                        + ModelLineage.describe(single) + " alone ("
                                        + TemperatureHint.describe(temperature, labels) + ", alpha=" + alpha + ")"),
                        teachers));
        List<StudentJob> temperatures = new ArrayList<>();
        for (double t : cfg.distill().extraTemperatures()) {
            String id = "kd_t" + temperatureId(t);
            temperatures.add(new StudentJob(id, "student-kd-t" + temperatureId(t), "student-kd-t" + temperatureId(t),
                    Variant.STUDENT_KD, temperatureModel(t), () -> StudentTraining.distillationRows(ctx),
                    new DistillationObjective(t, alpha),
                    meta(Map.of("variant", "kd", "temperature", String.valueOf(t), "alpha", String.valueOf(alpha)),
                            ModelLineage.of(KD_MODEL, Lineage.SIBLING, "temperature", "distillation temperature"
                                    + " T=" + t + " instead of T=" + temperature), teachers)));
        }
        StudentJob singleTeacher = single == null ? null : new StudentJob("kd_single_teacher",
                "student-kd-single-teacher", "student-kd-single-teacher", Variant.STUDENT_KD, SINGLE_TEACHER_MODEL,
                () -> StudentTraining.distillationRows(ctx, singleDir), new DistillationObjective(temperature, alpha),
                meta(Map.of("variant", "kd-single-teacher", "temperature", String.valueOf(temperature),
                                "alpha", String.valueOf(alpha)),
                        ModelLineage.of(BASELINE_MODEL, Lineage.SIBLING, "distillation",
                                kdDetail(temperature, alpha, single)), ModelLineage.teachers(single)));
        ModelArtifact hintTeacher = cfg.distill().hint().enabled()
                ? ModelIO.read(TrainTeacherStage.MODEL.path(ctx), TeacherTraining.KIND) : null;
        HintPlan plan = hintTeacher == null ? null : hintPlan(ctx, hintTeacher, arch);
        StudentJob hint = plan == null ? null : new StudentJob("kd_hint", "student-kd-hint", "student-kd-hint",
                Variant.STUDENT_KD, HINT_MODEL, () -> StudentTraining.distillationRows(ctx),
                new HintObjective(temperature, alpha, plan, hintTeacher, cfg.seed() + 2),
                meta(Map.of("variant", "kd_hint", "temperature", String.valueOf(temperature),
                                "alpha", String.valueOf(alpha), "hint_teacher_layer", "L" + plan.teacherLayer(),
                                "hint_student_layer", "L" + plan.studentLayer(), "hint_weight",
                                String.valueOf(plan.weight())),
                        ModelLineage.of(KD_MODEL, Lineage.SIBLING, "hint", "intermediate-feature hint from teacher L"
                                + plan.teacherLayer() + " to student L" + plan.studentLayer() + " (weight "
                                + plan.weight() + ") added to the distillation loss"), teachers));
        StudentJob baseline = new StudentJob("baseline", "baseline", "student-baseline", Variant.STUDENT_BASELINE,
                BASELINE_MODEL, () -> StudentTraining.hardRows(ctx), new CrossEntropyObjective(),
                Map.of("variant", "baseline"));

        // trained two at a time in this order; listed (and so reported) with the baseline first and each sibling
        // after its pair
        List<StudentJob> training = new ArrayList<>(List.of(kd));
        training.addAll(temperatures);
        if (singleTeacher != null) {
            ctx.console().printf("  distilling %s from %s alone, to compare with the ensemble%n",
                    SINGLE_TEACHER_MODEL.name(), ModelLineage.describe(single));
            training.add(singleTeacher);
        }
        if (hint != null) {
            training.add(hint);
        }
        training.add(baseline);
        StageResult result = new StageResult();
        hintWarning.ifPresent(w -> result.metric("temperature_hint_warning", w));
        List<TrainResult> trained = StudentTraining.concurrently(ctx.spark().sparkContext(), training, job -> StudentTraining.train(ctx,
                job.run(), job.rows().get(), validation, init, GraphHooks.NONE, job.objective(),
                cfg.distill().training(), workDir));
        for (int i = 0; i < training.size(); i++) {
            StudentJob job = training.get(i);
            TrainResult r = trained.get(i);
            Map<String, String> metadata = new LinkedHashMap<>(job.metadata());
            metadata.put("best_epoch", String.valueOf(r.bestEpoch()));
            ModelIO.write(BatchNormFolding.fold(r.best()).withKind(KIND, metadata), job.file().in(workDir));
            TrainingSummary.write(workDir.resolve("history-" + job.run().replaceFirst("^student-", "") + ".json"), r);
            TrainingSummary.metrics(result, job.key(), r);
        }
        if (plan != null) {
            result.metric("kd_hint_teacher_layer", "L" + plan.teacherLayer())
                    .metric("kd_hint_student_layer", "L" + plan.studentLayer())
                    .metric("kd_hint_projection_parameters", plan.projectionParams());
        }
        List<StudentJob> listed = new ArrayList<>(List.of(baseline));
        if (singleTeacher != null) {
            listed.add(singleTeacher);
        }
        listed.add(kd);
        listed.addAll(temperatures);
        if (hint != null) {
            listed.add(hint);
        }
        for (StudentJob job : listed) {
            result.model(job.key(), job.variant(), job.kind(), job.file());
        }
        return result.metric("parameters", BatchNormFolding.foldArchitecture(arch).parameterCount())
                .metric("batch_norm", arch.hasBatchNorm())
                .metric("architecture", arch.name());
    }

    private static String kdDetail(double temperature, double alpha, SoftLabelMetadata labels) {
        return "knowledge distillation from " + ModelLineage.describe(labels) + " ("
                + TemperatureHint.describe(temperature, labels) + ", alpha="
                + alpha + (labels.views() > 1 ? ", " + labels.views() + " views per example" : "")
                + ") instead of hard labels";
    }

    @SafeVarargs
    private static Map<String, String> meta(Map<String, String>... parts) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, String> p : parts) {
            out.putAll(p);
        }
        return out;
    }

    /** The hint's layers, shapes and projection, printed before training (the projection is dropped when saved). */
    private static HintPlan hintPlan(StageContext ctx, ModelArtifact teacher, Architecture student) {
        HintPlan plan = HintPlan.resolve(ctx.config().distill().hint(), teacher.architecture(), student);
        ctx.console().printf("  hint: teacher L%d %s -> student L%d %s, projection of %d parameters (training only)%n",
                plan.teacherLayer(), plan.teacherShape(), plan.studentLayer(), plan.studentShape(),
                plan.projectionParams());
        return plan;
    }
}
