package dev.distillery.evaluation.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.evaluation.cost.CostModel;
import dev.distillery.evaluation.profile.DeployFormat;
import dev.distillery.evaluation.profile.HardwareProfile;
import dev.distillery.evaluation.profile.Precision;
import dev.distillery.evaluation.profile.ProfileLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DeploymentReportTest {
    @TempDir
    Path tmp;

    private static final List<String> IDS = List.of("cortex-m4f", "coral-edge-tpu", "x86-avx2-host");

    private static ReportBuilder builder() {
        Map<String, Map<DeployFormat, Artifact>> artifacts = new LinkedHashMap<>();
        artifacts.put("student-kd", Map.of(DeployFormat.ONNX, new Artifact("export/student-kd.onnx", 150_000)));
        artifacts.put("student-int8", Map.of(DeployFormat.C, new Artifact("export/c/student_int8.c", 400_000),
                DeployFormat.TFLITE, new Artifact("export/student-int8.tflite", 50_000),
                DeployFormat.ONNX, new Artifact("export/student-int8-qdq.onnx", 60_000)));
        Map<String, Double> links = new LinkedHashMap<>();
        links.put("nb-iot", 26_000.0);
        links.put("wifi", 20_000_000.0);
        return new ReportBuilder("deploy").profiles(ProfileLoader.loadAll(ReportFixtures.SHIPPED, IDS))
                .variants(List.of(ReportFixtures.teacher(), ReportFixtures.studentKd(), ReportFixtures.studentInt8()))
                .artifacts(artifacts).deploymentContext(links, 1440);
    }

    @Test
    void aCandidateWithoutAnArtifactInTheProfilesFormatFailsThereWithTheFormatNamed() {
        Report report = builder().build();

        ProfileRow kdOnMcu = report.row("student-kd", "cortex-m4f").orElseThrow();
        assertThat(kdOnMcu.passed()).isFalse();
        assertThat(kdOnMcu.reasons()).contains("cortex-m4f takes c and export wrote no c artifact of student-kd (c "
                + "artifacts are written for integer variants only)");
        // the float student has its ONNX file, which is what the host's toolchain takes
        assertThat(report.row("student-kd", "x86-avx2-host").orElseThrow().reasons())
                .noneMatch(r -> r.contains("artifact"));
        assertThat(report.recommendation("coral-edge-tpu")).contains("student-int8");
    }

    @Test
    void eachRecommendationGetsItsArtifactDownloadTimesAndEnergyPerDay() {
        Report report = builder().build();

        Deployment coral = report.deployments().stream().filter(d -> d.profileId().equals("coral-edge-tpu"))
                .findFirst().orElseThrow();
        assertThat(coral.variant()).isEqualTo("student-int8");
        assertThat(coral.format()).isEqualTo(DeployFormat.TFLITE);
        assertThat(coral.artifact()).isEqualTo("export/student-int8.tflite");
        // 50,000 bytes = 400,000 bits: 15.38 s at 26 kbit/s, 20 ms at 20 Mbit/s
        assertThat(coral.downloadSeconds().get("nb-iot")).isCloseTo(400_000 / 26_000.0, within(1e-9));
        assertThat(coral.downloadSeconds().get("wifi")).isCloseTo(0.02, within(1e-12));
        double perInferenceUj = report.row("student-int8", "coral-edge-tpu").orElseThrow().cost().energyMicrojoules()
                .getAsDouble();
        assertThat(coral.joulesPerDay().getAsDouble()).isCloseTo(perInferenceUj * 1e-6 * 1440, within(1e-12));
    }

    @Test
    void measuredInstructionsCalibrateTheMicrocontrollerLatencyAndShowBesideTheEstimates() {
        Variant int8 = ReportFixtures.studentInt8();
        long instructions = 9 * int8.macs();  // nine instructions per MAC
        DeviceMeasurement m = new DeviceMeasurement("student-int8", "cortex-m4f", "mps2-an386", 30_000, 4_000,
                20_000, 600, instructions);
        Report report = builder().deviceMeasurements(List.of(m)).build();

        HardwareProfile m4f = ProfileLoader.load(ReportFixtures.SHIPPED, "cortex-m4f");
        double clock = m4f.toolchain().clockHz();
        double cpi = m4f.toolchain().cyclesPerInstruction();
        DeviceRow row = report.deviceRows().get(0);
        assertThat(report.deviceRows()).hasSize(1);
        assertThat(row.measuredLatencyMs()).isCloseTo(instructions * cpi / clock * 1e3, within(1e-9));
        // calibrated MAC rate = clock / (cpi x 9): the roofline of a profile declaring that int8 rate
        Map<Precision, Double> rates = new java.util.EnumMap<>(m4f.throughputMacsPerS());
        rates.put(Precision.INT8, clock / (cpi * 9));
        HardwareProfile expected = new HardwareProfile(m4f.id(), m4f.name(), m4f.description(), m4f.precisions(),
                m4f.ramBytes(), m4f.flashBytes(), rates, m4f.memoryBandwidthBytesPerS(), m4f.energyPjPerMac(),
                m4f.energyPjPerByte(), m4f.supportedOps(), m4f.weightsInRam(), m4f.invocationOverheadSeconds(),
                m4f.sources(), m4f.toolchain());
        double calibrated = CostModel.estimate(int8.architecture(), Precision.INT8, expected, int8.sizeBytes())
                .latencyMillis().getAsDouble();
        assertThat(row.calibratedLatencyMs().getAsDouble()).isCloseTo(calibrated, within(1e-12));
        assertThat(report.row("student-int8", "cortex-m4f").orElseThrow().cost().latencyMillis().getAsDouble())
                .isCloseTo(calibrated, within(1e-12));
        assertThat(row.estimatedLatencyMs().getAsDouble()).isCloseTo(CostModel.estimate(int8.architecture(),
                Precision.INT8, m4f, int8.sizeBytes()).latencyMillis().getAsDouble(), within(1e-12));
        assertThat(row.flashError()).isCloseTo((int8.sizeBytes() - 34_000.0) / 34_000.0, within(1e-12));
        // the C deployment downloads the measured flash image, not the source file
        Deployment mcu = report.deployments().stream().filter(d -> d.profileId().equals("cortex-m4f")).findFirst()
                .orElseThrow();
        assertThat(mcu.downloadBytes()).isEqualTo(34_000);
    }

    @Test
    void anNpuWhoseCpuCoreWasMeasuredKeepsItsOwnRatesAndComparesNoLatency() {
        Variant int8 = ReportFixtures.studentInt8();
        DeviceMeasurement m55 = new DeviceMeasurement("student-int8", "cortex-m55", "mps3-an547", 30_000, 4_000,
                20_000, 600, 9 * int8.macs());
        HardwareProfile ethos = ProfileLoader.load(ReportFixtures.SHIPPED, "cortex-m55-ethos-u55");
        Report report = new ReportBuilder("npu").profiles(List.of(ethos)).variants(List.of(int8))
                .deviceMeasurements(List.of(m55)).build();

        // the Ethos-U55 runs the TFLite file on its NPU: a count of the M55 CPU's instructions says nothing of it
        assertThat(report.row("student-int8", ethos.id()).orElseThrow().cost().latencyMillis().getAsDouble())
                .isEqualTo(CostModel.estimate(int8.architecture(), Precision.INT8, ethos, int8.sizeBytes())
                        .latencyMillis().getAsDouble());
        DeviceRow row = report.deviceRows().get(0);
        assertThat(row.measured().flashBytes()).isEqualTo(34_000);
        assertThat(row.estimatedLatencyMs()).isEmpty();
        assertThat(row.calibratedLatencyMs()).isEmpty();
    }

    @Test
    void deploymentAndMeasurementTablesReachEveryReportFormat() throws IOException {
        Variant int8 = ReportFixtures.studentInt8();
        Report report = builder().deviceMeasurements(List.of(new DeviceMeasurement("student-int8", "cortex-m4f",
                "mps2-an386", 30_000, 4_000, 20_000, 600, 9 * int8.macs()))).build();

        Path dir = ReportWriter.write(report, tmp.resolve("reports"));

        JsonNode root = new ObjectMapper().readTree(dir.resolve(ReportWriter.JSON_FILE).toFile());
        assertThat(root.path("deployments")).hasSize(report.deployments().size());
        assertThat(root.path("device_measurements").get(0).path("instructions_per_inference").asLong())
                .isEqualTo(9 * int8.macs());
        assertThat(Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE)))
                .contains("## Deployment", "## Measured on emulated microcontroller cores", "mps2-an386");
        assertThat(Files.readString(dir.resolve(ReportWriter.HTML_FILE)))
                .contains("id=\"deployment\"", "id=\"measured\"", "Download over nb-iot");
    }
}
