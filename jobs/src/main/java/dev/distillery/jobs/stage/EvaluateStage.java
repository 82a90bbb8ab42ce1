package dev.distillery.jobs.stage;

import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.error.DistilleryException;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.nn.GraphHooks;
import dev.distillery.core.nn.SameDiffNet;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.evaluation.metrics.ClassificationMetrics;
import dev.distillery.evaluation.profile.HardwareProfile;
import dev.distillery.evaluation.profile.Precision;
import dev.distillery.evaluation.profile.ProfileLoader;
import dev.distillery.evaluation.report.Report;
import dev.distillery.evaluation.report.ReportBuilder;
import dev.distillery.evaluation.report.ReportWriter;
import dev.distillery.evaluation.report.Variant;
import dev.distillery.student.nn.FakeQuantHooks;
import dev.distillery.student.quant.IntegerModelIO;
import dev.distillery.student.runtime.IntegerRuntime;
import dev.distillery.teacher.train.TeacherTraining;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * evaluate: every variant's accuracy on the test split, its size and MACs, and its fit, latency and gate result
 * on each configured hardware profile; writes report.json, report.md and report.html. Exits 4 when a required
 * profile has no passing variant.
 */
public final class EvaluateStage implements Stage {

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String outputDir() {
        return "reports";
    }

    @Override
    public List<String> configSections() {
        return List.of("name", "distill", "evaluation");
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        List<Path> in = new ArrayList<>(List.of(ctx.stageDir("prepared"), ctx.stageDir("teacher"),
                ctx.stageDir("student"), ctx.stageDir("student-qat"), ctx.stageDir("export")));
        if (ctx.config().prune().enabled()) {
            in.add(ctx.stageDir("student-pruned"));
        }
        Path profiles = ctx.resolve(ctx.config().evaluation().profilesDir());
        for (String id : ctx.config().evaluation().profiles()) {
            in.add(profiles.resolve(id + ".yaml"));
        }
        return in;
    }

    @Override
    public void validate(StageContext ctx) {
        // Unknown or invalid profiles fail before any model is loaded.
        profiles(ctx);
    }

    private List<HardwareProfile> profiles(StageContext ctx) {
        var ev = ctx.config().evaluation();
        return ProfileLoader.loadAll(ctx.resolve(ev.profilesDir()), ev.profiles());
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        var cfg = ctx.config();
        Path prepared = ctx.stageDir("prepared");
        DatasetInfo info = Examples.info(prepared);
        Examples.LocalExamples test = Examples.collect(Examples.load(ctx.spark(), prepared, Examples.TEST));
        List<Variant> variants = new ArrayList<>();
        StageResult result = new StageResult().rows("test_rows", test.size());

        Path teacherFile = ctx.stageDir("teacher").resolve(TrainTeacherStage.MODEL);
        variants.add(floatVariant("teacher", Variant.TEACHER, ModelIO.read(teacherFile, TeacherTraining.KIND),
                teacherFile, test, info));
        Path baselineFile = ctx.stageDir("student").resolve(DistillStage.BASELINE_MODEL);
        variants.add(floatVariant("student-baseline", Variant.STUDENT_BASELINE,
                ModelIO.read(baselineFile, DistillStage.KIND), baselineFile, test, info));
        Path kdFile = ctx.stageDir("student").resolve(DistillStage.KD_MODEL);
        variants.add(floatVariant("student-kd", Variant.STUDENT_KD, ModelIO.read(kdFile, DistillStage.KIND), kdFile,
                test, info));
        for (double t : cfg.distill().extraTemperatures()) {
            Path file = ctx.stageDir("student").resolve(DistillStage.temperatureModel(t));
            variants.add(floatVariant("student-kd-t" + DistillStage.temperatureId(t), Variant.STUDENT_KD,
                    ModelIO.read(file, DistillStage.KIND), file, test, info));
        }
        if (cfg.prune().enabled()) {
            Path prunedFile = ctx.stageDir("student-pruned").resolve(PruneStage.MODEL);
            variants.add(floatVariant("student-pruned", Variant.STUDENT_PRUNED,
                    ModelIO.read(prunedFile, DistillStage.KIND), prunedFile, test, info));
        }
        ModelArtifact qat = ModelIO.read(ctx.stageDir("student-qat").resolve(QatStage.MODEL), DistillStage.KIND);
        int[] fakeQuant = SparkTrainer.predict(SameDiffNet.forInference(qat.architecture(), qat.params(),
                new FakeQuantHooks(qat.quant())), test.features(), 1000);
        Path intFile = ctx.stageDir("export").resolve(ExportStage.INT8_MODEL);
        IntegerRuntime runtime = new IntegerRuntime(IntegerModelIO.read(intFile));
        int[] integer = new int[test.size()];
        float[][] logits = runtime.logits(test.features());
        for (int i = 0; i < integer.length; i++) {
            integer[i] = SparkTrainer.argmax(logits[i]);
        }
        ClassificationMetrics intMetrics = ClassificationMetrics.of(test.labels(), integer, info.numClasses());
        Precision intPrecision = qat.quant().weightBits() == 4 ? Precision.INT4 : Precision.INT8;
        variants.add(Variant.of("student-int8", Variant.STUDENT_INT8, intPrecision, qat.architecture(), intMetrics,
                Files.exists(intFile) ? intFile.toFile().length() : 1, qat.weightSparsity(), intFile));
        double fakeQuantAccuracy = ClassificationMetrics.of(test.labels(), fakeQuant, info.numClasses()).accuracy();
        double agreement = ClassificationMetrics.agreement(fakeQuant, integer);

        List<HardwareProfile> profiles = profiles(ctx);
        Report report = new ReportBuilder("Distillery report: " + cfg.name())
                .created(Instant.now())
                .configHash(cfg.hashOf("seed", "data", "teacher", "student", "distill", "prune", "qat", "evaluation"))
                .dataset(info.source() + " (" + info.numClasses() + " classes, " + info.channels() + "x" + info.height()
                        + "x" + info.width() + ", test rows " + test.size() + ")")
                .variants(variants)
                .profiles(profiles)
                .minAccuracy(cfg.evaluation().minAccuracy())
                .note("qat_fake_quant_accuracy", String.format("%.4f", fakeQuantAccuracy))
                .note("int8_vs_fake_quant_agreement", String.format("%.4f", agreement))
                .note("distillation", "T=" + cfg.distill().temperature() + ", alpha=" + cfg.distill().alpha())
                .build();
        ReportWriter.write(report, workDir);
        for (Variant v : variants) {
            result.metric("accuracy_" + v.name(), v.accuracy());
        }
        result.metric("qat_fake_quant_accuracy", fakeQuantAccuracy).metric("int8_vs_fake_quant_agreement", agreement);
        List<String> failing = report.profilesWithoutPassingVariant(cfg.evaluation().requiredProfiles());
        if (!failing.isEmpty()) {
            ctx.console().printf("  GATE FAILED: required profile(s) %s have no passing variant%n", failing);
            result.metric("failed_required_profiles", failing).exitCode(DistilleryException.EXIT_GATE_FAILED);
        }
        return result.output("report_json", "report.json").output("report_md", "report.md")
                .output("report_html", "report.html");
    }

    private static Variant floatVariant(String name, String kind, ModelArtifact model, Path file,
                                        Examples.LocalExamples test, DatasetInfo info) {
        int[] pred = SparkTrainer.predict(SameDiffNet.forInference(model.architecture(), model.params(),
                GraphHooks.NONE), test.features(), 1000);
        ClassificationMetrics m = ClassificationMetrics.of(test.labels(), pred, info.numClasses());
        return Variant.of(name, kind, Precision.FP32, model.architecture(), m, file.toFile().length(),
                model.weightSparsity(), file);
    }
}
