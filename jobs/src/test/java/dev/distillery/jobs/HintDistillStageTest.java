package dev.distillery.jobs;

import dev.distillery.core.manifest.Manifest;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.manifest.ModelOutput;
import dev.distillery.core.model.ModelArtifact;
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
 * The distill stage with a hint on 300 digits: one more student, saved with exactly the student architecture's
 * parameters (the projection stays behind), its figures in the manifest; a hint that cannot work is refused with
 * exit 2 before any work, naming the field.
 */
class HintDistillStageTest {
    @TempDir
    static Path shared;
    static Path base;
    static Path config;
    static final String[] HINT = {"distill.hint.teacher_layer=L5", "distill.hint.student_layer=2",
            "distill.hint.weight=0.5"};

    @BeforeAll
    static void prepareTeacherAndLabels() throws Exception {
        TestSpark.get();
        Path data = Files.createDirectories(shared.resolve("data"));
        Digits.writeCsv(data);
        config = shared.resolve("digits.yaml");
        // teacher: L1 relu [4x8x8], L5 relu [16]; student mlp: L2 relu [8]
        Files.writeString(config, """
                name: hint
                seed: 5
                data: {format: csv, dir: %s, train_file: train.csv, test_file: test.csv, label_column: _c64,
                       csv_header: false, shape: [1, 8, 8], feature_scale: 0.0625, train_limit: 300, test_limit: 50}
                spark: {master: "local[2]", workers: 2, averaging_frequency: 4}
                teacher: {conv_filters: [4], dense_units: 16, epochs: 1, warmup_epochs: 0, label_batch_size: 64}
                student: {type: mlp, hidden: [8], max_teacher_fraction: 1.0}
                distill: {epochs: 2, warmup_epochs: 0}
                """.formatted(data));
        base = shared.resolve("base");
        for (String stage : List.of("prepare", "train-teacher", "label")) {
            CliRun.Result r = run(stage, base);
            assertThat(r.code()).as(stage + ": " + r.err()).isZero();
        }
    }

    private static CliRun.Result run(String stage, Path out, String... sets) {
        return CliRun.stage(config, stage, out, sets);
    }

    @Test
    void trainsAHintStudentThatHoldsOnlyTheStudentsParameters() throws Exception {
        CliRun.Result r = run("distill", base, HINT);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("hint: teacher L5 [16] -> student L2 [8], projection of 144 parameters");

        Path student = DistillStage.OUTPUT.dir(base);
        ModelArtifact kd = ModelIO.read(DistillStage.KD_MODEL.path(base), DistillStage.KIND);
        ModelArtifact hinted = ModelIO.read(DistillStage.HINT_MODEL.path(base), DistillStage.KIND);
        assertThat(hinted.architecture()).isEqualTo(kd.architecture());
        assertThat(hinted.params().keySet()).containsExactlyElementsOf(kd.params().keySet());
        assertThat(hinted.params().values().stream().mapToLong(p -> p.length).sum())
                .isEqualTo(kd.architecture().parameterCount());
        assertThat(hinted.metadata()).containsEntry("variant", "kd_hint").containsEntry("hint_teacher_layer", "L5")
                .containsEntry("hint_student_layer", "L2").containsEntry("hint_weight", "0.5");
        // same initial weights and data as the KD student, but the hint changes what it learns
        assertThat(hinted.params().get("L1_w")).isNotEqualTo(kd.params().get("L1_w"));

        Manifest m = ManifestIO.read(student).orElseThrow();
        assertThat(m.outputs()).containsKey("kd_hint");
        // evaluate and export learn the students from this list, the hint student with its lineage and teachers
        assertThat(m.models()).containsEntry("student-kd-hint",
                new ModelOutput("student-kd", DistillStage.HINT_MODEL.name()));
        assertThat(m.models().keySet()).containsExactly("student-baseline", "student-kd", "student-kd-hint");
        assertThat(hinted.metadata()).containsEntry("lineage.from", "student/student-kd.dmodel")
                .containsEntry("lineage.relation", "sibling").containsEntry("lineage.techniques", "hint")
                .containsKey("distillation.teachers");
        assertThat(m.metrics()).containsEntry("kd_hint_teacher_layer", "L5")
                .containsEntry("kd_hint_projection_parameters", 144)
                .containsKey("kd_hint_validation_accuracy").containsEntry("kd_hint_epochs_run", 2);
        // the checkpoints carry the projection, so --resume continues it
        ModelArtifact checkpoint = ModelIO.read(student.resolve("checkpoints/student-kd-hint-epoch-002.dmodel"));
        assertThat(checkpoint.params()).containsKeys("hint_projection_w", "hint_projection_b");
        assertThat(checkpoint.params().get("hint_projection_w")).hasSize(8 * 16);
    }

    @Test
    void refusesAHintOnALayerThatIsNotAnActivationBeforeAnyWork() throws Exception {
        Path out = shared.resolve("refused");
        CliRun.Result r = run("run", out, "distill.hint.teacher_layer=L4", "distill.hint.student_layer=L2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("distill.hint.teacher_layer is L4, a dense layer of the teacher",
                "hints use ReLU outputs: L1 [4x8x8], L5 [16]");
        // refused at preflight: not even the data was prepared
        assertThat(out.resolve("prepared")).doesNotExist();
    }

    @Test
    void refusesAMapHintOnAVectorBeforeTraining() {
        CliRun.Result r = run("distill", shared.resolve("base"), "distill.hint.teacher_layer=1",
                "distill.hint.student_layer=L2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("student layer L2 [8] and teacher layer L1 [4x8x8] cannot be matched");
    }
}
