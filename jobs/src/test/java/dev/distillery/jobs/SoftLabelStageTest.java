package dev.distillery.jobs;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.augment.ViewAugmenter;
import dev.distillery.core.data.DatasetInfo;
import dev.distillery.core.data.Examples;
import dev.distillery.core.data.Rows;
import dev.distillery.core.io.StageOutput;
import dev.distillery.core.labels.SoftLabelFiles;
import dev.distillery.core.labels.SoftLabelMetadata;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.model.ParamInit;
import dev.distillery.core.engine.Network;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.testing.TestSpark;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The label stage on 300 digits with a one-epoch teacher: self-describing Parquet, every storage mode consumed by
 * distill, views and ensembles reproducible, bad input refused with exit 2 and nothing that looks finished.
 */
class SoftLabelStageTest {
    @TempDir
    static Path shared;
    static Path base;
    static Path config;
    @TempDir
    Path tmp;

    @BeforeAll
    static void prepareAndTrainTeacher() throws Exception {
        TestSpark.get();
        Path data = Files.createDirectories(shared.resolve("data"));
        Digits.writeCsv(data);
        config = shared.resolve("digits.yaml");
        Files.writeString(config, """
                name: soft
                seed: 5
                data: {format: csv, dir: %s, train_file: train.csv, test_file: test.csv, label_column: _c64,
                       csv_header: false, shape: [1, 8, 8], feature_scale: 0.0625, train_limit: 300, test_limit: 50}
                spark: {master: "local[2]", workers: 2, averaging_frequency: 4}
                teacher: {conv_filters: [4], dense_units: 16, epochs: 1, warmup_epochs: 0, label_batch_size: 64}
                student: {type: mlp, hidden: [8], max_teacher_fraction: 1.0}
                distill: {epochs: 1, warmup_epochs: 0}
                """.formatted(data));
        base = shared.resolve("base");
        assertThat(run("prepare", base).code()).isZero();
        assertThat(run("train-teacher", base).code()).isZero();
    }

    private static CliRun.Result run(String stage, Path out, String... sets) {
        return CliRun.stage(config, stage, out, sets);
    }

    /** A fresh output folder holding the shared prepared data and teacher. */
    private Path copyOfBase() throws Exception {
        Path out = tmp.resolve("out");
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.toList()) {
                Path target = out.resolve(base.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return out;
    }

    private static DatasetInfo info() {
        return Examples.info(base.resolve("prepared"));
    }

    private static void assertNoLabelOutput(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.contains("soft-labels")).toList()).isEmpty();
        }
    }

    @Test
    void writesSelfDescribingParquetThatAPlainReaderOpensAndSkipsAnUnchangedRerun() throws Exception {
        Path out = copyOfBase();
        CliRun.Result r = run("label", out);
        assertThat(r.code()).as(r.err()).isZero();
        Path labels = out.resolve("soft-labels/labels");
        long rows = 0;
        String teacherSha = ManifestIO.sha256(out.resolve("teacher/teacher.dmodel"));
        for (Path f : SoftLabelFiles.files(labels)) {
            SoftLabelFiles.Footer footer = SoftLabelFiles.footer(f);   // parquet-hadoop alone, no Spark
            rows += footer.rows();
            assertThat(footer.schema().getFieldCount()).isEqualTo(5);
            assertThat(footer.schema().getType("logits").getLogicalTypeAnnotation())
                    .isEqualTo(org.apache.parquet.schema.LogicalTypeAnnotation.listType());
            assertThat(footer.keyValues()).containsEntry("distillery.format", SoftLabelMetadata.FORMAT)
                    .containsEntry("distillery.storage", "dense-float32").containsEntry("distillery.dtype", "float32")
                    .containsEntry("distillery.k", "10").containsEntry("distillery.num_classes", "10")
                    .containsEntry("distillery.teacher_sha256", teacherSha).containsEntry("distillery.ensemble", "none")
                    .containsKey("distillery.config_hash").containsKey("distillery.class_names");
        }
        Map<String, Long> counts = info().counts();
        assertThat(rows).isEqualTo(counts.get("train") + counts.get("validation"));
        assertThat(ManifestIO.read(out.resolve("soft-labels")).orElseThrow().rowCounts().get("soft_labels")).isEqualTo(rows);

        long modified = Files.getLastModifiedTime(SoftLabelFiles.files(labels).get(0)).toMillis();
        CliRun.Result again = run("label", out);
        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("up to date");
        assertThat(Files.getLastModifiedTime(SoftLabelFiles.files(labels).get(0)).toMillis()).isEqualTo(modified);
    }

    @Test
    void onnxRuntimeAndSameDiffLabelTheSameLogits() throws Exception {
        Path out = copyOfBase();
        // train-teacher kept the teacher's ONNX export with its check against SameDiff, and label runs it as it is
        assertThat(out.resolve("teacher/teacher.onnx")).isNotEmptyFile();
        var check = ManifestIO.json().readTree(out.resolve("teacher/teacher-onnx.json").toFile());
        assertThat(check.get("model_sha256").asText()).isEqualTo(ManifestIO.sha256(out.resolve("teacher/teacher.dmodel")));
        assertThat(check.get("rows").asInt()).isEqualTo(64);
        assertThat(check.get("largest_difference").asDouble()).isBetween(0.0, 1e-4);
        CliRun.Result ort = run("label", out);
        assertThat(ort.code()).as(ort.err()).isZero();
        assertThat(ort.out()).contains("runs in ONNX Runtime from the export train-teacher checked against SameDiff");
        assertThat(ManifestIO.read(out.resolve("soft-labels")).orElseThrow().metrics()).containsEntry("engine",
                "onnxruntime");
        Map<Long, float[]> byOrt = logitsById(out.resolve("soft-labels/labels"));

        // an export that no longer matches its recorded hash is not trusted: label exports and checks afresh
        Files.write(out.resolve("teacher/teacher.onnx"), new byte[]{1, 2, 3});
        try (Stream<Path> old = Files.walk(out.resolve("soft-labels"))) {
            for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        CliRun.Result fresh = run("label", out);
        assertThat(fresh.code()).as(fresh.err()).isZero();
        assertThat(fresh.out()).doesNotContain("up to date")
                .contains("exported to ONNX and checked against SameDiff on 64 prepared rows");
        Map<Long, float[]> byFresh = logitsById(out.resolve("soft-labels/labels"));
        assertThat(byFresh.keySet()).isEqualTo(byOrt.keySet());
        byOrt.forEach((id, logits) -> assertThat(byFresh.get(id)).containsExactly(logits));

        CliRun.Result sd = run("label", out, "label.engine=samediff");
        assertThat(sd.code()).as(sd.err()).isZero();
        assertThat(sd.out()).doesNotContain("up to date");
        assertThat(ManifestIO.read(out.resolve("soft-labels")).orElseThrow().metrics()).containsEntry("engine",
                "samediff");
        Map<Long, float[]> bySameDiff = logitsById(out.resolve("soft-labels/labels"));
        assertThat(byOrt.keySet()).isEqualTo(bySameDiff.keySet()).hasSize(300);
        double worst = 0;
        for (var e : byOrt.entrySet()) {
            for (int c = 0; c < 10; c++) {
                worst = Math.max(worst, Math.abs(e.getValue()[c] - bySameDiff.get(e.getKey())[c]));
            }
        }
        assertThat(worst).isLessThanOrEqualTo(1e-4);
    }

    private static Map<Long, float[]> logitsById(Path labels) {
        Map<Long, float[]> out = new java.util.HashMap<>();
        for (Row r : TestSpark.get().read().parquet(labels.toString()).select("id", "logits").collectAsList()) {
            out.put(r.getLong(0), Rows.floats(r, 1));
        }
        return out;
    }

    @Test
    void distillConsumesEveryStorageMode() throws Exception {
        Path out = copyOfBase();
        for (String mode : List.of("dense-float32", "dense-float16", "top-k")) {
            CliRun.Result l = run("label", out, "label.storage=" + mode, "label.top_k=2");
            assertThat(l.code()).as(mode + ": " + l.err()).isZero();
            assertThat(SoftLabelFiles.read(out.resolve("soft-labels/labels")).storage()).isEqualTo(mode);
            CliRun.Result d = run("distill", out, "label.storage=" + mode, "label.top_k=2");
            assertThat(d.code()).as(mode + ": " + d.err()).isZero();
            assertThat(out.resolve("student/student-kd.dmodel")).isRegularFile();
        }
    }

    @Test
    void viewsAreRegeneratedExactlyAndAnEnsembleAveragesItsTeachers() throws Exception {
        Path out = copyOfBase();
        ModelArtifact first = ModelIO.read(out.resolve("teacher/teacher.dmodel"));
        ModelArtifact second = new ModelArtifact("teacher", first.architecture(), ParamInit.he(first.architecture(), 99),
                Map.of(), null);
        Path secondFile = tmp.resolve("second.dmodel");
        ModelIO.write(second, secondFile);
        CliRun.Result r = run("label", out, "label.views=3", "label.augment.shift_pixels=1", "label.augment.noise_std=0.05",
                "label.teachers=[" + secondFile + "]", "label.ensemble=mean-logits");
        assertThat(r.code()).as(r.err()).isZero();
        Path labels = out.resolve("soft-labels/labels");
        SoftLabelMetadata meta = SoftLabelFiles.read(labels);
        assertThat(meta.teachers()).hasSize(2);
        assertThat(meta.teachers().get(1).sha256()).isEqualTo(ManifestIO.sha256(secondFile));
        assertThat(meta.ensemble()).isEqualTo("mean-logits");
        Map<String, Long> counts = info().counts();
        var df = TestSpark.get().read().parquet(labels.toString());
        assertThat(df.count()).isEqualTo(3 * counts.get("train") + counts.get("validation"));

        // the input the student regenerates from (id, view, seed) is the one both teachers labelled
        List<Row> some = df.where(col("view").equalTo(2)).orderBy("id").limit(20)
                .join(Examples.load(TestSpark.get(), out.resolve("prepared"), Examples.TRAIN).select("id", "features"), "id")
                .select("id", "view", "features", "logits").collectAsList();
        assertThat(some).hasSize(20);
        ViewAugmenter views = new ViewAugmenter(meta.augment(), meta.seed(), 1, 8, 8);
        float[][] x = new float[some.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = views.view(Rows.floats(some.get(i), 2), some.get(i).getLong(0), 2);
            assertThat(x[i]).isNotEqualTo(Rows.floats(some.get(i), 2));
        }
        float[][] a = Engines.network().forInference(first.architecture(), first.params(), GraphHooks.NONE).logits(x);
        float[][] b = Engines.network().forInference(second.architecture(), second.params(), GraphHooks.NONE).logits(x);
        for (int i = 0; i < x.length; i++) {
            float[] stored = Rows.floats(some.get(i), 3);
            for (int c = 0; c < 10; c++) {
                assertThat(stored[c]).isCloseTo((a[i][c] + b[i][c]) / 2, within(1e-4f));
            }
        }
    }

    @Test
    void aTeacherOfAnotherInputShapeExitsTwo() throws Exception {
        Path out = copyOfBase();
        var arch = dev.distillery.teacher.arch.TeacherArchitecture.of(
                dev.distillery.core.config.ConfigLoader.load(config, List.of()).teacher(),
                new DatasetInfo(1, 6, 6, 10, List.of(), Map.of(), "test"));
        ModelIO.write(new ModelArtifact("teacher", arch, ParamInit.he(arch, 1), Map.of(), null),
                out.resolve("teacher/teacher.dmodel"));
        CliRun.Result r = run("label", out);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("takes 1x6x6 inputs").contains("the prepared data has 1x8x8");
        assertNoLabelOutput(out);
    }

    @Test
    void nanFeaturesExitTwoNamingTheRow() throws Exception {
        Path out = copyOfBase();
        Path examples = out.resolve("prepared/examples");
        var rows = TestSpark.get().read().parquet(examples.toString());
        long bad = rows.where(col("split").equalTo("train")).agg(org.apache.spark.sql.functions.min("id")).first().getLong(0);
        var poisoned = rows.withColumn("features", org.apache.spark.sql.functions.when(col("id").equalTo(bad),
                org.apache.spark.sql.functions.expr("transform(features, (x, i) -> IF(i = 3, float('NaN'), x))"))
                .otherwise(col("features")));
        Path copy = tmp.resolve("poisoned");
        poisoned.write().partitionBy("split").parquet(copy.toString());
        StageOutput.deleteTree(examples);
        Files.move(copy, examples);
        CliRun.Result r = run("label", out);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("1 rows have NaN or infinite features (first id " + bad + ")");
        assertNoLabelOutput(out);
    }

    @Test
    void missingOrCorruptParquetExitsTwo() throws Exception {
        Path out = copyOfBase();
        Path part;
        try (Stream<Path> s = Files.walk(out.resolve("prepared/examples"))) {
            part = s.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        Files.write(part, "this is no Parquet file".getBytes());
        CliRun.Result r = run("label", out);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("corrupt or unreadable Parquet file");
        assertNoLabelOutput(out);

        StageOutput.deleteTree(out.resolve("prepared/examples"));
        CliRun.Result missing = run("label", out);
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("prepared/examples").contains("do not exist");
        assertNoLabelOutput(out);
    }

    @Test
    void corruptSoftLabelsStopDistillWithExitTwo() throws Exception {
        Path out = copyOfBase();
        assertThat(run("label", out).code()).isZero();
        Path f = SoftLabelFiles.files(out.resolve("soft-labels/labels")).get(0);
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        CliRun.Result r = run("distill", out);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(f.getFileName().toString());
        assertThat(out.resolve("student")).doesNotExist();
    }

    @Test
    void aModelFileThatIsNotATeacherExitsTwo() throws Exception {
        Path out = copyOfBase();
        Path teacher = out.resolve("teacher/teacher.dmodel");
        ModelArtifact t = ModelIO.read(teacher);
        ModelIO.write(new ModelArtifact("student", t.architecture(), t.params(), Map.of(), null), teacher);
        CliRun.Result student = run("label", out);
        assertThat(student.code()).isEqualTo(2);
        assertThat(student.err()).contains("holds a student model, expected a teacher model");
        assertNoLabelOutput(out);

        Files.write(teacher, "PK\u0003\u0004 a zip, not a model".getBytes());
        CliRun.Result garbage = run("label", out);
        assertThat(garbage.code()).isEqualTo(2);
        assertThat(garbage.err()).contains("is not a Distillery model file");
        assertNoLabelOutput(out);
    }
}
