package dev.distillery.jobs.stage;

import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.student.onnx.OnnxExporter;
import dev.distillery.student.quant.IntegerConverter;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.IntegerModelIO;

import java.nio.file.Path;
import java.util.List;

/** export: the QAT model as an integer-only model file, and the float KD student as ONNX. */
public final class ExportStage implements Stage {
    public static final String INT8_MODEL = "student-int8.dint";
    public static final String ONNX_MODEL = "student-kd.onnx";

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
        return List.of("qat");
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
        ModelArtifact kd = ModelIO.read(ctx.stageDir("student").resolve(DistillStage.KD_MODEL), DistillStage.KIND);
        OnnxExporter.export(kd, workDir.resolve(ONNX_MODEL));
        return new StageResult()
                .metric("int8_bytes", workDir.resolve(INT8_MODEL).toFile().length())
                .metric("onnx_bytes", workDir.resolve(ONNX_MODEL).toFile().length())
                .output("int8", INT8_MODEL).output("onnx", ONNX_MODEL);
    }
}
