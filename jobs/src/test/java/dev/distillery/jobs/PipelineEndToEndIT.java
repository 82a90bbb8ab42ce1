package dev.distillery.jobs;

import dev.distillery.core.engine.Engines;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.distillery.core.data.Examples;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.engine.Network;
import dev.distillery.core.testing.FashionMnist;
import dev.distillery.core.testing.TestSpark;
import dev.distillery.core.train.SparkTrainer;
import dev.distillery.jobs.cli.DistilleryCli;
import dev.distillery.core.engine.FakeQuantHooks;
import dev.distillery.student.quant.IntegerModelIO;
import dev.distillery.student.runtime.IntegerRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `run` on 2,000 Fashion-MNIST images, one epoch per stage, on local Spark; checks the whole output contract. The
 * tests that read the run come first (orders 1-5); those from 100 on re-run stages with other settings.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class PipelineEndToEndIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    @TempDir
    static Path out;
    @TempDir
    static Path channelsOut;
    static int exitCode;

    static String[] args(String command, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of(command, "--config", REPO.resolve("conf/smoke.yaml").toString(),
                "--out", out.toString(), "--master", "local[2]",
                "--set", "data.dir=" + FashionMnist.DIR,
                "--set", "evaluation.profiles_dir=" + REPO.resolve("conf/profiles")));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @BeforeAll
    static void runPipeline() {
        TestSpark.get();
        exitCode = DistilleryCli.execute(args("run"));
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void everyStageWritesAManifestAndTheRunSucceeds() throws Exception {
        assertThat(exitCode).isZero();
        for (String dir : List.of("prepared", "teacher", "soft-labels", "student", "student-pruned", "student-qat",
                "export", "reports", "deploy")) {
            var manifest = ManifestIO.read(out.resolve(dir));
            assertThat(manifest).as(dir).isPresent();
            assertThat(manifest.get().configHash()).hasSize(64);
            assertThat(manifest.get().versions()).containsKeys("java", "spark", "nd4j");
        }
        assertThat(ManifestIO.read(out.resolve("soft-labels")).get().rowCounts().get("soft_labels")).isEqualTo(2000L);
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList()).isEmpty();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void reportHasEveryVariantAboveChanceAndProfileRows() throws Exception {
        String json = Files.readString(out.resolve("reports/report.json"));
        // The real report, not a fixture, against the published schema (strict about unknown fields).
        var schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(Path.of("..", "docs", "report-schema.json")), InputFormat.JSON);
        assertThat(schema.validate(json, InputFormat.JSON)).isEmpty();
        JsonNode report = ManifestIO.json().readTree(json);
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode v : report.path("variants")) {
            names.add(v.path("name").asText());
            // ten balanced classes: chance is 10%; the smoke config's models reach about 70% (2-4 epochs on 1,800
            // images), so 40% is far above chance and still leaves room for run-to-run noise
            assertThat(v.path("accuracy").asDouble()).as(v.path("name").asText()).isGreaterThan(0.4);
            assertThat(v.path("size_bytes").asLong()).isPositive();
            assertThat(v.path("params").asLong()).isPositive();
            assertThat(v.path("macs").asLong()).isPositive();
        }
        // the six post-training-quantization variants: three calibration methods x two weight granularities
        assertThat(names).containsExactly("teacher", "student-baseline", "student-kd", "student-pruned", "student-int8",
                "student-ptq-entropy-per_channel", "student-ptq-entropy-per_tensor", "student-ptq-minmax-per_channel",
                "student-ptq-minmax-per_tensor", "student-ptq-percentile-per_channel",
                "student-ptq-percentile-per_tensor");
        // evaluate learned them from the manifests: distill's and prune's students, export's integer models
        List<String> listed = new java.util.ArrayList<>(List.of("teacher"));
        for (String dir : List.of("student", "student-pruned", "export")) {
            listed.addAll(ManifestIO.read(out.resolve(dir)).orElseThrow().models().keySet());
        }
        assertThat(names).isEqualTo(listed);
        assertThat(ManifestIO.read(out.resolve("student-qat")).orElseThrow().models()).containsEntry("student-qat",
                new dev.distillery.core.manifest.ModelOutput("qat", "student-qat.dmodel"))
                .containsEntry("student-ptq-minmax-per_tensor",
                        new dev.distillery.core.manifest.ModelOutput("ptq", "ptq/ptq-minmax-per_tensor.dmodel"))
                .hasSize(7);
        assertThat(report.path("profile_rows")).hasSize(11 * 2);
        assertThat(out.resolve("export/student-int8-qdq.onnx")).isNotEmptyFile();
        assertThat(out.resolve("reports/report.md")).isNotEmptyFile();
        assertThat(Files.readString(out.resolve("reports/report.html"))).contains("id=\"report-data\"", "chart-size");
        // Every variant was timed on this machine and compared with the host profile's estimate.
        assertThat(report.path("cost_model_check").path("rows")).hasSizeGreaterThanOrEqualTo(5);
        assertThat(report.path("variants").get(1).path("metrics").path("teacher_agreement").asDouble())
                .isBetween(0.0, 1.0);
        for (JsonNode card : report.path("model_cards")) {
            assertThat(out.resolve("reports").resolve(card.path("file").asText())).isNotEmptyFile();
        }
        ablationFollowsTheRecordedLineage(report);
        deploymentFollowsTheRecommendations(report);
    }

    /**
     * Every integer variant was exported to TFLite and C; the C builds ran on the emulated Cortex-M7 (cortex-m7's
     * core) and each recommendation became a bundle in its profile's format whose checksums hold.
     */
    private static void deploymentFollowsTheRecommendations(JsonNode report) throws Exception {
        assertThat(out.resolve("export/student-int8.tflite")).isNotEmptyFile();
        assertThat(out.resolve("export/c/student_int8/student_int8.c")).isNotEmptyFile();
        String skipped = report.path("notes").path("device_measurements_skipped").asText("");
        if (!skipped.isEmpty() && !"true".equals(System.getenv("CI"))) {
            System.err.println("PipelineEndToEndIT: C builds not measured on this machine (" + skipped
                    + "); .ci/run installs the tools");
        } else {
            assertThat(skipped).as("tools CI installs").isEmpty();
            measuredOnTheEmulatedCortexM7(report);
        }
        JsonNode deployments = report.path("deployments");
        // x86-avx2-host takes ONNX, which every student has: it always gets a bundle
        assertThat(deployments).extracting(d -> d.path("profile").asText()).contains("x86-avx2-host");
        for (JsonNode rec : report.path("recommendations")) {
            String profile = rec.path("profile").asText();
            Path bundle = out.resolve("deploy").resolve(profile);
            if (rec.path("variant").isNull()) {
                assertThat(bundle).as(profile).doesNotExist();
                continue;
            }
            JsonNode d = null;
            for (JsonNode x : deployments) {
                if (x.path("profile").asText().equals(profile)) {
                    d = x;
                }
            }
            assertThat(d).as(profile).isNotNull();
            assertThat(d.path("variant").asText()).isEqualTo(rec.path("variant").asText());
            String extension = switch (d.path("format").asText()) {
                case "c" -> ".c";
                case "tflite" -> ".tflite";
                default -> ".onnx";
            };
            List<String> lines = Files.readAllLines(bundle.resolve("SHA256SUMS"));
            assertThat(lines).anyMatch(l -> l.endsWith(extension)).anyMatch(l -> l.endsWith("quantization.json"));
            for (String line : lines) {
                String[] parts = line.split("  ");
                try (var in = Files.newInputStream(bundle.resolve(parts[1]))) {
                    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
                    assertThat(java.util.HexFormat.of().formatHex(digest)).as(parts[1]).isEqualTo(parts[0]);
                }
            }
        }
    }

    /** Seven integer variants (QAT int8 and six PTQ), each built for the one core the smoke profiles name. */
    private static void measuredOnTheEmulatedCortexM7(JsonNode report) {
        JsonNode devices = report.path("device_measurements");
        assertThat(devices).hasSize(7);
        for (JsonNode d : devices) {
            assertThat(d.path("core").asText()).isEqualTo("cortex-m7");
            assertThat(d.path("machine").asText()).isEqualTo("mps2-an500");
            long macs = 0;
            for (JsonNode v : report.path("variants")) {
                if (v.path("name").asText().equals(d.path("variant").asText())) {
                    macs = v.path("macs").asLong();
                }
            }
            // integer kernels on a scalar core spend at least one instruction per multiply-accumulate
            assertThat(macs).isPositive();
            assertThat(d.path("instructions_per_inference").asLong()).isGreaterThanOrEqualTo(macs);
            assertThat(d.path("flash_weight_bytes").asLong()).isPositive();
            assertThat(d.path("arena_bytes").asLong()).isPositive();
        }
    }

    /** The ablation table of the real report: its chain comes from the model files, its figures from the variants. */
    private static void ablationFollowsTheRecordedLineage(JsonNode report) throws Exception {
        java.util.Map<String, JsonNode> byName = new java.util.HashMap<>();
        report.path("variants").forEach(v -> byName.put(v.path("name").asText(), v));
        List<String> steps = new java.util.ArrayList<>();
        for (JsonNode s : report.path("ablation")) {
            JsonNode from = byName.get(s.path("from").asText());
            JsonNode to = byName.get(s.path("to").asText());
            steps.add(s.path("from").asText() + " -> " + s.path("to").asText());
            assertThat(s.path("accuracy").path("from").asDouble()).isEqualTo(from.path("accuracy").asDouble());
            assertThat(s.path("accuracy").path("to").asDouble()).isEqualTo(to.path("accuracy").asDouble());
            assertThat(s.path("file_bytes").path("to").asLong()).isEqualTo(to.path("size_bytes").asLong());
            assertThat(s.path("macs").path("delta").asLong())
                    .isEqualTo(to.path("macs").asLong() - from.path("macs").asLong());
        }
        // no temperatures or ensemble in the smoke config; the best of the six PTQ variants gets the one PTQ row
        assertThat(steps).hasSize(6).startsWith("teacher -> student-baseline", "student-baseline -> student-kd",
                "student-kd -> student-pruned", "student-pruned -> student-int8").endsWith("teacher -> student-int8");
        assertThat(steps.get(4)).startsWith("student-pruned -> student-ptq-");
        JsonNode total = report.path("ablation").get(5);
        assertThat(total.path("relation").asText()).isEqualTo("total");
        assertThat(total.path("weight_bytes").path("ratio").asDouble()).isLessThan(1.0);
        assertThat(Files.readString(out.resolve("reports/report.md")))
                .contains("## Ablation: what each technique added or cost", "| student-kd → student-pruned | derived |");
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void integerModelAgreesWithFakeQuantModelOnNinetyNinePercentOfTestRows() {
        ModelArtifact qat = ModelIO.read(out.resolve("student-qat/student-qat.dmodel"));
        var test = Examples.collect(Examples.load(TestSpark.get(), out.resolve("prepared"), Examples.TEST));
        int[] fake = SparkTrainer.predict(Engines.network().forInference(qat.architecture(), qat.params(),
                new FakeQuantHooks(qat.quant())), test.features(), 500);
        IntegerRuntime runtime = new IntegerRuntime(IntegerModelIO.read(out.resolve("export/student-int8.dint")));
        int agree = 0;
        for (int i = 0; i < test.size(); i++) {
            if (SparkTrainer.argmax(runtime.logits(test.features()[i])) == fake[i]) {
                agree++;
            }
        }
        assertThat((double) agree / test.size()).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    @org.junit.jupiter.api.Order(4)
    void rerunSkipsFinishedStagesAndForceRedoesOne() throws Exception {
        String before = Files.readString(out.resolve("teacher/manifest.json"));
        assertThat(DistilleryCli.execute(args("train-teacher"))).isZero();
        assertThat(Files.readString(out.resolve("teacher/manifest.json"))).isEqualTo(before);
        String exportBefore = ManifestIO.read(out.resolve("export")).orElseThrow().startedAt();
        assertThat(DistilleryCli.execute(args("export", "--force"))).isZero();
        assertThat(ManifestIO.read(out.resolve("export")).orElseThrow().startedAt()).isNotEqualTo(exportBefore);
        // a deleted output makes the stage run again even without --force
        Files.delete(out.resolve("export/student-kd.onnx"));
        assertThat(DistilleryCli.execute(args("export"))).isZero();
        assertThat(out.resolve("export/student-kd.onnx")).isNotEmptyFile();
    }

    @Test
    @org.junit.jupiter.api.Order(5)
    void stageRefusesUpstreamOutputMadeUnderAnotherConfig() {
        PrintStream old = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        int code;
        try {
            code = DistilleryCli.execute(args("label", "--set", "teacher.epochs=9"));
        } finally {
            System.setErr(old);
        }
        assertThat(code).isEqualTo(2);
        assertThat(buf.toString()).contains("run train-teacher first");
    }

    @Test
    @org.junit.jupiter.api.Order(100)
    void failedGateExitsFourAndStillWritesTheReport() throws Exception {
        int code = DistilleryCli.execute(args("evaluate", "--set", "evaluation.required_profiles=[cortex-m7]",
                "--set", "evaluation.min_accuracy={cortex-m7: 0.999}"));
        assertThat(code).isEqualTo(4);
        String json = Files.readString(out.resolve("reports/report.json"));
        // The real report, not a fixture, against the published schema (strict about unknown fields).
        var schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(Path.of("..", "docs", "report-schema.json")), InputFormat.JSON);
        assertThat(schema.validate(json, InputFormat.JSON)).isEmpty();
        JsonNode report = ManifestIO.json().readTree(json);
        assertThat(report.path("variants")).hasSize(11);
        assertThat(report.path("failed_required_profiles")).extracting(JsonNode::asText).containsExactly("cortex-m7");
        assertThat(ManifestIO.read(out.resolve("reports")).orElseThrow().metrics()).containsKey("failed_required_profiles");
    }

    @Test
    @org.junit.jupiter.api.Order(101)
    void divergingTeacherExitsTwoNamingTheEpochAndKeepsThePreviousTeacher() throws Exception {
        String before = Files.readString(out.resolve("teacher/manifest.json"));
        PrintStream old = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        int code;
        try {
            // Adam moves every weight by about the learning rate per step: 1e30 overflows float activations at once
            code = DistilleryCli.execute(args("train-teacher", "--set", "teacher.learning_rate=1e30"));
        } finally {
            System.setErr(old);
        }
        assertThat(code).as(buf.toString()).isEqualTo(2);
        assertThat(buf.toString()).contains("teacher training diverged at epoch 1, round ", "Checkpoints of the failed run are in");
        assertThat(Files.readString(out.resolve("teacher/manifest.json"))).isEqualTo(before);
        try (var files = Files.list(out)) {
            List<Path> failed = files.filter(p -> p.getFileName().toString().startsWith(".teacher.failed-")).toList();
            assertThat(failed).hasSize(1);
            dev.distillery.core.io.StageOutput.deleteTree(failed.get(0));
        }
    }

    @Test
    @org.junit.jupiter.api.Order(102)
    void channelPrunedStudentIsSmallerAndFlowsThroughQatExportAndEvaluate() throws Exception {
        // A copy of the run, so that the other tests keep finding the default pipeline's outputs.
        Path copy = channelsOut;
        try (var files = Files.walk(out)) {
            for (Path p : files.toList()) {
                Files.copy(p, copy.resolve(out.relativize(p).toString()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (String stage : List.of("prune", "qat", "export", "evaluate")) {
            String[] a = args(stage, "--set", "prune.method=channels", "--set", "prune.channel_fraction=0.5");
            a[4] = copy.toString();
            assertThat(DistilleryCli.execute(a)).as(stage).isZero();
        }
        java.util.Map<String, JsonNode> byName = new java.util.HashMap<>();
        for (JsonNode v : ManifestIO.json().readTree(copy.resolve("reports/report.json").toFile()).path("variants")) {
            byName.put(v.path("name").asText(), v);
        }
        JsonNode kd = byName.get("student-kd");
        JsonNode pruned = byName.get("student-pruned");
        // half the filters of every hidden layer: parameters, MACs and file bytes each shrink, measured apart
        assertThat(pruned.path("params").asLong()).isLessThan(kd.path("params").asLong() * 3 / 4);
        assertThat(pruned.path("macs").asLong()).isLessThan(kd.path("macs").asLong() * 3 / 4);
        assertThat(pruned.path("size_bytes").asLong()).isLessThan(kd.path("size_bytes").asLong() * 3 / 4);
        // one fine-tuning epoch on 1,800 images after losing half the filters: well above chance (10%), if below
        // the dense student
        assertThat(pruned.path("accuracy").asDouble()).isGreaterThan(0.3);
        // the integer model is built from the smaller architecture
        assertThat(byName.get("student-int8").path("macs").asLong()).isEqualTo(pruned.path("macs").asLong());
        assertThat(byName.get("student-int8").path("accuracy").asDouble()).isGreaterThan(0.3);
        JsonNode ablation = ManifestIO.json().readTree(copy.resolve("reports/report.json").toFile()).path("ablation");
        JsonNode channels = null;
        for (JsonNode s : ablation) {
            if (s.path("to").asText().equals("student-pruned")) {
                channels = s;
            }
        }
        assertThat(channels).isNotNull();
        assertThat(channels.path("techniques")).extracting(JsonNode::asText).containsExactly("channel-pruning");
        assertThat(channels.path("macs").path("delta").asLong()).isNegative();
        assertThat(channels.path("weight_bytes").path("delta").asLong()).isNegative();
        ModelArtifact model = ModelIO.read(copy.resolve("student-pruned/student-pruned.dmodel"));
        assertThat(model.metadata()).containsEntry("method", "channels")
                .containsEntry("params", String.valueOf(model.architecture().parameterCount()))
                .containsEntry("macs", String.valueOf(model.architecture().macs()))
                .containsEntry("dense_params", String.valueOf(kd.path("params").asLong()));
    }
}
