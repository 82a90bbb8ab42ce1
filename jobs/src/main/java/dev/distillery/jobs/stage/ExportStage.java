package dev.distillery.jobs.stage;

import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.student.onnx.OnnxExporter;
import dev.distillery.student.onnx.OnnxQdqExporter;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.IntegerModelIO;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * export: the QAT model as an integer-only model file and as a quantized (QDQ) ONNX model, every
 * post-training-quantization variant as an integer model file, and the float KD student as ONNX.
 */
public final class ExportStage implements Stage {
    public static final String INT8_MODEL = "student-int8.dint";
    public static final String ONNX_MODEL = "student-kd.onnx";
    public static final String QDQ_MODEL = "student-int8-qdq.onnx";
    /** Folder of the integer files of the post-training-quantization variants. */
    public static final String PTQ_DIR = "ptq";

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
        return List.of(ctx.stageDir("student"), ctx.stageDir("student-qat"));
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        ModelArtifact qat = ModelIO.read(ctx.stageDir("student-qat").resolve(QatStage.MODEL), DistillStage.KIND);
        IntegerModel integer = IntegerConverter.convert(qat);
        IntegerModelIO.write(integer, workDir.resolve(INT8_MODEL));
        OnnxQdqExporter.export(integer, workDir.resolve(QDQ_MODEL));
        ModelArtifact kd = ModelIO.read(ctx.stageDir("student").resolve(DistillStage.KD_MODEL), DistillStage.KIND);
        OnnxExporter.export(kd, workDir.resolve(ONNX_MODEL));
        List<Path> ptq = QatStage.ptqModels(ctx.stageDir("student-qat"));
        if (!ptq.isEmpty()) {
            try {
                Files.createDirectories(workDir.resolve(PTQ_DIR));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (Path file : ptq) {
            String name = file.getFileName().toString().replaceFirst("\\.dmodel$", ".dint");
            IntegerModelIO.write(IntegerConverter.convert(ModelIO.read(file, DistillStage.KIND)),
                    workDir.resolve(PTQ_DIR).resolve(name));
        }
        return new StageResult()
                .metric("int8_bytes", workDir.resolve(INT8_MODEL).toFile().length())
                .metric("onnx_bytes", workDir.resolve(ONNX_MODEL).toFile().length())
                .metric("qdq_onnx_bytes", workDir.resolve(QDQ_MODEL).toFile().length())
                .metric("ptq_variants", ptq.size())
                .output("int8", INT8_MODEL).output("onnx", ONNX_MODEL).output("qdq_onnx", QDQ_MODEL);
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
