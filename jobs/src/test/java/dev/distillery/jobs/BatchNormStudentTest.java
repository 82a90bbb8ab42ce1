package dev.distillery.jobs;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.data.Examples;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.testing.TestSpark;
import dev.distillery.jobs.cli.DistilleryCli;
import dev.distillery.student.quant.IntegerModel;
import dev.distillery.student.quant.IntegerModelIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ds-cnn student with batch norm through distill, qat and export on 300 digits: distill saves it folded and equal
 * to the network it trained, and quantization-aware training calibrates and quantizes the folded layers.
 */
class BatchNormStudentTest {
    @TempDir
    Path dir;

    private int run(Path config, Path out, String stage) {
        List<String> args = new ArrayList<>(List.of(stage, "--config", config.toString(), "--out", out.toString(),
                "--master", "local[2]"));
        PrintStream oldOut = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true));
        try {
            return DistilleryCli.execute(args.toArray(new String[0]));
        } finally {
            System.setOut(oldOut);
        }
    }

    @Test
    void distillSavesTheStudentFoldedAndQatQuantizesTheFoldedLayers() throws Exception {
        TestSpark.get();
        Path data = Files.createDirectories(dir.resolve("data"));
        Digits.writeCsv(data);
        Path config = dir.resolve("digits.yaml");
        Files.writeString(config, """
                name: bn
                seed: 5
                data: {format: csv, dir: %s, train_file: train.csv, test_file: test.csv, label_column: _c64,
                       csv_header: false, shape: [1, 8, 8], feature_scale: 0.0625, train_limit: 300, test_limit: 50}
                spark: {master: "local[2]", workers: 2, averaging_frequency: 4}
                teacher: {conv_filters: [8], dense_units: 32, epochs: 1, warmup_epochs: 0, label_batch_size: 64}
                student: {type: ds-cnn, stem_filters: 4, blocks: [8], batch_norm: true, max_teacher_fraction: 1.0}
                distill: {epochs: 2, warmup_epochs: 0}
                prune: {enabled: false}
                ptq: {methods: [minmax], granularities: [per_channel]}
                qat: {epochs: 1, calibration_rows: 100}
                evaluation: {profiles_dir: %s}
                """.formatted(data, Path.of("..", "conf", "profiles").toAbsolutePath().normalize()));
        Path out = dir.resolve("out");
        for (String stage : List.of("prepare", "train-teacher", "label", "distill", "qat", "export")) {
            assertThat(run(config, out, stage)).as(stage).isZero();
        }

        ModelArtifact kd = ModelIO.read(out.resolve("student/student-kd.dmodel"));
        assertThat(kd.architecture().name()).isEqualTo("student-ds-cnn-4-8-bn");
        assertThat(kd.architecture().layers()).noneMatch(l -> l instanceof LayerSpec.BatchNorm);
        // stem, depthwise and pointwise convolutions each had one
        assertThat(kd.metadata()).containsEntry("batch_norm", "folded").containsEntry("batch_norm_layers", "3");
        assertThat(ModelIO.read(out.resolve("student/student-baseline.dmodel")).architecture().hasBatchNorm()).isFalse();

        // the saved student is the best epoch's network, batch norm and all, folded
        ModelArtifact trained = ModelIO.read(out.resolve("student/checkpoints/student-kd-epoch-00"
                + kd.metadata().get("best_epoch") + ".dmodel"));
        assertThat(trained.architecture().hasBatchNorm()).isTrue();
        float[][] rows = Examples.collect(Examples.load(TestSpark.get(), out.resolve("prepared"), Examples.VALIDATION))
                .features();
        float[][] expected = Engines.network().forInference(trained.architecture(), trained.params(), GraphHooks.NONE)
                .logits(rows);
        float[][] actual = Engines.network().forInference(kd.architecture(), kd.params(), GraphHooks.NONE).logits(rows);
        for (int i = 0; i < rows.length; i++) {
            double scale = 0;
            for (float v : expected[i]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int c = 0; c < expected[i].length; c++) {
                assertThat((double) Math.abs(actual[i][c] - expected[i][c])).isLessThanOrEqualTo(1e-4 * scale);
            }
        }

        ModelArtifact qat = ModelIO.read(out.resolve("student-qat/student-qat.dmodel"));
        assertThat(qat.architecture()).isEqualTo(kd.architecture());
        // folded layers: 0 conv, 1 relu, 2 pool, 3 depthwise, 4 relu, 5 pointwise, 6 relu, 7 flatten, 8 dense
        assertThat(qat.quant().activationMax().keySet()).containsExactlyInAnyOrder("input", "L1", "L4", "L6");
        assertThat(out.resolve("export/student-int8.dint")).isNotEmptyFile();
        assertThat(out.resolve("export/student-kd.onnx")).isNotEmptyFile();
        // the default profiles include NPUs that take dense layers per tensor only, and this run's only PTQ variant
        // is per channel: export adds the QAT student with per-tensor weights, in every format
        IntegerModel perTensor = IntegerModelIO.read(out.resolve("export/student-int8-per_tensor.dint"));
        assertThat(perTensor.perTensorLayers()).hasSize(perTensor.layers().size());
        assertThat(IntegerModelIO.read(out.resolve("export/student-int8.dint")).perTensorLayers())
                .hasSizeLessThan(perTensor.layers().size());
        assertThat(out.resolve("export/student-int8-per_tensor.tflite")).isNotEmptyFile();
        assertThat(out.resolve("export/c/student_int8_per_tensor/student_int8_per_tensor.c")).isNotEmptyFile();
        assertThat(Files.readString(out.resolve("export/artifacts.json"))).contains("\"student-int8-per_tensor\"");
    }
}
