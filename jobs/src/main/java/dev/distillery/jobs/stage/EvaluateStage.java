package dev.distillery.jobs.stage;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.DistilleryException;
import dev.distillery.core.error.TransientFailureException;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.core.engine.InferenceRunner;
import dev.distillery.evaluation.measure.Runners;
import dev.distillery.evaluation.measure.VariantRun;
import dev.distillery.evaluation.metrics.ClassificationMetrics;
import dev.distillery.evaluation.profile.HardwareProfile;
import dev.distillery.evaluation.profile.Precision;
import dev.distillery.evaluation.profile.ProfileLoader;
import dev.distillery.evaluation.report.Report;
import dev.distillery.evaluation.report.ReportBuilder;
import dev.distillery.evaluation.report.ReportWriter;
import dev.distillery.evaluation.report.Variant;
import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.IntegerModelIO;
import dev.distillery.teacher.train.TeacherTraining;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        if (!ctx.config().evaluation().profiles().contains(ctx.config().evaluation().hostProfile())) {
            in.add(profiles.resolve(ctx.config().evaluation().hostProfile() + ".yaml"));
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
        ProfileLoader.load(ctx.resolve(ev.profilesDir()), ev.hostProfile());
        return ProfileLoader.loadAll(ctx.resolve(ev.profilesDir()), ev.profiles());
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        var cfg = ctx.config();
        var ev = cfg.evaluation();
        Path prepared = ctx.stageDir("prepared");
        DatasetInfo info = Examples.info(prepared);
        Examples.LocalExamples test = Examples.collect(Examples.load(ctx.spark(), prepared, Examples.TEST));
        StageResult result = new StageResult().rows("test_rows", test.size());
        VariantRun.Settings settings = new VariantRun.Settings(ev.bootstrapResamples(), cfg.seed(), 20,
                ev.latencyRuns(), 1000);
        List<Variant> variants = new ArrayList<>();
        // each variant's model-file metadata: where it came from and which teachers it learned from
        Map<String, Map<String, String>> metadata = new HashMap<>();

        Path teacherFile = ctx.stageDir("teacher").resolve(TrainTeacherStage.MODEL);
        ModelArtifact teacherModel = ModelIO.read(teacherFile, TeacherTraining.KIND);
        VariantRun teacherRun = floatRun(teacherModel, test, info, null, settings);
        variants.add(floatVariant("teacher", Variant.TEACHER, teacherModel, teacherFile, teacherRun));
        int[] teacher = teacherRun.predictions();
        for (FloatStudents.Entry s : FloatStudents.of(ctx)) {
            Path file = s.path(ctx);
            ModelArtifact model = ModelIO.read(file, DistillStage.KIND);
            variants.add(floatVariant(s.name(), s.kind(), model, file, floatRun(model, test, info, teacher, settings)));
            metadata.put(s.name(), model.metadata());
        }
        ModelArtifact qat = ModelIO.read(ctx.stageDir("student-qat").resolve(QatStage.MODEL), DistillStage.KIND);
        int[] fakeQuant = SparkTrainer.predict(Engines.network().forInference(qat.architecture(), qat.params(),
                new FakeQuantHooks(qat.quant())), test.features(), 1000);
        // export names the integer model by the QAT model's weight width: student-int8.dint or student-int4.dint
        Path intFile = ctx.stageDir("export").resolve(ExportStage.integerModel(qat.quant().weightBits()));
        IntegerModel intModel = IntegerModelIO.read(intFile);
        VariantRun intRun;
        try (InferenceRunner integerRunner = Runners.integer(intModel)) {
            intRun = VariantRun.of(integerRunner, List.of(integerRunner), test.features(), test.labels(),
                    info.numClasses(), teacher, settings);
        }
        Precision intPrecision = integerPrecision(intModel, intFile);
        String intName = "student-" + intPrecision.id();
        variants.add(Variant.of(intName, intName, intPrecision, qat.architecture(), intRun.metrics(),
                        sizeOf(intFile), qat.weightSparsity(), intFile)
                .withNonzeroWeights(VariantRun.nonzeroWeights(intModel)).withMeasurements(intRun.measurements())
                .withPerTensorLayers(intModel.perTensorLayers()));
        metadata.put(intName, intModel.metadata());
        for (Path ptqFile : ExportStage.ptqFiles(ctx.stageDir("export"))) {
            IntegerModel ptqModel = IntegerModelIO.read(ptqFile);
            Variant ptq = ptqVariant(ptqFile, ptqModel, ctx.stageDir("student-qat"), test, info, teacher, settings);
            variants.add(ptq);
            metadata.put(ptq.name(), ptqModel.metadata());
        }
        Optional<ExportedArtifacts> index = ExportedArtifacts.read(ctx.stageDir("export"));
        for (ExportedArtifacts.Entry e : index.map(ExportedArtifacts::variants).orElse(List.of())) {
            // integer variants export added beyond the QAT and PTQ ones (a per-tensor form a profile needs)
            String dint = e.files().get("dint");
            if (dint == null || variants.stream().anyMatch(v -> v.name().equals(e.variant()))) {
                continue;
            }
            Path file = ctx.stageDir("export").resolve(dint);
            IntegerModel model = IntegerModelIO.read(file);
            VariantRun run;
            try (InferenceRunner runner = Runners.integer(model)) {
                run = VariantRun.of(runner, List.of(runner), test.features(), test.labels(), info.numClasses(),
                        teacher, settings);
            }
            Precision precision = integerPrecision(model, file);
            variants.add(Variant.of(e.variant(), precision == Precision.INT4 ? Variant.STUDENT_INT4
                            : Variant.STUDENT_INT8, precision, model.architecture(), run.metrics(), sizeOf(file),
                            qat.weightSparsity(), file)
                    .withNonzeroWeights(VariantRun.nonzeroWeights(model)).withMeasurements(run.measurements())
                    .withPerTensorLayers(model.perTensorLayers()));
            metadata.put(e.variant(), model.metadata());
        }
        variants = withLineage(variants, metadata, ctx.outRoot());
        double fakeQuantAccuracy = ClassificationMetrics.of(test.labels(), fakeQuant, info.numClasses()).accuracy();
        double agreement = ClassificationMetrics.agreement(fakeQuant, intRun.predictions());

        List<HardwareProfile> profiles = profiles(ctx);
        HardwareProfile host = ProfileLoader.load(ctx.resolve(ev.profilesDir()), ev.hostProfile());
        ReportBuilder builder = new ReportBuilder("Distillery report: " + cfg.name());
        if (index.isPresent()) {
            builder.artifacts(index.get().byFormat(ctx.stageDir("export"), "export"));
            DeviceMeasuring.Result measured = DeviceMeasuring.measure(ctx, ctx.stageDir("export"), index.get(),
                    profiles, test.features());
            builder.deviceMeasurements(measured.measurements());
            if (!measured.skipped().isEmpty()) {
                builder.note("device_measurements_skipped", String.join("; ", measured.skipped()));
            }
            result.metric("device_measurements", measured.measurements().size());
        }
        Report report = builder
                .created(Instant.now())
                .configHash(cfg.hashOf("seed", "data", "teacher", "student", "distill", "prune", "qat", "evaluation"))
                .dataset(info.source() + " (" + info.numClasses() + " classes, " + info.channels() + "x" + info.height()
                        + "x" + info.width() + ", test rows " + test.size() + ")")
                .classNames(info.classNames())
                .variants(variants)
                .profiles(profiles)
                .hostProfile(host)
                .minAccuracy(ev.minAccuracy())
                .maxLatencyMs(ev.maxLatencyMs())
                .maxAccuracyDrop(ev.maxAccuracyDrop())
                .requiredProfiles(ev.requiredProfiles())
                .deploymentContext(ev.downloadLinksBps(), ev.inferencesPerDay())
                .note("qat_fake_quant_accuracy", String.format("%.4f", fakeQuantAccuracy))
                .note("int8_vs_fake_quant_agreement", String.format("%.4f", agreement))
                .note("distillation", "T=" + cfg.distill().temperature() + ", alpha=" + cfg.distill().alpha()
                        + hintNote(cfg.distill().hint()))
                .note("seed", String.valueOf(cfg.seed()))
                .build();
        ReportWriter.write(report, workDir);
        for (Variant v : variants) {
            result.metric("accuracy_" + v.name(), v.accuracy());
        }
        result.metric("qat_fake_quant_accuracy", fakeQuantAccuracy).metric("int8_vs_fake_quant_agreement", agreement);
        List<String> failing = report.failedRequiredProfiles();
        if (!failing.isEmpty()) {
            ctx.console().printf("  GATE FAILED: required profile(s) %s have no passing student variant%n", failing);
            result.metric("failed_required_profiles", failing).exitCode(DistilleryException.EXIT_GATE_FAILED);
        }
        result.output("report_json", "report.json").output("report_md", "report.md")
                .output("report_html", "report.html");
        for (String card : ReportWriter.modelCardFiles(report)) {
            result.output(card.replace('-', '_').replace(".md", ""), card);
        }
        return result;
    }

    /** Each variant with the lineage and teachers its model file records (see {@link ModelLineage}). */
    static List<Variant> withLineage(List<Variant> variants, Map<String, Map<String, String>> metadata, Path runRoot) {
        Map<Path, String> sources = new HashMap<>();
        for (Variant v : variants) {
            if (v.source() != null) {
                sources.put(v.source().toAbsolutePath().normalize(), v.name());
            }
        }
        List<Variant> out = new ArrayList<>();
        for (Variant v : variants) {
            Map<String, String> meta = metadata.getOrDefault(v.name(), Map.of());
            out.add(v.withLineage(ModelLineage.resolve(runRoot, meta, sources))
                    .withTeachers(ModelLineage.teacherSet(meta, v.source())));
        }
        return out;
    }

    private static VariantRun floatRun(ModelArtifact model, Examples.LocalExamples test, DatasetInfo info,
                                       int[] teacher, VariantRun.Settings settings) {
        try (InferenceRunner sameDiff = Runners.sameDiff(model); InferenceRunner onnx = Runners.onnx(model)) {
            return VariantRun.of(sameDiff, List.of(sameDiff, onnx), test.features(), test.labels(),
                    info.numClasses(), teacher, settings);
        }
    }

    private static Variant floatVariant(String name, String kind, ModelArtifact model, Path file, VariantRun run) {
        return Variant.of(name, kind, Precision.FP32, model.architecture(), run.metrics(), sizeOf(file),
                model.weightSparsity(), file)
                .withNonzeroWeights(VariantRun.nonzeroWeights(model)).withMeasurements(run.measurements());
    }

    private static String hintNote(dev.distillery.core.config.HintConfig hint) {
        return hint.enabled() ? "; student-kd-hint adds a hint from teacher L" + hint.teacherIndex() + " to student L"
                + hint.studentIndex() + ", weight " + hint.weight() : "";
    }

    /** A post-training-quantization variant, judged and timed in the integer runtime on its exported file. */
    private static Variant ptqVariant(Path file, IntegerModel model, Path qatDir, Examples.LocalExamples test,
                                      DatasetInfo info, int[] teacher, VariantRun.Settings settings) {
        VariantRun run;
        try (InferenceRunner runner = Runners.integer(model)) {
            run = VariantRun.of(runner, List.of(runner), test.features(), test.labels(), info.numClasses(), teacher,
                    settings);
        }
        String base = file.getFileName().toString().replaceFirst("\\.dint$", "");
        double sparsity = ModelIO.read(qatDir.resolve(QatStage.PTQ_DIR).resolve(base + ".dmodel"), DistillStage.KIND)
                .weightSparsity();
        Precision precision = integerPrecision(model, file);
        return Variant.of("student-" + base, precision == Precision.INT4 ? Variant.STUDENT_INT4 : Variant.STUDENT_INT8,
                        precision, model.architecture(), run.metrics(), sizeOf(file), sparsity, file)
                .withNonzeroWeights(VariantRun.nonzeroWeights(model)).withMeasurements(run.measurements())
                .withPerTensorLayers(model.perTensorLayers());
    }

    /** The variant's precision from the integer model's own header (its weight width), not from the config. */
    static Precision integerPrecision(IntegerModel model, Path file) {
        return switch (model.weightBits()) {
            case 8 -> Precision.INT8;
            case 4 -> Precision.INT4;
            default -> throw new DataContractException("integer model " + file + " has " + model.weightBits()
                    + "-bit weights; evaluate reports int8 or int4 (8- or 4-bit weights)");
        };
    }

    /** The size of a variant's file; a file that vanished after loading is a broken run folder, not size 1. */
    static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataContractException("model file " + file + " is missing: evaluate reports the size of every"
                    + " variant's file; re-run the stage that writes it", e);
        } catch (java.io.IOException e) {
            throw new TransientFailureException("could not read the size of " + file + ": " + e.getMessage(), e);
        }
    }
}
