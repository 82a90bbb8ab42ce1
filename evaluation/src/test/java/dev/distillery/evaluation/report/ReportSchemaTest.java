package dev.distillery.evaluation.report;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** report.json against the published schema in docs/report-schema.json, which is strict about unknown fields. */
class ReportSchemaTest {
    private static final Path SCHEMA = Path.of("..", "docs", "report-schema.json");

    @TempDir
    Path tmp;

    @Test
    void aFullReportMatchesTheSchema() throws IOException {
        String json = render(ReportFixtures.builder(Map.of("cortex-m7", 0.8)).maxLatencyMs(Map.of("cortex-m4f", 5.0))
                .maxAccuracyDrop(Map.of("x86-avx2-host", 0.2)).build());

        assertThat(schema().validate(json, InputFormat.JSON)).isEmpty();
    }

    @Test
    void aReportWithDeploymentsAndDeviceMeasurementsMatchesTheSchema() throws IOException {
        Variant int8 = ReportFixtures.studentInt8();
        Report report = ReportFixtures.builder(Map.of())
                .artifacts(Map.of("student-int8", Map.of(
                        dev.distillery.evaluation.profile.DeployFormat.C, new Artifact("export/c/student_int8.c", 9000),
                        dev.distillery.evaluation.profile.DeployFormat.TFLITE, new Artifact("export/s.tflite", 8000))))
                .deviceMeasurements(List.of(new DeviceMeasurement("student-int8", "cortex-m7", "mps2-an500", 30_000,
                        4_000, 20_000, 600, 9 * int8.macs())))
                .deploymentContext(Map.of("lte-m", 300_000.0), 1440).build();

        assertThat(report.deployments()).isNotEmpty();
        assertThat(report.deviceRows()).isNotEmpty();
        assertThat(schema().validate(render(report), InputFormat.JSON)).isEmpty();
    }

    @Test
    void aReportWithoutMeasurementsOrTeacherMatchesTheSchema() throws IOException {
        Report report = new ReportBuilder("students only").profiles(ReportFixtures.profiles())
                .variants(List.of(ReportFixtures.studentKd(), ReportFixtures.studentInt8())).build();

        assertThat(schema().validate(render(report), InputFormat.JSON)).isEmpty();
    }

    @Test
    void theSchemaRejectsAMissingFieldAndAnUndocumentedOne() throws IOException {
        String json = render(ReportFixtures.report(Map.of()));
        String missing = json.replaceFirst("\"schema_version\" : 3,", "");
        String extra = json.replaceFirst("\"schema_version\" : 3,", "\"schema_version\" : 3, \"surprise\" : 1,");
        String badGate = json.replaceFirst("\"gate\" : \"pass\"", "\"gate\" : \"maybe\"");

        List<Error> a = schema().validate(missing, InputFormat.JSON);
        List<Error> b = schema().validate(extra, InputFormat.JSON);
        List<Error> c = schema().validate(badGate, InputFormat.JSON);

        assertThat(a).extracting(Error::getMessage).anyMatch(m -> m.contains("schema_version"));
        assertThat(b).extracting(Error::getMessage).anyMatch(m -> m.contains("surprise"));
        assertThat(c).isNotEmpty();
    }

    private String render(Report report) throws IOException {
        Path dir = ReportWriter.write(report, tmp.resolve("reports-" + System.nanoTime()));
        return Files.readString(dir.resolve(ReportWriter.JSON_FILE));
    }

    private static Schema schema() throws IOException {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(SCHEMA), InputFormat.JSON);
    }
}
