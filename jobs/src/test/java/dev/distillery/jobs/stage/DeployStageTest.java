package dev.distillery.jobs.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.core.config.ConfigLoader;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.evaluation.metrics.ClassificationMetrics;
import dev.distillery.evaluation.profile.Precision;
import dev.distillery.evaluation.profile.ProfileLoader;
import dev.distillery.evaluation.report.Report;
import dev.distillery.evaluation.report.ReportBuilder;
import dev.distillery.evaluation.report.ReportWriter;
import dev.distillery.evaluation.report.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** deploy on a hand-made export folder and a real report: bundle contents, checksums, profiles without a variant. */
class DeployStageTest {
    private static final Path PROFILES = Path.of("..", "conf", "profiles");
    private static final Architecture ARCH = new Architecture("tiny", 1, 4, 4, 2, List.of(
            new LayerSpec.Conv2d(2, 3, 1), new LayerSpec.Relu(), new LayerSpec.Flatten(), new LayerSpec.Dense(2)));

    @TempDir
    Path tmp;

    private StageContext context() {
        var config = ConfigLoader.load(Path.of("..", "conf", "smoke.yaml"), List.of());
        return new StageContext(config, tmp, "local[1]", new PrintStream(java.io.OutputStream.nullOutputStream()));
    }

    private void exportAndReport() throws Exception {
        Path export = tmp.resolve("export");
        Files.createDirectories(export.resolve("c"));
        Files.write(export.resolve("student-int8.tflite"), new byte[]{1, 2, 3, 4, 5});
        Files.writeString(export.resolve("c/student_int8.c"), "/* model */\n");
        Files.writeString(export.resolve("c/student_int8.h"), "/* header */\n");
        Files.write(export.resolve("student-int8-qdq.onnx"), new byte[]{9, 9, 9});
        ExportedArtifacts index = new ExportedArtifacts(List.of(new ExportedArtifacts.Entry("student-int8", "int8",
                Map.of("tflite", "student-int8.tflite", "c", "c/student_int8.c", "c_header", "c/student_int8.h",
                        "onnx", "student-int8-qdq.onnx"),
                new ExportedArtifacts.IoQuantization("uint8", 1 / 255.0, 0),
                new ExportedArtifacts.IoQuantization("uint8", 0.125, 100))));
        index.write(export);
        ClassificationMetrics metrics = ClassificationMetrics.of(new int[]{0, 1, 1, 0}, new int[]{0, 1, 1, 0}, 2);
        Variant int8 = Variant.of("student-int8", Variant.STUDENT_INT8, Precision.INT8, ARCH, metrics, 200, 0,
                export.resolve("student-int8.tflite"));
        Report report = new ReportBuilder("deploy test")
                .profiles(ProfileLoader.loadAll(PROFILES, List.of("cortex-m7", "coral-edge-tpu", "phone-npu-int8")))
                .variants(List.of(int8)).artifacts(index.byFormat(export, "export"))
                .deploymentContext(Map.of("wifi", 1e7), 100).build();
        ReportWriter.write(report, tmp.resolve("reports"));
    }

    @Test
    void writesOneBundlePerRecommendationWithTheToolchainsArtifactAndVerifiableChecksums() throws Exception {
        exportAndReport();
        Path work = tmp.resolve(".deploy-work");

        new DeployStage().run(context(), work);

        Path coral = work.resolve("coral-edge-tpu");
        assertThat(DeployStage.fileNames(coral)).containsExactly("MODEL_CARD.md", "README.md", "SHA256SUMS",
                "quantization.json", "student-int8.tflite");
        assertThat(DeployStage.fileNames(work.resolve("cortex-m7"))).contains("student_int8.c", "student_int8.h")
                .doesNotContain("student-int8.tflite");
        for (String line : Files.readAllLines(coral.resolve("SHA256SUMS"))) {
            String[] parts = line.split("  ");
            assertThat(DeployStage.sha256(coral.resolve(parts[1]))).as(parts[1]).isEqualTo(parts[0]);
        }
        assertThat(Files.readAllLines(coral.resolve("SHA256SUMS"))).hasSize(4);
        JsonNode q = new ObjectMapper().readTree(coral.resolve("quantization.json").toFile());
        assertThat(q.path("output").path("scale").asDouble()).isEqualTo(0.125);
        assertThat(q.path("output").path("zero_point").asInt()).isEqualTo(100);
        assertThat(Files.readString(coral.resolve("README.md"))).contains("edgetpu_compiler", "coral-edge-tpu");
        // the C build takes the same uint8 input codes but returns int32 accumulators, not TFLite's uint8 output
        JsonNode c = new ObjectMapper().readTree(work.resolve("cortex-m7/quantization.json").toFile());
        assertThat(c.path("input").path("scale").asDouble()).isEqualTo(1 / 255.0);
        assertThat(c.path("output").path("dtype").asText()).startsWith("int32 accumulators");
        assertThat(c.path("output").has("scale")).isFalse();
        // the phone NPU takes dense per tensor only; the variant is per channel, so nothing ships there
        JsonNode index = new ObjectMapper().readTree(work.resolve("index.json").toFile());
        JsonNode npu = null;
        for (JsonNode p : index.path("profiles")) {
            if (p.path("profile").asText().equals("phone-npu-int8")) {
                npu = p;
            }
        }
        assertThat(npu).isNotNull();
        assertThat(npu.path("variant").isNull()).isTrue();
        assertThat(npu.path("reason").asText()).contains("no variant passes");
        assertThat(work.resolve("phone-npu-int8")).doesNotExist();
    }

    @Test
    void refusesToRunWithoutAReportNamingTheStageToRunFirst() throws Exception {
        Files.createDirectories(tmp.resolve("export"));

        assertThatThrownBy(() -> new DeployStage().run(context(), tmp.resolve(".deploy-work")))
                .isInstanceOf(DataContractException.class).hasMessageContaining("run evaluate first");
    }
}
