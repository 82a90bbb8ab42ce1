package dev.distillery.evaluation.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.evaluation.compare.RunComparison;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two evaluated runs, the second with a stricter gate on one profile, compared side by side. */
class RunComparisonTest {
    @TempDir
    Path tmp;

    @Test
    void putsAccuracySizeLatencyAndGatesOfTwoRunsSideBySide() throws IOException {
        Path a = run("run-a", Map.of());
        Path b = run("run-b", Map.of("cortex-m4f", 0.95));

        RunComparison comparison = RunComparison.of(List.of(a, b));
        String md = comparison.writeTo(tmp.resolve("cmp"));

        assertThat(comparison.runs()).extracting(RunComparison.Run::label).containsExactly("run-a", "run-b");
        assertThat(md).contains("| student-kd | 90.00 % | 90.00 % |", "+0.00 pt", "## `cortex-m4f`",
                "| *recommended* | student-kd | none passes |");
        JsonNode json = new ObjectMapper().readTree(tmp.resolve("cmp").resolve(RunComparison.JSON_FILE).toFile());
        JsonNode m4 = json.path("profiles").get(1);
        assertThat(m4.path("id").asText()).isEqualTo("cortex-m4f");
        JsonNode kd = m4.path("rows").get(1);
        assertThat(kd.path("variant").asText()).isEqualTo("student-kd");
        assertThat(kd.path("runs").get(0).path("gate").asText()).isEqualTo("pass");
        assertThat(kd.path("runs").get(1).path("gate").asText()).isEqualTo("fail");
        assertThat(kd.path("runs").get(0).path("latency_ms").asDouble())
                .isEqualTo(kd.path("runs").get(1).path("latency_ms").asDouble()).isPositive();
        assertThat(tmp.resolve("cmp").resolve(RunComparison.MARKDOWN_FILE)).hasContent(md);
    }

    @Test
    void acceptsReportFilesAndMakesRepeatedLabelsUnique() throws IOException {
        Path a = run("same", Map.of());

        RunComparison comparison = RunComparison.of(List.of(a, a.resolve("reports").resolve("report.json")));

        assertThat(comparison.runs()).extracting(RunComparison.Run::label).containsExactly("same", "same#2");
    }

    @Test
    void refusesAFolderWithoutAReportAndAnOldReportVersion() throws IOException {
        Path a = run("run-a", Map.of());
        Path empty = Files.createDirectories(tmp.resolve("never-evaluated"));
        Path old = Files.createDirectories(tmp.resolve("old").resolve("reports"));
        Files.writeString(old.resolve("report.json"), "{\"schema_version\": 1}");

        assertThatThrownBy(() -> RunComparison.of(List.of(a, empty)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("no evaluation report in " + empty);
        assertThatThrownBy(() -> RunComparison.of(List.of(a, tmp.resolve("old"))))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("schema_version 1, compare reads versions 2 and 3");
        assertThatThrownBy(() -> RunComparison.of(List.of(a)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("at least two runs");
    }

    private Path run(String name, Map<String, Double> minAccuracy) {
        Path dir = tmp.resolve(name);
        ReportWriter.write(ReportFixtures.report(minAccuracy), dir.resolve("reports"));
        return dir;
    }
}
