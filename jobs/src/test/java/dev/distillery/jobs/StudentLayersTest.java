package dev.distillery.jobs;

import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.testing.TestSpark;
import dev.distillery.student.quant.IntegerModelIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A student given as a list of layers (strided and pointwise convolutions, batch norm, depthwise, max pool, a hidden
 * dense layer) through distill, prune, qat and export on 300 digits; a student layer no later stage can take stops
 * the run before its first stage.
 */
class StudentLayersTest {
    @TempDir
    Path tmp;

    private Path config(String studentLayers) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Digits.writeCsv(data);
        Path config = tmp.resolve("student-layers.yaml");
        Files.writeString(config, """
                name: student-layers
                seed: 5
                data: {format: csv, dir: %s, train_file: train.csv, test_file: test.csv, label_column: _c64,
                       csv_header: false, shape: [1, 8, 8], feature_scale: 0.0625, train_limit: 300, test_limit: 50}
                spark: {master: "local[2]", workers: 2, averaging_frequency: 4}
                teacher: {conv_filters: [8], dense_units: 32, epochs: 8, learning_rate: 0.003, warmup_epochs: 0,
                          label_batch_size: 64}
                student:
                  type: layers
                  max_teacher_fraction: 1.0
                  layers: %s
                distill: {epochs: 20, learning_rate: 0.01, warmup_epochs: 0}
                prune: {enabled: true, sparsity: 0.5, epochs: 1}
                ptq: {methods: [minmax], granularities: [per_channel]}
                qat: {epochs: 1, calibration_rows: 100}
                evaluation: {profiles_dir: %s}
                """.formatted(data, studentLayers, Path.of("..", "conf", "profiles").toAbsolutePath().normalize()));
        return config;
    }

    @Test
    void aLayerListStudentIsDistilledPrunedQuantizedAndExported() throws Exception {
        TestSpark.get();
        Path config = config("""
                [{type: conv2d, filters: 8, kernel: 3, stride: 2}, {type: batch_norm, epsilon: 0.001}, {type: relu},
                 {type: depthwise_conv2d, kernel: 3, stride: 1}, {type: relu}, {type: conv2d, filters: 16, kernel: 1,
                 stride: 1}, {type: max_pool, size: 2}, {type: relu}, {type: flatten}, {type: dense, units: 24},
                 {type: relu}]""");
        Path out = tmp.resolve("out");
        for (String stage : new String[]{"prepare", "train-teacher", "label", "distill", "prune", "qat", "export"}) {
            CliRun.Result r = CliRun.stage(config, stage, out);
            assertThat(r.code()).as(stage + ": " + r.err()).isZero();
        }
        ModelArtifact kd = ModelIO.read(out.resolve("student/student-kd.dmodel"));
        // saved with its batch norm folded, and the classifier appended
        assertThat(kd.architecture().layers()).containsExactly(new LayerSpec.Conv2d(8, 3, 2), new LayerSpec.Relu(),
                new LayerSpec.DepthwiseConv2d(3, 1), new LayerSpec.Relu(), new LayerSpec.Conv2d(16, 1, 1),
                new LayerSpec.MaxPool(2), new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(24),
                new LayerSpec.Relu(), new LayerSpec.Dense(10));
        double accuracy = ((Number) ManifestIO.read(out.resolve("student")).orElseThrow().metrics()
                .get("kd_validation_accuracy")).doubleValue();
        assertThat(accuracy).as("20 epochs on 270 digits, against 10% by chance").isGreaterThan(0.3);
        assertThat(ModelIO.read(out.resolve("student-pruned/student-pruned.dmodel")).weightSparsity())
                .isGreaterThan(0.4);
        assertThat(IntegerModelIO.read(out.resolve("export/student-int8.dint")).architecture())
                .isEqualTo(kd.architecture());
        assertThat(out.resolve("export/student-kd.onnx")).isNotEmptyFile();
        assertThat(Files.readString(out.resolve("export/artifacts.json"))).contains("\"student-int8\"");
        try (var tflite = Files.list(out.resolve("export"))) {
            assertThat(tflite.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".tflite"));
        }
    }

    @Test
    void aStudentLayerALaterStageCannotTakeStopsTheRunBeforeItsFirstStage() throws Exception {
        Path config = config("[{type: conv2d, filters: 8, kernel: 3, stride: 1}, {type: relu6}]");
        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.stage(config, "run", out);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("student.layers[1] (Relu6[]) cannot be a student layer: qat and export");
        assertThat(out.resolve("prepared")).as("the run stopped before its first stage").doesNotExist();
    }
}
