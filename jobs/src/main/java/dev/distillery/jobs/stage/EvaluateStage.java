package dev.distillery.jobs.stage;

import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.core.engine.InferenceRunner;
import dev.distillery.core.engine.RuntimeOptions;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.DistilleryException;
import dev.distillery.core.error.TransientFailureException;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.train.SparkTrainer;
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
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.IntegerModelIO;
import dev.distillery.teacher.onnx.OnnxTeacherFile;
import dev.distillery.teacher.train.TeacherTraining;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * evaluate: every variant's accuracy on the test split, its size and MACs, and its fit, latency and gate result
 * on each configured hardware profile; writes report.json, report.md and report.html. Exits 4 when a required
 * profile has no passing variant.
 */
public final class EvaluateStage implements Stage {
    /** Variants whose test pass runs at a time. */
    static final int PARALLEL_PASSES = 2;
    public static final StageFolder OUTPUT = new StageFolder("reports");
    public static final StageFile REPORT_JSON = OUTPUT.file("report.json");
    public static final StageFile REPORT_MD = OUTPUT.file("report.md");
    public static final StageFile REPORT_HTML = OUTPUT.file("report.html");

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public StageFolder output() {
        return OUTPUT;
    }

    @Override
    public List<String> configSections() {
        return List.of("name", "distill", "evaluation");
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        List<Path> in = new ArrayList<>(List.of(PrepareStage.OUTPUT.dir(ctx)));
        in.addAll(Teachers.inputs(ctx));
        in.addAll(List.of(DistillStage.OUTPUT.dir(ctx), QatStage.OUTPUT.dir(ctx), ExportStage.OUTPUT.dir(ctx)));
        if (ctx.config().prune().enabled()) {
            in.add(PruneStage.OUTPUT.dir(ctx));
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
    public Map<String, String> remoteInputs(StageContext ctx) {
        return Teachers.remoteDigests(ctx);
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
        Path prepared = PrepareStage.OUTPUT.dir(ctx);
        DatasetInfo info = Examples.info(prepared);
        Examples.LocalExamples test = Examples.collect(Examples.load(ctx.spark(), prepared, Examples.TEST));
        StageResult result = new StageResult().rows("test_rows", test.size());
        VariantRun.Settings settings = new VariantRun.Settings(ev.bootstrapResamples(), cfg.seed(), 20,
                ev.latencyRuns(), 1000);
        List<Variant> variants = new ArrayList<>();
        // each variant's model-file metadata: where it came from and which teachers it learned from
        Map<String, Map<String, String>> metadata = new HashMap<>();

        Map<String, Future<VariantRun>> passes = new LinkedHashMap<>();
        Map<String, ModelArtifact> floats = new LinkedHashMap<>();
        Map<String, Path> floatFiles = new LinkedHashMap<>();
        Map<String, String> floatKinds = new LinkedHashMap<>();
        // an ONNX teacher runs in ONNX Runtime alone; a Distillery teacher is one more float model
        OnnxTeacherFile onnxTeacher = Teachers.onnx(ctx) ? Teachers.onnxFile(ctx, info) : null;
        if (onnxTeacher == null) {
            Path teacherFile = TrainTeacherStage.MODEL.path(ctx);
            floats.put("teacher", ModelIO.read(teacherFile, TeacherTraining.KIND));
            floatFiles.put("teacher", teacherFile);
            floatKinds.put("teacher", Variant.TEACHER);
        }
        for (UpstreamModels.Model s : FloatStudents.of(ctx)) {
            Path file = s.path(ctx);
            ModelArtifact model = ModelIO.read(file, DistillStage.KIND);
            floats.put(s.variant(), model);
            floatFiles.put(s.variant(), file);
            floatKinds.put(s.variant(), s.kind());
            metadata.put(s.variant(), model.metadata());
        }
        ModelArtifact qat = ModelIO.read(QatStage.MODEL.path(ctx), DistillStage.KIND);
        List<UpstreamModels.Model> integers = UpstreamModels.of(ctx, new ExportStage());
        Map<String, IntegerModel> integerModels = new LinkedHashMap<>();
        for (UpstreamModels.Model m : integers) {
            integerModels.put(m.variant(), IntegerModelIO.read(m.path(ctx)));
        }
        // Every variant's pass over the test rows runs two at a time (each with its own runner); latency is timed
        // afterwards, one runner at a time, so that no timing shares the cores with other work.
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_PASSES);
        Future<int[]> fakeQuantPass;
        try {
            if (onnxTeacher != null) {
                passes.put("teacher", pool.submit(() -> {
                    try (InferenceRunner runner = Teachers.runner(ctx, onnxTeacher, info)) {
                        return VariantRun.accuracy(runner, test.features(), test.labels(), info.numClasses(),
                                settings);
                    }
                }));
            }
            floats.forEach((name, model) -> passes.put(name, pool.submit(() -> {
                // the accuracy pass runs the ONNX export in ONNX Runtime (one thread: two passes share the cores),
                // faster than SameDiff on the same model; its logits match SameDiff's to 1e-4 relative (OnnxExporterTest)
                try (InferenceRunner runner = Runners.onnx(model, RuntimeOptions.PER_TASK)) {
                    return VariantRun.accuracy(runner, test.features(), test.labels(), info.numClasses(), settings);
                }
            })));
            fakeQuantPass = pool.submit(() -> SparkTrainer.predict(Engines.network().forInference(qat.architecture(),
                    qat.params(), new FakeQuantHooks(qat.quant())), test.features(), 1000));
            integerModels.forEach((name, model) -> passes.put(name, pool.submit(() -> {
                try (InferenceRunner runner = Runners.integer(model)) {
                    return VariantRun.accuracy(runner, test.features(), test.labels(), info.numClasses(), settings);
                }
            })));
            for (Future<VariantRun> f : passes.values()) {
                Futures.get(f, "evaluating");
            }
            Futures.get(fakeQuantPass, "evaluating");
        } finally {
            // after a failure, let the other pass stop before the stage reports it
            Futures.stop(pool);
        }
        int[] teacher = Futures.get(passes.get("teacher"), "evaluating").predictions();
        if (onnxTeacher != null) {
            VariantRun run;
            try (InferenceRunner onnx = Teachers.runner(ctx, onnxTeacher, info)) {
                run = Futures.get(passes.get("teacher"), "evaluating").timed(List.of(onnx), test.features(), settings);
            }
            Path local = Teachers.inputs(ctx).isEmpty() ? null : Teachers.inputs(ctx).get(0);
            variants.add(Variant.foreignTeacher("teacher", run.metrics(), onnxTeacher.parameters(),
                    onnxTeacher.bytes().length, local).withMeasurements(run.measurements()));
        }
        for (var e : floats.entrySet()) {
            String name = e.getKey();
            VariantRun run;
            try (InferenceRunner sameDiff = Runners.sameDiff(e.getValue());
                 InferenceRunner onnx = Runners.onnx(e.getValue())) {
                run = Futures.get(passes.get(name), "evaluating").withTeacher(name.equals("teacher") ? null : teacher)
                        .timed(List.of(sameDiff, onnx), test.features(), settings);
            }
            variants.add(floatVariant(name, floatKinds.get(name), e.getValue(), floatFiles.get(name), run));
        }
        int[] fakeQuant = Futures.get(fakeQuantPass, "evaluating");
        // export names the QAT model's integer form by its weight width: student-int8 or student-int4
        String qatVariant = "student-int" + qat.quant().weightBits();
        VariantRun intRun = null;
        for (UpstreamModels.Model m : integers) {
            Path file = m.path(ctx);
            IntegerModel model = integerModels.get(m.variant());
            VariantRun run;
            try (InferenceRunner runner = Runners.integer(model)) {
                run = Futures.get(passes.get(m.variant()), "evaluating").withTeacher(teacher)
                        .timed(List.of(runner), test.features(), settings);
            }
            variants.add(Variant.of(m.variant(), m.kind(), integerPrecision(model, file), model.architecture(),
                            run.metrics(), sizeOf(file), sourceSparsity(ctx.outRoot(), model, file), file)
                    .withNonzeroWeights(VariantRun.nonzeroWeights(model)).withMeasurements(run.measurements())
                    .withPerTensorLayers(model.perTensorLayers()));
            metadata.put(m.variant(), model.metadata());
            if (m.variant().equals(qatVariant)) {
                intRun = run;
            }
        }
        if (intRun == null) {
            throw new DataContractException(ExportStage.OUTPUT.dir(ctx) + " lists no " + qatVariant + " model for "
                    + QatStage.MODEL.relative() + "; run export --force");
        }
        Optional<ExportedArtifacts> index = ExportedArtifacts.read(ExportStage.OUTPUT.dir(ctx));
        variants = withLineage(variants, metadata, ctx.outRoot());
        double fakeQuantAccuracy = ClassificationMetrics.of(test.labels(), fakeQuant, info.numClasses()).accuracy();
        double agreement = ClassificationMetrics.agreement(fakeQuant, intRun.predictions());

        List<HardwareProfile> profiles = profiles(ctx);
        HardwareProfile host = ProfileLoader.load(ctx.resolve(ev.profilesDir()), ev.hostProfile());
        ReportBuilder builder = new ReportBuilder("Distillery report: " + cfg.name());
        if (index.isPresent()) {
            builder.artifacts(index.get().byFormat(ExportStage.OUTPUT.dir(ctx), "export"));
            DeviceMeasuring.Result measured = DeviceMeasuring.measure(ctx, ExportStage.OUTPUT.dir(ctx), index.get(),
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
        result.output("report_json", REPORT_JSON.name()).output("report_md", REPORT_MD.name())
                .output("report_html", REPORT_HTML.name());
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

    private static Variant floatVariant(String name, String kind, ModelArtifact model, Path file, VariantRun run) {
        return Variant.of(name, kind, Precision.FP32, model.architecture(), run.metrics(), sizeOf(file),
                model.weightSparsity(), file)
                .withNonzeroWeights(VariantRun.nonzeroWeights(model)).withMeasurements(run.measurements());
    }

    private static String hintNote(dev.distillery.core.config.HintConfig hint) {
        return hint.enabled() ? "; student-kd-hint adds a hint from teacher L" + hint.teacherIndex() + " to student L"
                + hint.studentIndex() + ", weight " + hint.weight() : "";
    }

    /**
     * The weight sparsity of the float model an integer model was converted from (its lineage names the file): the
     * sparsity pruning left, before quantization rounds more weights to zero.
     */
    static double sourceSparsity(Path runRoot, IntegerModel model, Path file) {
        String from = model.metadata().get(ModelLineage.FROM);
        if (from == null) {
            throw new DataContractException("integer model " + file + " does not record the model it was converted"
                    + " from (" + ModelLineage.FROM + "); run export --force");
        }
        return ModelIO.read(runRoot.resolve(from), DistillStage.KIND).weightSparsity();
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
