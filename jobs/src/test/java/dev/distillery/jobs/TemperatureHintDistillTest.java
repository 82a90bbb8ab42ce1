package dev.distillery.jobs;

import dev.distillery.core.manifest.Manifest;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.testing.TestSpark;
import dev.distillery.jobs.stage.DistillStage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Soft labels made with the default temperature hint 4.0 (300 digits): distilling them at another temperature
 * trains as configured and says so on the console, in distill's manifest and in the KD student's lineage;
 * distilling at the hint says nothing, and the same temperature written as 4 or 4.0 is one config.
 */
class TemperatureHintDistillTest {
    static final String WARNING = "warning: distill.temperature is 2.0 but the soft labels were labelled with "
            + "temperature hint 4.0 (label.temperature_hint)";

    @TempDir
    static Path shared;
    static Path base;
    static Path config;

    @BeforeAll
    static void prepareTeacherAndLabels() throws Exception {
        TestSpark.get();
        Path data = Files.createDirectories(shared.resolve("data"));
        Digits.writeCsv(data);
        config = shared.resolve("digits.yaml");
        Files.writeString(config, """
                name: hint-temperature
                seed: 5
                data: {format: csv, dir: %s, train_file: train.csv, test_file: test.csv, label_column: _c64,
                       csv_header: false, shape: [1, 8, 8], feature_scale: 0.0625, train_limit: 300, test_limit: 50}
                spark: {master: "local[2]", workers: 2, averaging_frequency: 4}
                teacher: {conv_filters: [4], dense_units: 16, epochs: 1, warmup_epochs: 0, label_batch_size: 64}
                student: {type: mlp, hidden: [8], max_teacher_fraction: 1.0}
                distill: {epochs: 1, warmup_epochs: 0}
                """.formatted(data));
        base = shared.resolve("base");
        for (String stage : List.of("prepare", "train-teacher", "label")) {
            CliRun.Result r = CliRun.stage(config, stage, base);
            assertThat(r.code()).as(stage + ": " + r.err()).isZero();
        }
    }

    @Test
    void distillingAtAnotherTemperatureThanTheLabelsHintWarnsAndRecordsIt() throws Exception {
        CliRun.Result r = CliRun.stage(config, "distill", base, "distill.temperature=2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(WARNING);

        Path student = DistillStage.OUTPUT.dir(base);
        Manifest m = ManifestIO.read(student).orElseThrow();
        assertThat((String) m.metrics().get("temperature_hint_warning")).startsWith(WARNING.substring(9))
                .endsWith("so distillation runs at T=2.0 as configured");
        var kd = ModelIO.read(DistillStage.KD_MODEL.path(base), DistillStage.KIND);
        assertThat(kd.metadata()).containsEntry("temperature", "2.0");
        assertThat(kd.metadata().get("lineage.detail")).contains("(T=2.0, labels' hint T=4.0, alpha=0.7)");
    }

    @Test
    void distillingAtTheHintSaysNothingAndFourIsFourPointZero() throws Exception {
        CliRun.Result r = CliRun.stage(config, "distill", base, "distill.temperature=4");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("warning: distill.temperature");
        Path student = DistillStage.OUTPUT.dir(base);
        assertThat(ManifestIO.read(student).orElseThrow().metrics()).doesNotContainKey("temperature_hint_warning");
        assertThat(ModelIO.read(DistillStage.KD_MODEL.path(base), DistillStage.KIND).metadata()
                .get("lineage.detail")).contains("(T=4.0, alpha=0.7)");

        CliRun.Result again = CliRun.stage(config, "distill", base, "distill.temperature=4.0");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("[distill] up to date");
    }
}
