package dev.distillery.evaluation.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.error.TransientFailureException;
import dev.distillery.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Compares evaluations of two or more runs: for every variant name the accuracy and file size in each run, and for
 * every profile the estimated latency and gate verdict of each variant and the recommended variant, run by run.
 * Variants and profiles are matched by name; one missing from a run shows as "-".
 */
public final class RunComparison {
    public static final String JSON_FILE = "comparison.json";
    public static final String MARKDOWN_FILE = "comparison.md";
    private static final int SCHEMA_VERSION = 2;
    /** Report versions compare reads: version 3 only added the ablation table and variant lineage to version 2. */
    private static final java.util.Set<Integer> REPORT_VERSIONS = java.util.Set.of(2, 3);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One run's report and the label it is shown under (its folder name, made unique). */
    public record Run(String label, Path reportFile, JsonNode report) {
    }

    private final List<Run> runs;

    private RunComparison(List<Run> runs) {
        this.runs = List.copyOf(runs);
    }

    /**
     * Reads each location's report: a run folder (its {@code reports/report.json}), a reports folder, or a
     * report.json file.
     */
    public static RunComparison of(List<Path> locations) {
        if (locations == null || locations.size() < 2) {
            throw new InvalidConfigException("compare needs at least two runs, got "
                    + (locations == null ? 0 : locations.size()));
        }
        List<Run> runs = new ArrayList<>();
        Set<String> labels = new LinkedHashSet<>();
        for (Path location : locations) {
            Path file = reportFile(location);
            JsonNode report = read(file);
            String base = label(location);
            String label = base;
            for (int i = 2; !labels.add(label); i++) {
                label = base + "#" + i;
            }
            runs.add(new Run(label, file, report));
        }
        return new RunComparison(runs);
    }

    public List<Run> runs() {
        return runs;
    }

    /** Writes comparison.json and comparison.md into {@code dir}, each atomically; returns the Markdown. */
    public String writeTo(Path dir) {
        String md = markdown();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new TransientFailureException("could not create " + dir + ": " + e.getMessage(), e);
        }
        AtomicFiles.write(dir.resolve(JSON_FILE), json().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve(MARKDOWN_FILE), md.getBytes(StandardCharsets.UTF_8));
        return md;
    }

    /** The comparison as JSON (see docs/report-format.md, "Comparing runs"). */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema_version", SCHEMA_VERSION);
        ArrayNode rs = root.putArray("runs");
        for (Run r : runs) {
            ObjectNode n = rs.addObject();
            n.put("label", r.label());
            n.put("report", r.reportFile().toString());
            n.put("title", r.report().path("title").asText());
            n.put("created", r.report().path("created").asText());
            n.put("config_hash", r.report().path("config_hash").asText());
            n.set("failed_required_profiles", r.report().path("failed_required_profiles"));
        }
        ArrayNode vs = root.putArray("variants");
        for (String name : variantNames()) {
            ObjectNode n = vs.addObject();
            n.put("name", name);
            ArrayNode per = n.putArray("runs");
            for (Run r : runs) {
                JsonNode v = variant(r, name);
                if (v == null) {
                    per.addNull();
                } else {
                    ObjectNode x = per.addObject();
                    x.put("accuracy", v.path("accuracy").asDouble());
                    x.put("size_bytes", v.path("size_bytes").asLong());
                    x.put("precision", v.path("precision").asText());
                }
            }
        }
        ArrayNode ps = root.putArray("profiles");
        for (String id : profileIds()) {
            ObjectNode p = ps.addObject();
            p.put("id", id);
            ArrayNode rec = p.putArray("recommended");
            for (Run r : runs) {
                JsonNode rn = recommendation(r, id);
                if (rn == null || rn.path("variant").isNull()) {
                    rec.addNull();
                } else {
                    rec.add(rn.path("variant").asText());
                }
            }
            ArrayNode rows = p.putArray("rows");
            for (String name : variantNames()) {
                ObjectNode row = rows.addObject();
                row.put("variant", name);
                ArrayNode per = row.putArray("runs");
                for (Run r : runs) {
                    JsonNode x = row(r, name, id);
                    if (x == null) {
                        per.addNull();
                    } else {
                        ObjectNode o = per.addObject();
                        o.set("latency_ms", x.path("latency_ms"));
                        o.put("gate", x.path("gate").asText());
                    }
                }
            }
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("comparison JSON could not be rendered", e);
        }
    }

    /** The comparison as Markdown tables, one column per run. */
    public String markdown() {
        StringBuilder md = new StringBuilder("# Distillery run comparison\n\n");
        md.append("| Run | Report | Created | Config hash | Required profiles without a passing variant |\n");
        md.append("| --- | --- | --- | --- | --- |\n");
        for (Run r : runs) {
            List<String> failed = new ArrayList<>();
            r.report().path("failed_required_profiles").forEach(f -> failed.add(f.asText()));
            md.append("| ").append(r.label()).append(" | ").append(cell(r.report().path("title").asText()))
                    .append(" | ").append(r.report().path("created").asText()).append(" | `")
                    .append(r.report().path("config_hash").asText()).append("` | ")
                    .append(failed.isEmpty() ? "none" : "**" + String.join(", ", failed) + "**").append(" |\n");
        }
        md.append("\n## Accuracy and size\n\n| Variant |");
        runs.forEach(r -> md.append(" accuracy ").append(r.label()).append(" |"));
        runs.forEach(r -> md.append(" size ").append(r.label()).append(" |"));
        md.append(" accuracy change |\n|").append(" --- |".repeat(1 + 2 * runs.size() + 1)).append('\n');
        for (String name : variantNames()) {
            md.append("| ").append(name).append(" |");
            List<Double> accs = new ArrayList<>();
            for (Run r : runs) {
                JsonNode v = variant(r, name);
                md.append(' ').append(v == null ? "-" : percent(v.path("accuracy").asDouble())).append(" |");
                if (v != null) {
                    accs.add(v.path("accuracy").asDouble());
                }
            }
            for (Run r : runs) {
                JsonNode v = variant(r, name);
                md.append(' ').append(v == null ? "-" : String.format(Locale.ROOT, "%,d B",
                        v.path("size_bytes").asLong())).append(" |");
            }
            md.append(' ').append(accs.size() == runs.size() ? String.format(Locale.ROOT, "%+.2f pt",
                    (accs.get(accs.size() - 1) - accs.get(0)) * 100) : "-").append(" |\n");
        }
        for (String id : profileIds()) {
            md.append("\n## `").append(id).append("`: estimated latency (ms) and gate\n\n| Variant |");
            runs.forEach(r -> md.append(' ').append(r.label()).append(" |"));
            md.append("\n|").append(" --- |".repeat(1 + runs.size())).append('\n');
            for (String name : variantNames()) {
                md.append("| ").append(name).append(" |");
                for (Run r : runs) {
                    JsonNode x = row(r, name, id);
                    md.append(' ').append(x == null ? "-" : latency(x.path("latency_ms")) + " "
                            + ("pass".equals(x.path("gate").asText()) ? "pass" : "**fail**")).append(" |");
                }
                md.append('\n');
            }
            md.append("| *recommended* |");
            for (Run r : runs) {
                JsonNode rn = recommendation(r, id);
                md.append(' ').append(rn == null ? "-" : rn.path("variant").isNull() ? "none passes"
                        : rn.path("variant").asText()).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    private List<String> variantNames() {
        Set<String> names = new LinkedHashSet<>();
        runs.forEach(r -> r.report().path("variants").forEach(v -> names.add(v.path("name").asText())));
        return List.copyOf(names);
    }

    private List<String> profileIds() {
        Set<String> ids = new LinkedHashSet<>();
        runs.forEach(r -> r.report().path("profiles").forEach(p -> ids.add(p.path("id").asText())));
        return List.copyOf(ids);
    }

    private static JsonNode variant(Run r, String name) {
        for (JsonNode v : r.report().path("variants")) {
            if (name.equals(v.path("name").asText())) {
                return v;
            }
        }
        return null;
    }

    private static JsonNode row(Run r, String variant, String profile) {
        for (JsonNode x : r.report().path("profile_rows")) {
            if (variant.equals(x.path("variant").asText()) && profile.equals(x.path("profile").asText())) {
                return x;
            }
        }
        return null;
    }

    private static JsonNode recommendation(Run r, String profile) {
        for (JsonNode x : r.report().path("recommendations")) {
            if (profile.equals(x.path("profile").asText())) {
                return x;
            }
        }
        return null;
    }

    /**
     * The report a location stands for: the file itself, its {@code reports/report.json}, or its
     * {@code report.json}; throws {@link InvalidConfigException} (exit 2) naming the expected path when none exists.
     */
    public static Path reportFile(Path location) {
        if (Files.isRegularFile(location)) {
            return location;
        }
        for (Path candidate : List.of(location.resolve("reports").resolve("report.json"),
                location.resolve("report.json"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new InvalidConfigException("no evaluation report in " + location + ": expected "
                + location.resolve("reports").resolve("report.json") + " (run evaluate on it first) or a report.json"
                + " path");
    }

    private static JsonNode read(Path file) {
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DataContractException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new TransientFailureException("could not read " + file + ": " + e.getMessage(), e);
        }
        int version = node == null ? -1 : node.path("schema_version").asInt(-1);
        if (!REPORT_VERSIONS.contains(version)) {
            throw new DataContractException(file + " has report schema_version " + version + ", compare reads versions "
                    + "2 and 3; re-run evaluate on that run with --force");
        }
        return node;
    }

    private static String label(Path location) {
        Path p = location.toAbsolutePath().normalize();
        if (Files.isRegularFile(p)) {
            p = p.getParent();
        }
        if (p.getFileName() != null && p.getFileName().toString().equals("reports") && p.getParent() != null) {
            p = p.getParent();
        }
        return p.getFileName() == null ? p.toString() : p.getFileName().toString();
    }

    private static String percent(double f) {
        return String.format(Locale.ROOT, "%.2f %%", f * 100);
    }

    private static String latency(JsonNode ms) {
        return ms.isNumber() ? new java.math.BigDecimal(ms.asDouble()).round(new java.math.MathContext(3))
                .stripTrailingZeros().toPlainString() : "n/a";
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
