package dev.distillery.jobs.stage;

import dev.distillery.core.data.Examples;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.evaluation.profile.ProfileLoader;
import dev.distillery.evaluation.report.Lineage;
import dev.distillery.evaluation.report.Variant;
import dev.distillery.student.mcu.CExporter;
import dev.distillery.student.onnx.OnnxExporter;
import dev.distillery.student.onnx.OnnxQdqExporter;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.IntegerModelIO;
import dev.distillery.student.tflite.TensorQuantization;
import dev.distillery.student.tflite.TfliteExporter;
import dev.distillery.student.tflite.TfliteIo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * export: the QAT model as an integer-only model file and as a quantized (QDQ) ONNX model, both named by the
 * model's weight width ({@code student-int8.dint} or {@code student-int4.dint}), every post-training-quantization
 * variant the same way under {@code ptq/}, each integer variant also as a full-integer TFLite flatbuffer and as C99
 * sources for microcontrollers ({@code c/<prefix>/}), every float student as ONNX, and an index of it all
 * ({@link ExportedArtifacts}).
 */
public final class ExportStage implements Stage {
    public static final StageFolder OUTPUT = new StageFolder("export");
    public static final String ONNX_MODEL = "student-kd.onnx";
    /** Folder of the C sources, one sub-folder per integer variant. */
    public static final String C_DIR = "c";
    /** Training rows whose logits set the range of the TFLite file's quantized output. */
    static final int OUTPUT_CALIBRATION_ROWS = 1000;
    /** Folder of the integer files of the post-training-quantization variants. */
    public static final StageFile PTQ_DIR = OUTPUT.file("ptq");

    /** File of the QAT integer model whose conv2d and dense weights have {@code weightBits} bits. */
    public static String integerModel(int weightBits) {
        return "student-int" + weightBits + ".dint";
    }

    /** File of the QDQ ONNX form of that model (int4 codes are stored in int8 tensors, as opset 13 requires). */
    public static String qdqModel(int weightBits) {
        return "student-int" + weightBits + "-qdq.onnx";
    }

    @Override
    public String name() {
        return "export";
    }

    @Override
    public StageFolder output() {
        return OUTPUT;
    }

    @Override
    public List<String> configSections() {
        return List.of("qat", "ptq");
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        List<Path> in = new ArrayList<>(List.of(PrepareStage.OUTPUT.dir(ctx), DistillStage.OUTPUT.dir(ctx),
                QatStage.OUTPUT.dir(ctx)));
        if (ctx.config().prune().enabled()) {
            in.add(PruneStage.OUTPUT.dir(ctx));
        }
        // the configured profiles decide whether a per-tensor variant must be added
        Path profiles = ctx.resolve(ctx.config().evaluation().profilesDir());
        for (String id : ctx.config().evaluation().profiles()) {
            in.add(profiles.resolve(id + ".yaml"));
        }
        return in;
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        List<ExportedArtifacts.Entry> entries = new ArrayList<>();
        StageResult result = new StageResult();
        // the TFLite file's int8 output needs a range for the logits: the integer model's logits on training rows
        float[][] calibration = Examples.collect(Examples.load(ctx.spark(), PrepareStage.OUTPUT.dir(ctx), Examples.TRAIN)
                .orderBy("id").limit(OUTPUT_CALIBRATION_ROWS)).features();
        ModelArtifact qat = null;
        IntegerModel integer = null;
        int ptqVariants = 0;
        for (UpstreamModels.Model quantized : UpstreamModels.of(ctx, new QatStage())) {
            ModelArtifact model = ModelIO.read(quantized.path(ctx), DistillStage.KIND);
            IntegerModel converted = converted(model, quantized.file());
            String variant;
            StageFile dint;
            StageFile qdq;
            if (QatFineTuning.KIND.equals(quantized.kind())) {
                qat = model;
                integer = converted;
                variant = "student-int" + converted.weightBits();
                dint = OUTPUT.file(integerModel(converted.weightBits()));
                qdq = OUTPUT.file(qdqModel(converted.weightBits()));
            } else {
                variant = quantized.variant();
                String base = quantized.variant().replaceFirst("^student-", "");
                dint = PTQ_DIR.child(base + ".dint");
                qdq = PTQ_DIR.child(base + "-qdq.onnx");
                ptqVariants++;
            }
            entries.add(exportInteger(converted, variant, workDir, dint, qdq, calibration, result));
        }
        if (qat == null) {
            throw new DataContractException(QatStage.OUTPUT.dir(ctx) + "/" + dev.distillery.core.manifest.ManifestIO.FILE
                    + " lists no quantization-aware model (kind " + QatFineTuning.KIND + "); run qat --force");
        }
        if (needsPerTensorVariant(ctx, entries, workDir)) {
            // a configured profile takes some layers per tensor only and no variant has such weights: quantize the
            // QAT model's weights per tensor with its calibrated ranges, so that profile has a variant it can run
            var q = qat.quant();
            ModelArtifact perTensor = qat.withQuant(new QuantSpec(q.weightBits(), q.activationBits(), q.activationMax(),
                    q.activationMin(), true, q.depthwiseWeightBits()));
            IntegerModel model = converted(perTensor, QatStage.MODEL);
            String base = "student-int" + model.weightBits() + "-per_tensor";
            entries.add(exportInteger(model, base, workDir, OUTPUT.file(base + ".dint"),
                    OUTPUT.file(base + "-qdq.onnx"), calibration, result));
            ctx.console().printf("  export: %s added, since a configured profile takes per-tensor weights only%n",
                    base);
        }
        for (UpstreamModels.Model s : FloatStudents.of(ctx)) {
            OnnxExporter.export(ModelIO.read(s.path(ctx), DistillStage.KIND), workDir.resolve(FloatStudents.onnxFile(s)));
            entries.add(new ExportedArtifacts.Entry(s.variant(), "fp32", Map.of("onnx", FloatStudents.onnxFile(s)),
                    null, null));
        }
        new ExportedArtifacts(entries).write(workDir);
        String intFile = integerModel(integer.weightBits());
        String qdqFile = qdqModel(integer.weightBits());
        return result
                .metric("int" + integer.weightBits() + "_bytes", workDir.resolve(intFile).toFile().length())
                .metric("onnx_bytes", workDir.resolve(ONNX_MODEL).toFile().length())
                .metric("qdq_onnx_bytes", workDir.resolve(qdqFile).toFile().length())
                .metric("ptq_variants", ptqVariants)
                .output("onnx", ONNX_MODEL).output("qdq_onnx", qdqFile)
                .output("artifacts", ExportedArtifacts.FILE);
    }

    /**
     * Writes one integer variant in every integer format (integer model, QDQ ONNX, full-integer TFLite next to it,
     * C sources under {@code c/<prefix>/}) and returns its index entry. The TFLite and C exporters check the model
     * before writing, so a layer either cannot take fails the stage with its name and nothing of it is kept.
     */
    private static ExportedArtifacts.Entry exportInteger(IntegerModel model, String variant, Path workDir,
                                                         StageFile dint, StageFile qdq, float[][] calibration,
                                                         StageResult result) {
        String dintFile = dint.name();
        String qdqFile = qdq.name();
        createParent(dint.in(workDir));
        IntegerModelIO.write(model, dint.in(workDir));
        // the integer models evaluate judges, listed (and hashed) in the manifest; the QAT one keeps its old key
        String key = variant.equals("student-int" + model.weightBits()) ? "int" + model.weightBits()
                : variant.replaceFirst("^student-", "").replace('-', '_');
        result.model(key, variant, model.weightBits() == 4 ? Variant.STUDENT_INT4 : Variant.STUDENT_INT8, dint);
        OnnxQdqExporter.export(model, workDir.resolve(qdqFile));
        String tfliteFile = dintFile.replaceFirst("\\.dint$", ".tflite");
        TfliteIo io = TfliteExporter.export(model, calibration, workDir.resolve(tfliteFile));
        String prefix = cPrefix(variant);
        CExporter.export(model, prefix, workDir.resolve(C_DIR).resolve(prefix));
        Map<String, String> files = new LinkedHashMap<>();
        files.put("dint", dintFile);
        files.put("onnx", qdqFile);
        files.put("tflite", tfliteFile);
        files.put("c", C_DIR + "/" + prefix + "/" + prefix + ".c");
        files.put("c_header", C_DIR + "/" + prefix + "/" + prefix + ".h");
        return new ExportedArtifacts.Entry(variant, "int" + model.weightBits(), files, uint8(io.input()),
                uint8(io.output()));
    }

    /**
     * Whether a configured profile's toolchain takes some operator per tensor only while no integer variant so far
     * quantizes every weighted layer per tensor.
     */
    private static boolean needsPerTensorVariant(StageContext ctx, List<ExportedArtifacts.Entry> entries,
                                                 Path workDir) {
        var ev = ctx.config().evaluation();
        boolean needed = ProfileLoader.loadAll(ctx.resolve(ev.profilesDir()), ev.profiles()).stream()
                .anyMatch(p -> !p.toolchain().perTensorWeights().isEmpty());
        if (!needed) {
            return false;
        }
        for (ExportedArtifacts.Entry e : entries) {
            IntegerModel m = IntegerModelIO.read(workDir.resolve(e.files().get("dint")));
            if (m.perTensorLayers().size() == m.layers().size()) {
                return false;
            }
        }
        return true;
    }

    private static ExportedArtifacts.IoQuantization uint8(TensorQuantization q) {
        return new ExportedArtifacts.IoQuantization("uint8", q.scale(), q.zeroPoint());
    }

    /** The C identifier prefix of a variant's sources: {@code student-ptq-minmax-per_channel} → {@code student_ptq_minmax_per_channel}. */
    static String cPrefix(String variant) {
        return variant.replaceAll("[^A-Za-z0-9_]", "_");
    }

    private static void createParent(Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The integer-only form of a quantized model, recording that it was converted from {@code from}. */
    private static IntegerModel converted(ModelArtifact model, StageFile from) {
        IntegerModel m = IntegerConverter.convert(model);
        Map<String, String> meta = new LinkedHashMap<>(m.metadata());
        meta.putAll(ModelLineage.of(from, Lineage.DERIVED, "integer-conversion", "conversion to integer-only"
                + " arithmetic (int" + m.weightBits() + " weights, int32 accumulators and biases, fixed-point"
                + " requantization)"));
        return new IntegerModel(m.architecture(), m.weightBits(), m.activationBits(), m.inputScale(),
                m.inputZeroPoint(), m.layers(), meta);
    }

}
