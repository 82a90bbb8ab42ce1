package dev.distillery.evaluation.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.core.error.TransientFailureException;
import dev.distillery.evaluation.cost.CostModel;
import dev.distillery.evaluation.profile.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ReportWriterTest {
    private static final Path FORMAT_DOC = Path.of("..", "docs", "report-format.md");
    /** Objects whose keys are data (note names, precision ids), not format fields. */
    private static final Set<String> FREE_FORM = Set.of("notes", "throughput_macs_per_s", "energy_pj_per_mac");

    @TempDir
    Path tmp;

    @Test
    void writesJsonMarkdownAndHtml() {
        Path dir = ReportWriter.write(ReportFixtures.report(Map.of()), tmp.resolve("reports"));

        assertThat(dir.resolve(ReportWriter.JSON_FILE)).isNotEmptyFile();
        assertThat(dir.resolve(ReportWriter.MARKDOWN_FILE)).isNotEmptyFile();
        assertThat(dir.resolve(ReportWriter.HTML_FILE)).isNotEmptyFile();
    }

    @Test
    void jsonParsesAndCarriesTheVariantAndRowFigures() throws IOException {
        Path dir = ReportWriter.write(ReportFixtures.report(Map.of("cortex-m4f", 0.95)), tmp.resolve("reports"));

        JsonNode root = new ObjectMapper().readTree(dir.resolve(ReportWriter.JSON_FILE).toFile());

        assertThat(root.path("schema_version").asInt()).isEqualTo(3);
        assertThat(root.path("created").asText()).isEqualTo("2026-11-27T19:00:00Z");
        assertThat(root.path("config_hash").asText()).isEqualTo("sha256:0123abcd");
        JsonNode teacher = root.path("variants").get(0);
        assertThat(teacher.path("name").asText()).isEqualTo("teacher");
        assertThat(teacher.path("params").asLong()).isEqualTo(421_642);
        assertThat(teacher.path("size_bytes").asLong()).isEqualTo(1_686_568 + 2048);
        assertThat(teacher.path("accuracy").asDouble()).isEqualTo(0.95);
        assertThat(teacher.path("metrics").path("confusion")).hasSize(10);
        assertThat(root.path("profile_rows")).hasSize(12);
        JsonNode m4Teacher = find(root.path("profile_rows"), "teacher", "cortex-m4f");
        assertThat(m4Teacher.path("fits_flash").asBoolean()).isFalse();
        assertThat(m4Teacher.path("gate").asText()).isEqualTo("fail");
        assertThat(m4Teacher.path("min_accuracy").asDouble()).isEqualTo(0.95);
        assertThat(m4Teacher.path("latency_ms").asDouble()).isPositive();
        JsonNode m4Recommendation = root.path("recommendations").get(1);
        assertThat(m4Recommendation.path("profile").asText()).isEqualTo("cortex-m4f");
        assertThat(m4Recommendation.path("variant").isNull()).isTrue();
        assertThat(m4Recommendation.path("pareto_front")).isNotEmpty();
        assertThat(teacher.path("metrics").path("accuracy_ci").path("lower").asDouble()).isLessThanOrEqualTo(0.95);
        assertThat(root.path("cost_model_check").path("rows")).hasSize(6);
    }

    @Test
    void everyJsonFieldIsDocumentedInTheFormatPage() throws IOException {
        Path dir = ReportWriter.write(ReportFixtures.report(Map.of("cortex-m4f", 0.95)), tmp.resolve("reports"));
        JsonNode root = new ObjectMapper().readTree(dir.resolve(ReportWriter.JSON_FILE).toFile());

        Set<String> fields = new TreeSet<>();
        collectFieldNames(root, fields);
        Set<String> documented = documentedNames(Files.readString(FORMAT_DOC));

        assertThat(fields).contains("schema_version", "variants", "profile_rows", "recommendations", "size_bytes",
                "latency_ms", "fits_ram", "fits_flash", "gate");
        assertThat(documented).containsAll(fields);
    }

    @Test
    void assumedFiguresAreFlaggedInEveryFormat() throws IOException {
        // cortex-m4f's interpreter overhead and MAC rates are Distillery estimates, marked assumed in its file.
        Path dir = ReportWriter.write(ReportFixtures.report(Map.of()), tmp.resolve("reports"));

        String md = Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE));
        String html = Files.readString(dir.resolve(ReportWriter.HTML_FILE));
        JsonNode m4f = null;
        for (JsonNode p : new ObjectMapper().readTree(dir.resolve(ReportWriter.JSON_FILE).toFile()).path("profiles")) {
            if (p.path("id").asText().equals("cortex-m4f")) {
                m4f = p;
            }
        }

        assertThat(md).containsPattern("Assumed figures \\(no document states them; see the profile's sources\\): "
                + "[a-z_, ]*invocation_overhead_s");
        assertThat(html).contains("<span class=\"assumed\">assumed</span> figures", "<li><span class=\"assumed\">");
        assertThat(m4f).isNotNull();
        List<Boolean> flags = new java.util.ArrayList<>();
        m4f.path("sources").forEach(s -> flags.add(s.path("assumed").asBoolean()));
        assertThat(flags).contains(true, false);
    }

    @Test
    void htmlIsSelfContained() throws IOException {
        Path dir = ReportWriter.write(ReportFixtures.report(Map.of()), tmp.resolve("reports"));

        String html = Files.readString(dir.resolve(ReportWriter.HTML_FILE));

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<style>", "<table>", "student-int8",
                "id=\"report-data\"", "echarts", "chart-confusion-0", "chart-profile-0", "chart-size", "chart-macs");
        // Everything inline: no element loads anything, so the page works offline.
        String markup = html.replaceAll("(?s)<script[^>]*>.*?</script>", "<script></script>");
        // Source addresses appear as text (in <code>), never as something the browser would fetch.
        assertThat(markup.toLowerCase()).doesNotContain(" src=", "href=", "url(", "@import", "<link", "<iframe");
        assertThat(html).containsPattern("(?s)<script>.*echarts.*</script>");
    }

    @Test
    void writesAModelCardPerRecommendedVariant() throws IOException {
        Path dir = ReportWriter.write(ReportFixtures.report(Map.of()), tmp.resolve("reports"));

        Path card = dir.resolve("model-card-student-kd.md");
        assertThat(card).isNotEmptyFile();
        assertThat(Files.readString(card)).contains("## Intended use", "## Data", "## Metrics", "## Limits",
                "## Provenance", "95% bootstrap CI", "cortex-m4f", "sha256:0123abcd", "Weakest class: Bag");
        assertThat(dir.resolve("model-card-teacher.md")).doesNotExist();
    }

    @Test
    void theAblationTableIsInEveryFormat() throws IOException {
        Path dir = ReportWriter.write(ReportFixtures.report(Map.of()), tmp.resolve("reports"));

        JsonNode ablation = new ObjectMapper().readTree(dir.resolve(ReportWriter.JSON_FILE).toFile()).path("ablation");
        String md = Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE));
        String html = Files.readString(dir.resolve(ReportWriter.HTML_FILE));

        // the fixture's int8 student records the KD student as its origin: architecture row, QAT row, total
        assertThat(ablation).extracting(n -> n.path("relation").asText())
                .containsExactly("architecture", "derived", "total");
        JsonNode qat = ablation.get(1);
        assertThat(qat.path("from").asText()).isEqualTo("student-kd");
        assertThat(qat.path("to").asText()).isEqualTo("student-int8");
        // 18 -> 17 of 20 examples right
        assertThat(qat.path("accuracy").path("delta_points").asDouble()).isCloseTo(-5.0, within(1e-9));
        long fp32 = CostModel.weightBytes(ReportFixtures.STUDENT, Precision.FP32);
        long int8 = CostModel.weightBytes(ReportFixtures.STUDENT, Precision.INT8);
        assertThat(qat.path("weight_bytes").path("from").asLong()).isEqualTo(fp32);
        assertThat(qat.path("weight_bytes").path("to").asLong()).isEqualTo(int8);
        assertThat(qat.path("weight_bytes").path("ratio").asDouble()).isCloseTo((double) int8 / fp32, within(1e-12));
        assertThat(qat.path("weight_bytes_sparse").path("to").asLong()).isLessThan(int8);
        assertThat(qat.path("macs").path("delta").asLong()).isZero();
        assertThat(ablation.get(2).path("techniques")).extracting(JsonNode::asText)
                .containsExactly("student-architecture", "qat", "integer-conversion");
        assertThat(md).contains("## Ablation: what each technique added or cost",
                "| student-kd → student-int8 | derived | quantization-aware training", "| **teacher → student-int8 (total)** |");
        assertThat(html).contains("<h2 id=\"ablation\">", "<td>student-kd → student-int8</td>", "<tr class=\"total\">");
        assertThat(Files.readString(dir.resolve("model-card-student-kd.md"))).contains("- Distilled from: single teacher");
    }

    @Test
    void aReportWithoutLineageSaysWhyItHasNoAblationTable() throws IOException {
        Report report = new ReportBuilder("old run").profiles(ReportFixtures.profiles())
                .variants(List.of(ReportFixtures.teacher(), ReportFixtures.studentKd())).build();
        Path dir = ReportWriter.write(report, tmp.resolve("reports"));

        assertThat(report.ablation()).isEmpty();
        assertThat(Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE))).contains(Ablation.NONE);
    }

    @Test
    void markdownHasOneTablePerProfile() throws IOException {
        Path dir = ReportWriter.write(ReportFixtures.report(Map.of()), tmp.resolve("reports"));

        String md = Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE));

        for (String id : ReportFixtures.PROFILE_IDS) {
            assertThat(md).contains("(`" + id + "`)");
        }
        assertThat(md).contains("| Variant | Precision | RAM needed | Fits RAM |");
    }

    @Test
    void rewritingReplacesThePreviousReportAndLeavesNoWorkFolders() throws IOException {
        Path target = tmp.resolve("reports");
        ReportWriter.write(ReportFixtures.report(Map.of()), target);
        Files.writeString(target.resolve("stale.txt"), "from an older run");

        ReportWriter.write(ReportFixtures.report(Map.of("cortex-m7", 0.99)), target);

        assertThat(target.resolve("stale.txt")).doesNotExist();
        assertThat(Files.readString(target.resolve(ReportWriter.JSON_FILE))).contains("\"min_accuracy\" : 0.99");
        assertThat(siblings()).containsExactly("reports");
    }

    @Test
    void aFailedWriteLeavesNoWorkFolderBehind() throws IOException {
        Path occupied = Files.writeString(tmp.resolve("reports"), "a file, not a folder");

        assertThatThrownBy(() -> ReportWriter.write(ReportFixtures.report(Map.of()), occupied))
                .isInstanceOf(TransientFailureException.class)
                .hasMessageContaining("not a folder");
        assertThat(siblings()).containsExactly("reports");
        assertThat(Files.readString(occupied)).isEqualTo("a file, not a folder");
    }

    private List<String> siblings() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toList());
        }
    }

    private static JsonNode find(JsonNode rows, String variant, String profile) {
        for (JsonNode row : rows) {
            if (row.path("variant").asText().equals(variant) && row.path("profile").asText().equals(profile)) {
                return row;
            }
        }
        throw new AssertionError("no row for " + variant + " on " + profile);
    }

    private static void collectFieldNames(JsonNode node, Set<String> out) {
        if (node.isArray()) {
            node.forEach(child -> collectFieldNames(child, out));
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.add(e.getKey());
                if (!FREE_FORM.contains(e.getKey())) {
                    collectFieldNames(e.getValue(), out);
                }
            }
        }
    }

    /** Every lower-case `code` span on the page: field names appear as such in its tables. */
    private static Set<String> documentedNames(String markdown) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("`([a-z0-9_]+)`").matcher(markdown);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
