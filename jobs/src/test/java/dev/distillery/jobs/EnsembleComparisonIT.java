package dev.distillery.jobs;

import dev.distillery.core.engine.Engines;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.distillery.core.data.Examples;
import dev.distillery.core.data.Rows;
import dev.distillery.core.labels.SoftLabelFiles;
import dev.distillery.core.labels.SoftLabelMetadata;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.testing.TestSpark;
import dev.distillery.student.quant.IntegerModelIO;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Every stage on 600 digits with an ensemble of two real teachers (another seed and width for the second): the
 * label stage also stores the run's teacher's own labels, distill trains a student from them, and the report sets
 * it against the ensemble-distilled student with both teachers named and the ablation table following the real
 * lineage. Then the same run with int4 QAT weights exports and reports {@code student-int4}.
 */
class EnsembleComparisonIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    @TempDir
    static Path shared;
    static Path config;
    static Path out;
    static Path otherTeacher;
    static CliRun.Result pipeline;
    static JsonNode report;
    static Map<String, JsonNode> variants = new HashMap<>();
    @TempDir
    Path tmp;

    @BeforeAll
    static void runWithAnEnsembleOfTwoTeachers() throws Exception {
        TestSpark.get();
        Path data = Files.createDirectories(shared.resolve("data"));
        Digits.writeCsv(data);
        config = shared.resolve("digits.yaml");
        Files.writeString(config, """
                name: ensemble
                seed: 5
                data: {format: csv, dir: %s, train_file: train.csv, test_file: test.csv, label_column: _c64,
                       csv_header: false, shape: [1, 8, 8], feature_scale: 0.0625, train_limit: 600, test_limit: 200}
                spark: {master: "local[2]", workers: 2, averaging_frequency: 4}
                teacher: {conv_filters: [8], dense_units: 32, epochs: 4, batch_size: 32, learning_rate: 0.01,
                          warmup_epochs: 0, label_batch_size: 128}
                student: {type: mlp, hidden: [16], max_teacher_fraction: 1.0}
                distill: {epochs: 4, batch_size: 32, warmup_epochs: 0, learning_rate: 0.01}
                prune: {epochs: 1, batch_size: 32, schedule: one-shot}
                qat: {epochs: 1, calibration_rows: 100}
                ptq: {methods: [minmax, entropy]}
                evaluation: {profiles_dir: %s, profiles: [cortex-m7, x86-avx2-host], latency_runs: 0,
                             bootstrap_resamples: 50}
                """.formatted(data, REPO.resolve("conf/profiles")));
        // a second teacher of another seed and width, trained for real in its own run folder
        Path other = shared.resolve("other");
        for (String stage : List.of("prepare", "train-teacher")) {
            CliRun.Result r = run(stage, other, "seed=6", "teacher.conv_filters=[6]");
            assertThat(r.code()).as(stage + ": " + r.err()).isZero();
        }
        otherTeacher = other.resolve("teacher/teacher.dmodel");
        out = shared.resolve("run");
        pipeline = run("run", out, "label.teachers=[" + otherTeacher + "]");
        assertThat(pipeline.code()).as(pipeline.err()).isZero();
        report = ManifestIO.json().readTree(out.resolve("reports/report.json").toFile());
        for (JsonNode v : report.path("variants")) {
            variants.put(v.path("name").asText(), v);
        }
    }

    private static CliRun.Result run(String stage, Path dir, String... sets) {
        return CliRun.stage(config, stage, dir, sets);
    }

    @Test
    void theSingleTeacherLabelsAreTheRunsTeacherAloneOnTheSameRows() throws Exception {
        Path single = out.resolve("soft-labels/labels-single-teacher");
        SoftLabelMetadata ensembleMeta = SoftLabelFiles.read(out.resolve("soft-labels/labels"));
        SoftLabelMetadata singleMeta = SoftLabelFiles.read(single);
        String ownSha = ManifestIO.sha256(out.resolve("teacher/teacher.dmodel"));
        assertThat(ensembleMeta.teachers()).extracting(t -> t.sha256())
                .containsExactly(ownSha, ManifestIO.sha256(otherTeacher));
        assertThat(ensembleMeta.ensemble()).isEqualTo("mean-logits");
        assertThat(singleMeta.teachers()).extracting(t -> t.sha256()).containsExactly(ownSha);
        assertThat(singleMeta.ensemble()).isEqualTo("none");
        assertThat(out.resolve("soft-labels/soft-labels-single-teacher.json")).isNotEmptyFile();

        var spark = TestSpark.get();
        long rows = spark.read().parquet(single.toString()).count();
        assertThat(rows).isEqualTo(spark.read().parquet(out.resolve("soft-labels/labels").toString()).count());
        // stored logits against a fresh forward pass of the run's teacher on the same examples
        List<Row> some = spark.read().parquet(single.toString()).orderBy("id").limit(16)
                .join(Examples.load(spark, out.resolve("prepared"), Examples.TRAIN).select("id", "features"), "id")
                .select("id", "features", "logits").collectAsList();
        assertThat(some).isNotEmpty();
        ModelArtifact teacher = ModelIO.read(out.resolve("teacher/teacher.dmodel"));
        float[][] x = some.stream().map(r -> Rows.floats(r, 1)).toArray(float[][]::new);
        float[][] fresh = Engines.network().forInference(teacher.architecture(), teacher.params(), GraphHooks.NONE).logits(x);
        for (int i = 0; i < x.length; i++) {
            float[] stored = Rows.floats(some.get(i), 2);
            for (int c = 0; c < stored.length; c++) {
                assertThat(stored[c]).isCloseTo(fresh[i][c], within(1e-4f));
            }
        }
    }

    @Test
    void distillTrainsTheSingleTeacherStudentFromTheSameStartOnOtherTargets() {
        ModelArtifact single = ModelIO.read(out.resolve("student/student-kd-single-teacher.dmodel"));
        ModelArtifact kd = ModelIO.read(out.resolve("student/student-kd.dmodel"));
        assertThat(single.architecture()).isEqualTo(kd.architecture());
        String firstWeights = kd.architecture().layerInfos().get(1).weightName();
        assertThat(single.params().get(firstWeights)).isNotEqualTo(kd.params().get(firstWeights));
        assertThat(single.metadata()).containsEntry("lineage.from", "student/student-baseline.dmodel")
                .containsEntry("distillation.ensemble", "none");
        assertThat(kd.metadata()).containsEntry("lineage.from", "student/student-kd-single-teacher.dmodel")
                .containsEntry("lineage.techniques", "teacher-ensemble")
                .containsEntry("distillation.ensemble", "mean-logits");
        assertThat(pipeline.out()).contains("student-kd-single-teacher.dmodel from a single teacher");
    }

    @Test
    void theReportSetsTheEnsembleStudentAgainstTheSingleTeacherOneInEveryFormat() throws Exception {
        var schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(REPO.resolve("docs/report-schema.json")), InputFormat.JSON);
        assertThat(schema.validate(report.toString(), InputFormat.JSON)).isEmpty();

        JsonNode single = variants.get("student-kd-single-teacher");
        JsonNode ensemble = variants.get("student-kd");
        assertThat(single).isNotNull();
        // ten balanced digit classes: chance is 10%; 4 epochs on 540 images reach far more (an 8x8 digit MLP
        // passes 80% within a few dozen steps), so 30% is above chance with room for run-to-run noise
        assertThat(single.path("accuracy").asDouble()).isGreaterThan(0.3);
        assertThat(ensemble.path("accuracy").asDouble()).isGreaterThan(0.3);
        assertThat(single.path("distilled_from").path("teachers")).extracting(t -> t.path("sha256").asText())
                .containsExactly(ManifestIO.sha256(out.resolve("teacher/teacher.dmodel")));
        assertThat(ensemble.path("distilled_from").path("ensemble").asText()).isEqualTo("mean-logits");
        assertThat(ensemble.path("distilled_from").path("teachers")).extracting(t -> t.path("architecture").asText())
                .hasSize(2).doesNotHaveDuplicates();
        assertThat(ensemble.path("lineage").path("from").asText()).isEqualTo("student-kd-single-teacher");

        JsonNode step = step("student-kd-single-teacher", "student-kd");
        assertThat(step.path("relation").asText()).isEqualTo("sibling");
        assertThat(step.path("techniques")).extracting(JsonNode::asText).containsExactly("teacher-ensemble");
        assertThat(step.path("accuracy").path("from").asDouble()).isEqualTo(single.path("accuracy").asDouble());
        assertThat(step.path("accuracy").path("delta_points").asDouble()).isCloseTo(100
                * (ensemble.path("accuracy").asDouble() - single.path("accuracy").asDouble()), within(1e-9));
        assertThat(step.path("weight_bytes").path("delta").asLong()).isZero();
        assertThat(step("student-baseline", "student-kd-single-teacher").path("techniques"))
                .extracting(JsonNode::asText).containsExactly("distillation");

        String md = Files.readString(out.resolve("reports/report.md"));
        assertThat(md).contains("## Teachers of the distilled students",
                "### Ensemble against single teacher: student-kd against student-kd-single-teacher",
                "| student-kd-single-teacher → student-kd | sibling |");
        assertThat(Files.readString(out.resolve("reports/report.html")))
                .contains("<h2 id=\"teachers\">", "Ensemble against single teacher", "ensemble of 2 (mean-logits)");
    }

    @Test
    void theAblationFollowsTheLineageTheModelFilesRecord() {
        List<String> steps = new ArrayList<>();
        report.path("ablation").forEach(s -> steps.add(s.path("from").asText() + " -> " + s.path("to").asText()));
        String bestPtq = step("student-pruned", null).path("to").asText();
        assertThat(bestPtq).startsWith("student-ptq-");
        assertThat(steps).containsExactly("teacher -> student-baseline", "student-baseline -> student-kd-single-teacher",
                "student-kd-single-teacher -> student-kd", "student-kd -> student-pruned",
                "student-pruned -> student-int8", "student-pruned -> " + bestPtq, "teacher -> student-int8");
        // the best of the PTQ variants, and the integer file's own step walks through the QAT model file
        JsonNode ptq = step("student-pruned", bestPtq);
        // two calibration methods x two weight granularities
        assertThat(ptq.path("alternatives").asInt()).isEqualTo(4);
        for (JsonNode v : report.path("variants")) {
            if (v.path("name").asText().startsWith("student-ptq-")) {
                assertThat(v.path("accuracy").asDouble()).isLessThanOrEqualTo(ptq.path("accuracy").path("to").asDouble());
            }
        }
        assertThat(step("student-pruned", "student-int8").path("techniques")).extracting(JsonNode::asText)
                .containsExactly("qat", "integer-conversion");
        JsonNode total = step("teacher", "student-int8");
        assertThat(total.path("relation").asText()).isEqualTo("total");
        assertThat(total.path("techniques")).extracting(JsonNode::asText).containsExactly("student-architecture",
                "distillation", "teacher-ensemble", "pruning", "qat", "integer-conversion");
        assertThat(total.path("accuracy").path("to").asDouble()).isEqualTo(variants.get("student-int8")
                .path("accuracy").asDouble());
        assertThat(total.path("file_bytes").path("to").asLong()).isEqualTo(variants.get("student-int8")
                .path("size_bytes").asLong());
        // pruning leaves the dense bytes as they were and shrinks only the sparse encoding
        JsonNode prune = step("student-kd", "student-pruned");
        assertThat(prune.path("weight_bytes").path("delta").asLong()).isZero();
        assertThat(prune.path("weight_bytes_sparse").path("delta").asLong()).isNegative();
    }

    @Test
    void int4WeightsAreExportedAndReportedUnderTheirOwnName() throws Exception {
        Path copy = tmp.resolve("int4");
        try (Stream<Path> files = Files.walk(out)) {
            for (Path p : files.toList()) {
                Files.copy(p, copy.resolve(out.relativize(p).toString()));
            }
        }
        for (String stage : List.of("qat", "export", "evaluate")) {
            CliRun.Result r = run(stage, copy, "label.teachers=[" + otherTeacher + "]", "qat.weight_bits=4");
            assertThat(r.code()).as(stage + ": " + r.err()).isZero();
        }
        assertThat(copy.resolve("export/student-int4.dint")).isNotEmptyFile();
        assertThat(copy.resolve("export/student-int4-qdq.onnx")).isNotEmptyFile();
        assertThat(copy.resolve("export/student-int8.dint")).doesNotExist();
        assertThat(copy.resolve("export/student-int8-qdq.onnx")).doesNotExist();
        assertThat(IntegerModelIO.read(copy.resolve("export/student-int4.dint")).weightBits()).isEqualTo(4);
        assertThat(ManifestIO.read(copy.resolve("export")).orElseThrow().outputs()).containsKey("int4")
                .doesNotContainKey("int8");

        JsonNode int4Report = ManifestIO.json().readTree(copy.resolve("reports/report.json").toFile());
        JsonNode int4 = null;
        for (JsonNode v : int4Report.path("variants")) {
            if (v.path("name").asText().equals("student-int4")) {
                int4 = v;
            }
        }
        assertThat(int4).isNotNull();
        assertThat(int4.path("precision").asText()).isEqualTo("int4");
        assertThat(int4.path("source").asText()).endsWith("export/student-int4.dint");
        boolean hasStep = false;
        for (JsonNode s : int4Report.path("ablation")) {
            hasStep |= s.path("from").asText().equals("student-pruned") && s.path("to").asText().equals("student-int4");
        }
        assertThat(hasStep).as("ablation row student-pruned -> student-int4").isTrue();
    }

    /** The ablation step between two variants; {@code to} null: the first step from {@code from} to a PTQ variant. */
    private static JsonNode step(String from, String to) {
        for (JsonNode s : report.path("ablation")) {
            String t = s.path("to").asText();
            if (s.path("from").asText().equals(from) && (to == null ? t.startsWith("student-ptq-") : t.equals(to))) {
                return s;
            }
        }
        throw new AssertionError("no ablation step " + from + " -> " + to + " in " + report.path("ablation"));
    }
}
