package dev.distillery.jobs.stage;

import dev.distillery.core.data.Examples;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.teacher.label.SoftLabeler;
import dev.distillery.teacher.train.TeacherTraining;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/** label: the teacher's raw logits for every train and validation row, as Parquet with the teacher's identity. */
public final class LabelStage implements Stage {
    public static final String PARQUET = "labels";
    public static final String META = "soft-labels.json";

    @Override
    public String name() {
        return "label";
    }

    @Override
    public String outputDir() {
        return "soft-labels";
    }

    @Override
    public List<String> configSections() {
        return List.of("teacher");
    }

    @Override
    public List<Path> inputs(StageContext ctx) {
        return List.of(ctx.stageDir("prepared"), ctx.stageDir("teacher"));
    }

    @Override
    public StageResult run(StageContext ctx, Path workDir) {
        Path teacherFile = ctx.stageDir("teacher").resolve(TrainTeacherStage.MODEL);
        ModelArtifact teacher = ModelIO.read(teacherFile, TeacherTraining.KIND);
        Path prepared = ctx.stageDir("prepared");
        Examples.info(prepared);
        Dataset<Row> rows = ctx.spark().read().parquet(prepared.resolve(Examples.PARQUET_DIR).toString())
                .where(col("split").notEqual(Examples.TEST));
        Dataset<Row> labels = SoftLabeler.label(ctx.spark(), teacher, rows, ctx.config().teacher().labelBatchSize());
        labels.write().parquet(workDir.resolve(PARQUET).toString());
        long written = ctx.spark().read().parquet(workDir.resolve(PARQUET).toString()).count();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("teacher_sha256", ManifestIO.sha256(teacherFile));
        meta.put("teacher_architecture", teacher.architecture().name());
        meta.put("num_classes", teacher.architecture().numClasses());
        meta.put("class_names", Examples.info(prepared).classNames());
        meta.put("storage", "dense");
        meta.put("dtype", "float32");
        meta.put("values", "raw logits (temperature 1); distillation divides by its temperature");
        meta.put("temperature_hint", ctx.config().distill().temperature());
        meta.put("columns", List.of("id: int64", "label: int32", "split: string", "logits: list<float32>"));
        try {
            ManifestIO.json().writeValue(workDir.resolve(META).toFile(), meta);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new StageResult().rows("soft_labels", written).output("labels", PARQUET).output("metadata", META);
    }
}
