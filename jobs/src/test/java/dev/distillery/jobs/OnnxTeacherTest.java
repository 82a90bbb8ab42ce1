package dev.distillery.jobs;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.JsonNode;
import dev.distillery.core.data.Rows;
import dev.distillery.core.labels.SoftLabelFiles;
import dev.distillery.core.labels.SoftLabelMetadata;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.testing.TestSpark;
import dev.distillery.teacher.onnx.OnnxTeacherFile;
import dev.distillery.teacher.onnx.OnnxTranslation;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A teacher from elsewhere: a small ResNet (residual blocks, batch norm, global average pooling) trained by PyTorch
 * on the digits' 1,500 training images and exported with torch.onnx, distilled by Distillery from 300 of them. The
 * run skips train-teacher, labels with ONNX Runtime inside the Spark tasks (logits equal to PyTorch's within 1e-4),
 * records the file's SHA-256, and the report sets the teacher beside the students, of which the distilled one
 * beats its hard-label baseline.
 */
class OnnxTeacherTest {
    @TempDir
    static Path shared;
    static Path config;
    static Path out;
    static Path onnx;
    static Path twelveClasses;
    static Path cnn;
    static Path tanh;
    /** A run folder holding only prepared data. */
    static Path prepared;
    @TempDir
    Path tmp;
    /** PyTorch's logits by the row's features (scaled as prepared), for every training image. */
    static final Map<String, float[]> TORCH = new HashMap<>();

    @BeforeAll
    static void trainTheTeacherInPyTorchAndRunThePipeline() throws Exception {
        TestSpark.get();
        Path data = Files.createDirectories(shared.resolve("data"));
        Digits.writeCsv(data);
        onnx = shared.resolve("resnet.onnx");
        Path logits = shared.resolve("torch-logits.csv");
        pyTorch(data, "10", "12", onnx, "--logits", logits.toString());
        // a model of the wrong class count, for the bad-input checks
        twelveClasses = shared.resolve("twelve-classes.onnx");
        pyTorch(data, "12", "1", twelveClasses);
        // conv-relu-pool blocks and dense layers: a model Distillery can translate into its own layers
        cnn = shared.resolve("cnn.onnx");
        pyTorch(data, "10", "8", cnn, "--arch", "cnn");
        // the same with tanh, an activation outside the layer set
        tanh = shared.resolve("tanh.onnx");
        pyTorch(data, "10", "1", tanh, "--arch", "cnn", "--activation", "tanh");
        TORCH.putAll(torchLogits(Files.readAllLines(data.resolve("train.csv")), logits, 64));
        config = shared.resolve("onnx-teacher.yaml");
        Files.writeString(config, """
                name: onnx-teacher
                seed: 5
                data: {format: csv, dir: %s, train_file: train.csv, test_file: test.csv, label_column: _c64,
                       csv_header: false, shape: [1, 8, 8], feature_scale: 0.0625, train_limit: 300}
                spark: {master: "local[2]", workers: 2, averaging_frequency: 4}
                teacher: {source: onnx, onnx: {model: %s, layout: nchw}, label_batch_size: 64}
                label: {views: 4, augment: {shift_pixels: 1}}
                student: {type: mlp, hidden: [64], max_teacher_fraction: 1.0}
                distill: {epochs: 30, learning_rate: 0.01, warmup_epochs: 0}
                prune: {enabled: false}
                qat: {epochs: 1, calibration_rows: 100}
                ptq: {methods: [minmax], granularities: [per_channel]}
                evaluation: {profiles_dir: %s, profiles: [raspberry-pi-4], host_profile: x86-avx2-host,
                             latency_runs: 5, bootstrap_resamples: 50}
                """.formatted(data, onnx, Path.of("..", "conf", "profiles").toAbsolutePath().normalize()));
        out = shared.resolve("out");
        prepared = shared.resolve("prepared-only");
        CliRun.Result r = CliRun.stage(config, "prepare", prepared);
        assertThat(r.code()).as(r.err()).isZero();
    }

    private static void pyTorch(Path data, String classes, String epochs, Path onnx, String... extra)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("--shape", "1", "8", "8"));
        args.addAll(List.of(extra));
        pyTorch(data.resolve("train.csv"), classes, epochs, onnx, args);
    }

    private static void pyTorch(Path csv, String classes, String epochs, Path onnx, List<String> extra)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", Path.of("..", "tools", "onnx-teacher",
                "train_teacher.py").toString(), "--csv", csv.toString(), "--classes", classes, "--scale", "0.0625",
                "--epochs", epochs, "--out", onnx.toString()));
        cmd.addAll(extra);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
    }

    /** PyTorch's logits ({@code logits}, one line per image) by the image's prepared features (scaled 1/16). */
    private static Map<String, float[]> torchLogits(List<String> images, Path logits, int features) throws Exception {
        List<String> rows = Files.readAllLines(logits);
        assertThat(rows).hasSize(images.size());
        Map<String, float[]> out = new HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            String[] cells = images.get(i).split(",");
            float[] x = new float[features];
            for (int j = 0; j < features; j++) {
                x[j] = Float.parseFloat(cells[j]) * 0.0625f;
            }
            String[] l = rows.get(i).split(",");
            float[] z = new float[l.length];
            for (int c = 0; c < l.length; c++) {
                z[c] = Float.parseFloat(l[c]);
            }
            out.put(Arrays.toString(x), z);
        }
        return out;
    }

    /**
     * The largest difference between a run's stored soft labels ({@code view} 0 only, or all when there is one
     * view) and PyTorch's logits for the same images; every labelled image must be one PyTorch saw.
     */
    private static double worstDifference(Path run, Map<String, float[]> torch, boolean firstViewOnly) {
        var labels = TestSpark.get().read().parquet(run.resolve("soft-labels/labels").toString());
        List<Row> labelled = (firstViewOnly ? labels.where(col("view").equalTo(0)) : labels)
                .join(TestSpark.get().read().parquet(run.resolve("prepared/examples").toString())
                        .select("id", "features"), "id")
                .select("features", "logits").collectAsList();
        assertThat(labelled).hasSize(300);
        double worst = 0;
        for (Row row : labelled) {
            float[] expected = torch.get(Arrays.toString(Rows.floats(row, 0)));
            assertThat(expected).isNotNull();
            float[] actual = Rows.floats(row, 1);
            for (int c = 0; c < actual.length; c++) {
                worst = Math.max(worst, Math.abs(expected[c] - actual[c]));
            }
        }
        return worst;
    }

    /** Runs label on a copy of the prepared-only folder; bad input must exit 2 and leave no soft labels. */
    private CliRun.Result labelFails(String... sets) throws Exception {
        Path copy = Files.createTempDirectory(tmp, "bad");
        try (var files = Files.walk(prepared)) {
            for (Path f : files.toList()) {
                Path target = copy.resolve(prepared.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        CliRun.Result r = CliRun.stage(config, "label", copy, sets);
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
        try (var names = Files.list(copy)) {
            assertThat(names.map(f -> f.getFileName().toString()).filter(n -> n.contains("soft-labels"))).isEmpty();
        }
        return r;
    }

    @Test
    void aFileThatIsNotAnOnnxModelExitsTwo() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.onnx"), "these are notes, not a model\n".repeat(20));
        assertThat(labelFails("teacher.onnx.model=" + text).err()).contains("teacher.onnx.model " + text
                + " is not an ONNX model");
        assertThat(labelFails("teacher.onnx.model=" + tmp.resolve("missing.onnx")).err())
                .contains("missing.onnx, which does not exist");
    }

    @Test
    void aModelThatDoesNotFitTheDataExitsTwoNamingBothShapes() throws Exception {
        assertThat(labelFails("teacher.onnx.model=" + twelveClasses).err()).contains("output has shape [?, 12]")
                .contains("the prepared data has 10 classes");
        assertThat(labelFails("teacher.onnx.layout=nhwc").err()).contains("input image has shape [?, 1, 8, 8]")
                .contains("the prepared data needs [N, 8, 8, 1] (NHWC, teacher.onnx.layout) or [N, 64]");
    }

    /** Settings that translate {@code model} in train-teacher and train it one more epoch. */
    private static String[] translation(Path model) {
        return new String[]{"teacher.onnx.model=" + model, "teacher.onnx.translate=true", "teacher.epochs=1"};
    }

    /** Prepares {@code run} and runs its train-teacher stage with {@code sets}. */
    private static CliRun.Result prepareAndTrainTeacher(Path run, String... sets) {
        assertThat(CliRun.stage(config, "prepare", run, sets).code()).isZero();
        return CliRun.stage(config, "train-teacher", run, sets);
    }

    @Test
    void aPlainCnnIsTranslatedAndTrainedFurtherBySparkThenLabelledAsADistilleryTeacher() throws Exception {
        Path run = Files.createTempDirectory(tmp, "translated");
        String[] sets = translation(cnn);
        CliRun.Result r = prepareAndTrainTeacher(run, sets);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("translated " + cnn + " into onnx-cnn")
                .contains("its logits match ONNX Runtime's within 1.0e-04");
        var teacher = dev.distillery.core.model.ModelIO.read(run.resolve("teacher/teacher.dmodel"));
        assertThat(teacher.architecture().name()).isEqualTo("onnx-cnn");
        assertThat(teacher.architecture().layers()).extracting(l -> l.getClass().getSimpleName()).containsExactly(
                "Conv2d", "Relu", "MaxPool", "Conv2d", "Relu", "MaxPool", "Flatten", "Dense", "Relu", "Dense");
        assertThat(teacher.metadata()).containsEntry("translated_from_sha256", ManifestIO.sha256(cnn));
        assertThat(ManifestIO.read(run.resolve("teacher")).orElseThrow().inputHashes())
                .containsEntry(cnn.toString(), ManifestIO.sha256(cnn));
        CliRun.Result l = CliRun.stage(config, "label", run, sets);
        assertThat(l.code()).as(l.err()).isZero();
        SoftLabelMetadata meta = SoftLabelFiles.read(run.resolve("soft-labels/labels"));
        assertThat(meta.teachers().get(0).architecture()).isEqualTo("onnx-cnn");
        assertThat(meta.teachers().get(0).sha256()).isEqualTo(ManifestIO.sha256(run.resolve("teacher/teacher.dmodel")));
    }

    @Test
    void aResNetIsTranslatedWithItsResidualAddsAndTrainedFurther() throws Exception {
        Path run = Files.createTempDirectory(tmp, "resnet");
        String[] sets = translation(onnx);
        CliRun.Result r = prepareAndTrainTeacher(run, sets);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("its logits match ONNX Runtime's within 1.0e-04");
        var teacher = dev.distillery.core.model.ModelIO.read(run.resolve("teacher/teacher.dmodel"));
        // stem conv-relu; a block of two convolutions added to its input; a block that halves the map and doubles
        // the width, added to its input through a strided 1x1 projection (PyTorch folded every batch norm). PyTorch
        // pads the stride-2 convolution by one pixel on every side, which on an even map is not SAME
        assertThat(teacher.architecture().layers()).containsExactly(new LayerSpec.Conv2d(16, 3, 1),
                new LayerSpec.Relu(), new LayerSpec.Conv2d(16, 3, 1), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(16, 3, 1), new LayerSpec.Add(1, false), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(32, 3, 2, 1), new LayerSpec.Relu(), new LayerSpec.Conv2d(32, 3, 1),
                new LayerSpec.Add(6, true), new LayerSpec.Relu(), new LayerSpec.GlobalAvgPool(),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10));
        CliRun.Result l = CliRun.stage(config, "label", run, sets);
        assertThat(l.code()).as(l.err()).isZero();
        assertThat(SoftLabelFiles.read(run.resolve("soft-labels/labels")).teachers().get(0).architecture())
                .isEqualTo("onnx-resnet");
    }

    /**
     * The ResNet with its strided block's 1x1 projection moved before the block's first convolution (an order other
     * exporters use; PyTorch writes it after): the translation must be the same model.
     */
    @Test
    void aProjectionExportedBeforeItsBlockIsTranslatedToTheSameTeacher() throws Exception {
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnx));
        List<OnnxMl.NodeProto> nodes = new ArrayList<>(model.getGraph().getNodeList());
        int at = -1;
        for (int i = 1; i < nodes.size() && at < 0; i++) {
            if (nodes.get(i).getOpType().equals("Conv")
                    && !nodes.get(i).getInput(0).equals(nodes.get(i - 1).getOutput(0))) {
                at = i;
            }
        }
        assertThat(at).as("PyTorch writes the projection after the block's layers").isPositive();
        OnnxMl.NodeProto projection = nodes.remove(at);
        int producer = -1;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).getOutputList().contains(projection.getInput(0))) {
                producer = i;
            }
        }
        assertThat(producer).isLessThan(at - 1);
        nodes.add(producer + 1, projection);
        byte[] moved = model.toBuilder().setGraph(model.getGraph().toBuilder().clearNode().addAllNode(nodes)).build()
                .toByteArray();

        ModelArtifact asExported = OnnxTranslation.translate(OnnxTeacherFile.parse("resnet.onnx",
                Files.readAllBytes(onnx)), "teacher", 1, 8, 8, 10);
        ModelArtifact reordered = OnnxTranslation.translate(OnnxTeacherFile.parse("resnet.onnx", moved), "teacher",
                1, 8, 8, 10);
        assertThat(reordered.architecture()).isEqualTo(asExported.architecture());
        assertThat(reordered.architecture().layers()).contains(new LayerSpec.Add(6, true));
        assertThat(reordered.params().keySet()).isEqualTo(asExported.params().keySet());
        asExported.params().forEach((name, values) ->
                assertThat(reordered.params().get(name)).as(name).containsExactly(values));
    }

    @Test
    void aModelOutsideTheLayerSetIsNotTranslatedAndTheFirstSuchNodeIsNamed() throws Exception {
        Path run = Files.createTempDirectory(tmp, "tanh");
        CliRun.Result r = prepareAndTrainTeacher(run, translation(tanh));
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("cannot be translated into Distillery's layers: node").contains("(Tanh) is not "
                + "in the set a translation takes");
        assertThat(run.resolve("teacher")).doesNotExist();
    }

    /**
     * A channels-last model on three-channel images (each digit, its mirror image and its transpose): the prepared
     * rows are channels first, so ONNX Runtime only gives PyTorch's logits if Distillery re-orders every row.
     */
    @Test
    void anNhwcTeacherLabelsThreeChannelImagesAsPyTorchDoes() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("rgb"));
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(shared.resolve("data/train.csv"))) {
            String[] cells = line.split(",");
            List<String> row = new ArrayList<>();
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        row.add(cells[ch == 0 ? y * 8 + x : ch == 1 ? y * 8 + 7 - x : x * 8 + y]);
                    }
                }
            }
            row.add(cells[64]);
            lines.add(String.join(",", row));
        }
        Files.write(data.resolve("train.csv"), lines);
        Files.write(data.resolve("test.csv"), lines.subList(0, 50));
        Path model = tmp.resolve("rgb-nhwc.onnx");
        Path logits = tmp.resolve("rgb-logits.csv");
        pyTorch(data.resolve("train.csv"), "10", "3", model, List.of("--shape", "3", "8", "8", "--layout", "nhwc",
                "--logits", logits.toString()));
        Path rgbConfig = tmp.resolve("rgb.yaml");
        Files.writeString(rgbConfig, """
                name: rgb
                seed: 5
                data: {format: csv, dir: %s, train_file: train.csv, test_file: test.csv, label_column: _c192,
                       csv_header: false, shape: [3, 8, 8], feature_scale: 0.0625, train_limit: 300}
                spark: {master: "local[2]", workers: 2, averaging_frequency: 4}
                teacher: {source: onnx, onnx: {model: %s, layout: nhwc}, label_batch_size: 64}
                student: {type: mlp, hidden: [32], max_teacher_fraction: 1.0}
                distill: {epochs: 2, warmup_epochs: 0}
                """.formatted(data, model));
        Path run = tmp.resolve("rgb-run");
        for (String stage : new String[]{"prepare", "label", "distill"}) {
            CliRun.Result r = CliRun.stage(rgbConfig, stage, run);
            assertThat(r.code()).as(stage + ": " + r.out() + r.err()).isZero();
        }
        assertThat(worstDifference(run, torchLogits(lines, logits, 192), false)).isLessThanOrEqualTo(1e-4);
        assertThat(run.resolve("student/student-kd.dmodel")).isNotEmptyFile();
    }

    @Test
    void aHintNeedsADistilleryTeacher() throws Exception {
        CliRun.Result r = CliRun.stage(config, "distill", tmp.resolve("hint"), "distill.hint.teacher_layer=1",
                "distill.hint.student_layer=1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("distill.hint reads a layer of the teacher inside Distillery's engine, but "
                + "teacher.source is onnx");
    }

    private static CliRun.Result run(String stage, String... sets) {
        return CliRun.stage(config, stage, out, sets);
    }

    @Test
    void distillsAPyTorchResNetThroughTheWholePipeline() throws Exception {
        CliRun.Result r = run("run");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("[train-teacher] skipped: teacher.source is onnx, so the teacher is " + onnx);
        assertThat(out.resolve("teacher")).doesNotExist();

        // labelled by ONNX Runtime, identified by the file's bytes
        String sha = ManifestIO.sha256(onnx);
        SoftLabelMetadata meta = SoftLabelFiles.read(out.resolve("soft-labels/labels"));
        assertThat(meta.teachers()).hasSize(1);
        assertThat(meta.teachers().get(0).sha256()).isEqualTo(sha);
        assertThat(meta.teachers().get(0).architecture()).isEqualTo("onnx:resnet.onnx");
        assertThat(meta.teachers().get(0).parameters()).isGreaterThan(10_000);
        var label = ManifestIO.read(out.resolve("soft-labels")).orElseThrow();
        assertThat(label.metrics()).containsEntry("engine", "onnxruntime");
        assertThat(label.inputHashes()).containsEntry(onnx.toString(), sha);

        // every soft label of an image as it is (view 0) is PyTorch's logit for it, within 1e-4
        assertThat(worstDifference(out, TORCH, true)).isLessThanOrEqualTo(1e-4);

        // the report sets the teacher, as a reference, against the students; distillation beats hard labels
        String json = Files.readString(out.resolve("reports/report.json"));
        var schema = com.networknt.schema.SchemaRegistry.withDefaultDialect(
                        com.networknt.schema.SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(Path.of("..", "docs", "report-schema.json")),
                        com.networknt.schema.InputFormat.JSON);
        assertThat(schema.validate(json, com.networknt.schema.InputFormat.JSON)).isEmpty();
        JsonNode report = ManifestIO.json().readTree(json);
        Map<String, JsonNode> variants = new HashMap<>();
        report.get("variants").forEach(v -> variants.put(v.get("name").asText(), v));
        JsonNode teacher = variants.get("teacher");
        assertThat(teacher.get("architecture").asText()).isEqualTo("onnx:resnet.onnx");
        assertThat(teacher.get("candidate").asBoolean()).isFalse();
        assertThat(teacher.get("macs").isNull()).isTrue();
        assertThat(teacher.get("accuracy").asDouble()).isGreaterThan(0.9);
        List<String> runtimes = new ArrayList<>();
        teacher.get("measured_latency").forEach(m -> runtimes.add(m.get("runtime").asText()));
        assertThat(runtimes).containsExactly("onnxruntime");
        // the student learns from the teacher's logits on 3 shifted views of each image besides the image itself;
        // the baseline has the 300 hard labels alone (83.2% against 77.4% of the 297 test images here)
        assertThat(variants.get("student-kd").get("accuracy").asDouble())
                .isGreaterThan(variants.get("student-baseline").get("accuracy").asDouble() + 0.02);
        assertThat(Files.readString(out.resolve("reports/report.md"))).contains("onnx:resnet.onnx");
    }
}
