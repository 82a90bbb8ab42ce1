package dev.distillery.jobs;

import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A teacher given as a list of layers (batch norm, ReLU6, depthwise and pointwise convolutions, average and global
 * average pooling, dropout) trained by the Spark trainer on 300 digits, saved as inference computes it, and labelled
 * through its ONNX export in ONNX Runtime, which must match SameDiff within 1e-4.
 */
class TeacherLayersTest {
    @TempDir
    Path tmp;

    @Test
    void aLayerListTeacherTrainsIsSavedWithoutDropoutOrBatchNormAndLabelsInOnnxRuntime() throws Exception {
        TestSpark.get();
        Path data = Files.createDirectories(tmp.resolve("data"));
        Digits.writeCsv(data);
        Path config = tmp.resolve("layers.yaml");
        Files.writeString(config, """
                name: layers
                seed: 5
                data: {format: csv, dir: %s, train_file: train.csv, test_file: test.csv, label_column: _c64,
                       csv_header: false, shape: [1, 8, 8], feature_scale: 0.0625, train_limit: 300, test_limit: 50}
                spark: {master: "local[2]", workers: 2, averaging_frequency: 4}
                teacher:
                  architecture: layers
                  layers:
                    - {type: conv2d, filters: 16, kernel: 3, stride: 1}
                    - {type: batch_norm, epsilon: 0.001}
                    - {type: relu6}
                    - {type: depthwise_conv2d, kernel: 3, stride: 1}
                    - {type: relu}
                    - {type: conv2d, filters: 32, kernel: 1, stride: 1}
                    - {type: relu}
                    - {type: avg_pool, size: 2}
                    - {type: dropout, rate: 0.25}
                    - {type: conv2d, filters: 64, kernel: 4, stride: 1}
                    - {type: relu}
                    - {type: global_avg_pool}
                  epochs: 8
                  learning_rate: 0.003
                  warmup_epochs: 0
                  label_batch_size: 64
                student: {type: mlp, hidden: [8], max_teacher_fraction: 1.0}
                distill: {epochs: 1, warmup_epochs: 0}
                """.formatted(data));
        Path out = tmp.resolve("out");
        for (String stage : new String[]{"prepare", "train-teacher", "label", "distill"}) {
            CliRun.Result r = CliRun.stage(config, stage, out);
            assertThat(r.code()).as(stage + ": " + r.err()).isZero();
        }
        ModelArtifact teacher = ModelIO.read(out.resolve("teacher/teacher.dmodel"));
        assertThat(teacher.architecture().layers()).containsExactly(new LayerSpec.Conv2d(16, 3, 1),
                new LayerSpec.Relu6(), new LayerSpec.DepthwiseConv2d(3, 1), new LayerSpec.Relu(),
                new LayerSpec.Conv2d(32, 1, 1), new LayerSpec.Relu(), new LayerSpec.AvgPool(2),
                new LayerSpec.Conv2d(64, 4, 1), new LayerSpec.Relu(), new LayerSpec.GlobalAvgPool(),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10));
        assertThat(teacher.metadata()).containsEntry("batch_norm", "folded");
        assertThat(teacher.params()).containsOnlyKeys("L0_w", "L0_b", "L2_w", "L2_b", "L4_w", "L4_b", "L7_w", "L7_b",
                "L11_w", "L11_b");
        double accuracy = Double.parseDouble(teacher.metadata().get("validation_accuracy"));
        assertThat(accuracy).as("eight epochs on 270 digits, against 10% by chance").isGreaterThan(0.4);
        // labelled by its ONNX export (AveragePool, GlobalAveragePool, Clip), checked against SameDiff first
        assertThat(ManifestIO.read(out.resolve("soft-labels")).orElseThrow().metrics()).containsEntry("engine",
                "onnxruntime");
    }

    @Test
    void resnet8TrainsOnSparkIsSavedWithItsAddsRenumberedAndLabelsInOnnxRuntime() throws Exception {
        TestSpark.get();
        Path data = Files.createDirectories(tmp.resolve("data"));
        Digits.writeCsv(data);
        Path config = tmp.resolve("resnet8.yaml");
        Files.writeString(config, """
                name: resnet8
                seed: 5
                data: {format: csv, dir: %s, train_file: train.csv, test_file: test.csv, label_column: _c64,
                       csv_header: false, shape: [1, 8, 8], feature_scale: 0.0625, train_limit: 300, test_limit: 50}
                spark: {master: "local[2]", workers: 2, averaging_frequency: 4}
                teacher: {architecture: resnet8, width_multiplier: 0.5, epochs: 8, learning_rate: 0.003,
                          warmup_epochs: 0, label_batch_size: 64}
                student: {type: mlp, hidden: [8], max_teacher_fraction: 1.0}
                """.formatted(data));
        Path out = tmp.resolve("out");
        for (String stage : new String[]{"prepare", "train-teacher", "label"}) {
            CliRun.Result r = CliRun.stage(config, stage, out);
            assertThat(r.code()).as(stage + ": " + r.err()).isZero();
        }
        ModelArtifact teacher = ModelIO.read(out.resolve("teacher/teacher.dmodel"));
        // stem conv (0), batch norm, ReLU (2); block adds from layers 2, 9 and 16 before folding, 1, 6, 11 after
        assertThat(teacher.architecture().layers().stream().filter(l -> l instanceof LayerSpec.Add).toList())
                .containsExactly(new LayerSpec.Add(1, false), new LayerSpec.Add(6, true), new LayerSpec.Add(11, true));
        assertThat(teacher.architecture().hasBatchNorm()).isFalse();
        assertThat(teacher.params()).containsKeys("L10_w", "L10_b", "L15_w", "L15_b");
        double accuracy = Double.parseDouble(teacher.metadata().get("validation_accuracy"));
        assertThat(accuracy).as("eight epochs on 270 digits, against 10% by chance").isGreaterThan(0.4);
        // the ONNX export (Add, and Conv for the projections) matched SameDiff within 1e-4 before labelling
        assertThat(ManifestIO.read(out.resolve("soft-labels")).orElseThrow().metrics()).containsEntry("engine",
                "onnxruntime");
    }

    @Test
    void anImpossibleLayerListStopsTheRunBeforePrepareNamingTheLayer() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Digits.writeCsv(data);
        Path config = tmp.resolve("impossible.yaml");
        Files.writeString(config, """
                name: impossible
                data: {format: csv, dir: %s, train_file: train.csv, test_file: test.csv, label_column: _c64,
                       csv_header: false, shape: [1, 8, 8], feature_scale: 0.0625, train_limit: 300}
                teacher:
                  architecture: layers
                  layers: [{type: conv2d, filters: 4, kernel: 3, stride: 1}, {type: max_pool, size: 4},
                           {type: max_pool, size: 4}]
                """.formatted(data));
        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.stage(config, "run", out);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("layer 2 (max_pool 4) is larger than its input");
        assertThat(out.resolve("prepared")).as("the run stopped before its first stage").doesNotExist();
    }
}
