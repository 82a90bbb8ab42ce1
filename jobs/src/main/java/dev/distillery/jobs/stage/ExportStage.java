package dev.distillery.jobs.stage;

import dev.distillery.core.data.Examples;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.evaluation.profile.ProfileLoader;
import dev.distillery.evaluation.report.Lineage;
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
    public static final String ONNX_MODEL = "student-kd.onnx";
    /** Folder of the C sources, one sub-folder per integer variant. */
    public static final String C_DIR = "c";
    /** Training rows whose logits set the range of the TFLite file's quantized output. */
    static final int OUTPUT_CALIBRATION_ROWS = 1000;
    /** Folder of the integer files of the post-training-quantization variants. */
    public static final String PTQ_DIR = "ptq";

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
    public String outputDir() {
        return "export";
    }

    @Override
    public List<String> configSections() {
        return List.of("qat", "ptq");
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        List<Path> in = new ArrayList<>(List.of(ctx.stageDir("prepared"), ctx.stageDir("student"),
                ctx.stageDir("student-qat")));
        if (ctx.config().prune().enabled()) {
            in.add(ctx.stageDir("student-pruned"));
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
        // the TFLite file's int8 output needs a range for the logits: the integer model's logits on training rows
        float[][] calibration = Examples.collect(Examples.load(ctx.spark(), ctx.stageDir("prepared"), Examples.TRAIN)
                .orderBy("id").limit(OUTPUT_CALIBRATION_ROWS)).features();
        ModelArtifact qat = ModelIO.read(ctx.stageDir("student-qat").resolve(QatStage.MODEL), DistillStage.KIND);
        IntegerModel integer = converted(qat, "student-qat", QatStage.MODEL);
        String intFile = integerModel(integer.weightBits());
        String qdqFile = qdqModel(integer.weightBits());
        entries.add(exportInteger(integer, "student-int" + integer.weightBits(), workDir, intFile, qdqFile,
                calibration));
        List<Path> ptq = QatStage.ptqModels(ctx.stageDir("student-qat"));
        if (!ptq.isEmpty()) {
            try {
                Files.createDirectories(workDir.resolve(PTQ_DIR));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (Path file : ptq) {
            String base = file.getFileName().toString().replaceFirst("\\.dmodel$", "");
            IntegerModel model = converted(ModelIO.read(file, DistillStage.KIND), "student-qat/" + QatStage.PTQ_DIR,
                    file.getFileName().toString());
            entries.add(exportInteger(model, "student-" + base, workDir, PTQ_DIR + "/" + base + ".dint",
                    PTQ_DIR + "/" + base + "-qdq.onnx", calibration));
        }
        if (needsPerTensorVariant(ctx, entries, workDir)) {
            // a configured profile takes some layers per tensor only and no variant has such weights: quantize the
            // QAT model's weights per tensor with its calibrated ranges, so that profile has a variant it can run
            var q = qat.quant();
            ModelArtifact perTensor = qat.withQuant(new QuantSpec(q.weightBits(), q.activationBits(), q.activationMax(),
                    q.activationMin(), true, q.depthwiseWeightBits()));
            IntegerModel model = converted(perTensor, "student-qat", QatStage.MODEL);
            String base = "student-int" + model.weightBits() + "-per_tensor";
            entries.add(exportInteger(model, base, workDir, base + ".dint", base + "-qdq.onnx", calibration));
            ctx.console().printf("  export: %s added, since a configured profile takes per-tensor weights only%n",
                    base);
        }
        for (FloatStudents.Entry s : FloatStudents.of(ctx)) {
            OnnxExporter.export(ModelIO.read(s.path(ctx), DistillStage.KIND), workDir.resolve(s.onnxFile()));
            entries.add(new ExportedArtifacts.Entry(s.name(), "fp32", Map.of("onnx", s.onnxFile()), null, null));
        }
        new ExportedArtifacts(entries).write(workDir);
        return new StageResult()
                .metric("int" + integer.weightBits() + "_bytes", workDir.resolve(intFile).toFile().length())
                .metric("onnx_bytes", workDir.resolve(ONNX_MODEL).toFile().length())
                .metric("qdq_onnx_bytes", workDir.resolve(qdqFile).toFile().length())
                .metric("ptq_variants", ptq.size())
                .output("int" + integer.weightBits(), intFile).output("onnx", ONNX_MODEL).output("qdq_onnx", qdqFile)
                .output("artifacts", ExportedArtifacts.FILE);
    }

    /**
     * Writes one integer variant in every integer format (integer model, QDQ ONNX, full-integer TFLite next to it,
     * C sources under {@code c/<prefix>/}) and returns its index entry. The TFLite and C exporters check the model
     * before writing, so a layer either cannot take fails the stage with its name and nothing of it is kept.
     */
    private static ExportedArtifacts.Entry exportInteger(IntegerModel model, String variant, Path workDir,
                                                         String dintFile, String qdqFile, float[][] calibration) {
        IntegerModelIO.write(model, workDir.resolve(dintFile));
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

    /** The integer-only form of a quantized model, recording that it was converted from {@code dir/file}. */
    private static IntegerModel converted(ModelArtifact model, String dir, String file) {
        IntegerModel m = IntegerConverter.convert(model);
        Map<String, String> meta = new LinkedHashMap<>(m.metadata());
        meta.putAll(ModelLineage.of(dir, file, Lineage.DERIVED, "integer-conversion", "conversion to integer-only"
                + " arithmetic (int" + m.weightBits() + " weights, int32 accumulators and biases, fixed-point"
                + " requantization)"));
        return new IntegerModel(m.architecture(), m.weightBits(), m.activationBits(), m.inputScale(),
                m.inputZeroPoint(), m.layers(), meta);
    }

    /** The integer files of the PTQ variants the stage wrote, in name order. */
    static List<Path> ptqFiles(Path stageDir) {
        Path dir = stageDir.resolve(PTQ_DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".dint")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
